import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/server/duration.js';
import { applyFeedQuery, indexFeed, parseFeedQuery } from '../../src/server/feed-filter.js';
import { chooseCoding, ifNoneMatchHits, notModifiedSince, quoteEtag } from '../../src/server/http-cache.js';
import { renderOpml } from '../../src/server/opml.js';
import { parseFeedDocument } from '../../src/feed/parse.js';

describe('parseDuration', () => {
  it.each([
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['2d', 172_800_000],
    ['500ms', 500],
    [' 1h 5m ', 3_900_000],
    ['45', 45_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '15x', '0m', '-5m', 'm15'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/duration/);
  });

  it('formats back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(900_000)).toBe('15m');
    expect(formatDuration(250)).toBe('250ms');
  });
});

describe('conditional request helpers', () => {
  it('matches If-None-Match by weak comparison, across codings, in lists', () => {
    expect(ifNoneMatchHits('"abc"', '"abc"')).toBe(true);
    expect(ifNoneMatchHits('W/"abc"', '"abc"')).toBe(true);
    expect(ifNoneMatchHits('"x", "abc-gzip"', '"abc"')).toBe(true);
    expect(ifNoneMatchHits('"abc-br"', '"abc"')).toBe(true);
    expect(ifNoneMatchHits('"abcd"', '"abc"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"abc"')).toBe(false);
  });

  it('reads If-Modified-Since as an HTTP date, to the second', () => {
    const lastModified = Date.UTC(2026, 0, 15, 3, 0, 0, 500);
    expect(notModifiedSince('Thu, 15 Jan 2026 03:00:00 GMT', lastModified)).toBe(true);
    expect(notModifiedSince('Thu, 15 Jan 2026 02:59:59 GMT', lastModified)).toBe(false);
    expect(notModifiedSince('not a date', lastModified)).toBe(false);
  });

  it('quotes stored tags', () => {
    expect(quoteEtag('abc')).toBe('"abc"');
    expect(quoteEtag('"abc"')).toBe('"abc"');
    expect(quoteEtag('W/"abc"')).toBe('"abc"');
  });

  it.each([
    [undefined, 'identity'],
    ['gzip', 'gzip'],
    ['gzip, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
    ['gzip;q=0.8, br;q=0.9', 'br'],
  ])('Accept-Encoding %j → %s', (header, coding) => {
    expect(chooseCoding(header)).toBe(coding);
  });
});

describe('filtering a stored render', () => {
  const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title><link>https://example.jp/</link><description>d</description>
<item><title>one</title><description><![CDATA[<p>mentions <item>markup</item> in CDATA</p>]]></description><dc:creator>hanako</dc:creator><pubDate>Thu, 15 Jan 2026 12:00:00 +0900</pubDate></item>
<item><title>two &amp; more</title><category>日記</category><pubDate>Wed, 14 Jan 2026 12:00:00 +0900</pubDate></item>
<item><title>three</title></item>
</channel></rss>`;

  it('keeps the document around the kept items intact, even with item markup inside CDATA', async () => {
    const index = indexFeed('rss', rss);
    expect(index.items.map((i) => i.title)).toEqual(['one', 'two & more', 'three']);
    const query = parseFeedQuery({ filter: 'markup' });
    const result = applyFeedQuery(index, query!, Date.UTC(2026, 0, 16));
    expect(result.items).toBe(1);
    const parsed = await parseFeedDocument(result.body, { defaultZone: 'Asia/Tokyo' });
    expect(parsed.title).toBe('t');
    expect(parsed.items.map((i) => i.title)).toEqual(['one']);
    expect(parsed.items[0]?.content).toContain('<item>markup</item>');
  });

  it('leaves a well-formed empty feed when nothing matches', async () => {
    const result = applyFeedQuery(indexFeed('rss', rss), parseFeedQuery({ filter: 'nothing-matches' })!, 0);
    const parsed = await parseFeedDocument(result.body, { defaultZone: 'Asia/Tokyo' });
    expect(parsed.items).toHaveLength(0);
    expect(parsed.title).toBe('t');
  });

  it('reads authors, categories and dates per field', () => {
    const index = indexFeed('rss', rss);
    const at = Date.UTC(2026, 0, 15, 4, 0, 0);
    expect(applyFeedQuery(index, parseFeedQuery({ filter_author: 'hanako' })!, at).items).toBe(1);
    expect(applyFeedQuery(index, parseFeedQuery({ filterout_category: '日記' })!, at).items).toBe(2);
    // Undated items stay, as in RSSHub.
    const recent = applyFeedQuery(index, parseFeedQuery({ filter_time: '86400' })!, at);
    expect(recent.items).toBe(2);
  });

  it('reads Atom entries, with the author inside <author> and xhtml content', () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>a</title>
<entry><title>first</title><author><name>jiro</name></author><category term="写真"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>hello <b>world</b></p></div></content><published>2026-01-15T12:00:00+09:00</published></entry>
<entry><title>second</title><summary>plain</summary></entry></feed>`;
    const index = indexFeed('atom', atom);
    expect(index.items.map((i) => [i.title, i.author, i.categories, i.description])).toEqual([
      ['first', 'jiro', ['写真'], 'hello world'],
      ['second', '', [], 'plain'],
    ]);
    expect(index.items[0]?.time).toBe(Date.UTC(2026, 0, 15, 3, 0, 0));
    expect(applyFeedQuery(index, parseFeedQuery({ filter: 'world' })!, 0).items).toBe(1);
  });

  it('ignores requests without feed parameters and builds one cache key for one query', () => {
    expect(parseFeedQuery({ page: '2' })).toBeUndefined();
    expect(parseFeedQuery({ filter_case_sensitive: 'false' })).toBeUndefined();
    expect(parseFeedQuery({ limit: '3', filter: 'a' })?.key).toBe(parseFeedQuery({ filter: 'a', limit: '3' })?.key);
    expect(parseFeedQuery({ filter: 'a' })?.key).not.toBe(parseFeedQuery({ filter: 'a', filter_case_sensitive: 'false' })?.key);
  });
});

describe('renderOpml', () => {
  it('lists the URL subscriptions of each recipe with titles and tags, escaped', async () => {
    const opml = renderOpml(
      [
        {
          name: 'lifestream',
          subscriptions: [
            { plugin: 'Source::Feed', url: 'https://blog.example.jp/feed?a=1&b=2', title: '日記 "本館" <3', tags: ['blog', 'ja'] },
            { plugin: 'Source::TwitterArchive', title: 'archive', tags: [] },
          ],
        },
      ],
      Date.UTC(2026, 0, 15),
    );
    expect(opml).toContain('xmlUrl="https://blog.example.jp/feed?a=1&amp;b=2"');
    expect(opml).toContain('title="日記 &quot;本館&quot; &lt;3"');
    expect(opml).toContain('category="/blog,/ja"');
    expect(opml).not.toContain('archive');
  });
});
