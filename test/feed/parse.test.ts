import { describe, expect, it } from 'vitest';
import { FeedParseError, feedToEntries, parseFeedDocument } from '../../src/feed/parse.js';

const rss = (items: string, channelExtra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><link>https://blog.example.jp/</link><description>d</description>${channelExtra}${items}</channel></rss>`;

const tokyo = { defaultZone: 'Asia/Tokyo', url: 'https://blog.example.jp/feed' };

describe('parseFeedDocument: RSS 2.0', () => {
  it('reads items with content:encoded, guid, categories and an enclosure', async () => {
    const feed = await parseFeedDocument(
      rss(`<item><title>一つ目</title><link>https://blog.example.jp/1</link><guid isPermaLink="false">post-1</guid>
        <pubDate>Fri, 30 May 2008 21:34:56 +0900</pubDate><category>日記</category><category>京都</category>
        <description>要約</description><content:encoded><![CDATA[<p>本文</p>]]></content:encoded>
        <enclosure url="/a.mp3" length="1234" type="audio/mpeg"/></item>`),
      tokyo,
    );
    expect(feed.format).toBe('rss2.0');
    expect(feed.warnings).toEqual([]);
    const [item] = feed.items;
    expect(item).toMatchObject({
      guid: 'post-1',
      title: '一つ目',
      link: 'https://blog.example.jp/1',
      content: '<p>本文</p>',
      summary: '要約',
      tags: ['日記', '京都'],
      enclosures: [{ url: 'https://blog.example.jp/a.mp3', type: 'audio/mpeg', length: 1234 }],
    });
    expect(item!.published).toMatchObject({ epochMs: Date.UTC(2008, 4, 30, 12, 34, 56), kind: 'zoned', offsetMinutes: 540 });
  });

  it('reads "JST" as +0900, where rss-parser and Date.parse give nothing or UTC', async () => {
    const feed = await parseFeedDocument(rss('<item><title>a</title><pubDate>Fri, 30 May 2008 21:34:56 JST</pubDate></item>'), tokyo);
    expect(feed.items[0]!.published?.epochMs).toBe(Date.UTC(2008, 4, 30, 12, 34, 56));
  });

  it('gives zone-less dates the source zone, never the machine zone', async () => {
    const feed = await parseFeedDocument(
      rss('<item><title>a</title><pubDate>2008-05-30 21:34</pubDate></item>'),
      { defaultZone: 'Asia/Tokyo' },
    );
    expect(feed.items[0]!.published).toMatchObject({ epochMs: Date.UTC(2008, 4, 30, 12, 34), kind: 'assumed', zone: 'Asia/Tokyo' });
  });

  it('keeps every item of a feed with a bare &, an &nbsp; and an unparsable date', async () => {
    const feed = await parseFeedDocument(
      rss(`<item><title>R&D&nbsp;ノート</title><link>https://blog.example.jp/rd</link><pubDate>Fri, 30 May 2008 21:34:56 +0900</pubDate></item>
           <item><title>壊れた日付</title><link>https://blog.example.jp/x</link><pubDate>someday soon</pubDate></item>
           <item><title>三つ目</title><link>https://blog.example.jp/3</link></item>`),
      tokyo,
    );
    expect(feed.items.map((i) => i.title)).toEqual(['R&D ノート', '壊れた日付', '三つ目']);
    expect(feed.items[0]!.published?.epochMs).toBe(Date.UTC(2008, 4, 30, 12, 34, 56));
    expect(feed.items[1]!.published).toBeUndefined();
    expect(feed.warnings.join('\n')).toMatch(/item 2: unreadable date "someday soon"/);
  });

  it('unescapes a double-escaped title once more, and only then', async () => {
    const feed = await parseFeedDocument(rss('<item><title>&amp;#12354; &amp;amp; &lt;b&gt;</title></item>'), tokyo);
    expect(feed.items[0]!.title).toBe('あ &');
  });
});

describe('parseFeedDocument: RSS 1.0 / RDF', () => {
  it('reads dc:date, dc:subject and content:encoded, keeping date-only items at day precision', async () => {
    const feed = await parseFeedDocument(
      `<?xml version="1.0"?><rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
      <channel rdf:about="http://d.hatena.ne.jp/taro/"><title>日記</title><link>http://d.hatena.ne.jp/taro/</link><description>d</description></channel>
      <item rdf:about="http://d.hatena.ne.jp/taro/20080530/1"><title>a</title><link>http://d.hatena.ne.jp/taro/20080530/1</link><dc:date>2008-05-30T21:34:56+09:00</dc:date><dc:subject>x</dc:subject><dc:subject>y</dc:subject><content:encoded><![CDATA[<p>b</p>]]></content:encoded></item>
      <item rdf:about="http://d.hatena.ne.jp/taro/20080529"><title>c</title><link>http://d.hatena.ne.jp/taro/20080529</link><dc:date>2008-05-29</dc:date></item>
      </rdf:RDF>`,
      { defaultZone: 'Asia/Tokyo' },
    );
    expect(feed.format).toBe('rss1.0');
    expect(feed.items[0]).toMatchObject({ title: 'a', tags: ['x', 'y'], content: '<p>b</p>', guid: 'http://d.hatena.ne.jp/taro/20080530/1' });
    expect(feed.items[0]!.raw['dc:subject']).toEqual(['x', 'y']);
    expect(feed.items[1]!.published).toMatchObject({ kind: 'date', precision: 'day', epochMs: Date.UTC(2008, 4, 28, 15) });
  });
});

describe('parseFeedDocument: Atom', () => {
  it('resolves relative links against xml:base on the feed and the entry', async () => {
    const feed = await parseFeedDocument(
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://photos.example.jp/taro/"><title>p</title><id>x</id><updated>2008-05-30T12:00:00Z</updated>
        <entry xml:base="album/"><id>e1</id><title type="html">夕焼け &amp;amp; 橋</title><link rel="alternate" href="42"/><link rel="enclosure" href="img/42.jpg" type="image/jpeg" length="10"/>
        <published>2008-05-30T10:00:00Z</published><updated>2008-05-30T12:00:00Z</updated><content type="html">&lt;p&gt;x&lt;/p&gt;</content><summary>s &lt; t</summary><author><name>taro</name></author><category term="photo"/></entry>
        <entry><id>e2</id><title>t2</title><link href="/top"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x<b>y</b></p></div></content></entry></feed>`,
      { defaultZone: 'Asia/Tokyo', url: 'https://feeds.example.jp/photos.atom' },
    );
    expect(feed.format).toBe('atom1.0');
    expect(feed.items[0]).toMatchObject({
      guid: 'e1',
      title: '夕焼け & 橋',
      link: 'https://photos.example.jp/taro/album/42',
      content: '<p>x</p>',
      summary: 's &lt; t',
      author: 'taro',
      tags: ['photo'],
      enclosures: [{ url: 'https://photos.example.jp/taro/album/img/42.jpg', type: 'image/jpeg', length: 10 }],
    });
    expect(feed.items[0]!.published?.epochMs).toBe(Date.UTC(2008, 4, 30, 10));
    expect(feed.items[0]!.updated?.epochMs).toBe(Date.UTC(2008, 4, 30, 12));
    expect(feed.items[1]!.link).toBe('https://photos.example.jp/top');
    expect(feed.items[1]!.content).toContain('<b>y</b>');
  });

  it('reads a JST date in an Atom entry, which rss-parser rejects the whole feed for', async () => {
    const feed = await parseFeedDocument(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>p</title><id>x</id><entry><id>e1</id><title>t</title><link href="https://a.example/1"/><published>Fri, 30 May 2008 21:34:56 JST</published></entry></feed>`,
      { defaultZone: 'UTC' },
    );
    expect(feed.items[0]!.published?.epochMs).toBe(Date.UTC(2008, 4, 30, 12, 34, 56));
  });
});

describe('parseFeedDocument: JSON Feed and bad input', () => {
  it('reads JSON Feed 1.1 items', async () => {
    const feed = await parseFeedDocument(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'j',
        items: [
          { id: 1, url: 'https://a.example/1', title: 't', content_text: 'a < b', date_published: '2008-05-30T21:34:56+09:00', tags: ['x'], authors: [{ name: 'hanako' }] },
        ],
      }),
      { defaultZone: 'Asia/Tokyo' },
    );
    expect(feed.items[0]).toMatchObject({ guid: '1', title: 't', content: 'a &lt; b', author: 'hanako', tags: ['x'] });
    expect(feed.items[0]!.published?.epochMs).toBe(Date.UTC(2008, 4, 30, 12, 34, 56));
  });

  it('names an HTML page served where a feed was expected', async () => {
    await expect(
      parseFeedDocument('<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body></body></html>', tokyo),
    ).rejects.toThrow(new FeedParseError('https://blog.example.jp/feed: an HTML page was served where a feed was expected (title: "503 Service Unavailable")'));
  });

  it('rejects JSON that is not a JSON Feed', async () => {
    await expect(parseFeedDocument('{"errors":[{"message":"Not found"}]}', tokyo)).rejects.toThrow(/JSON without a JSON Feed/);
  });
});

describe('feedToEntries', () => {
  it('gives stable ids from the guid, else the link, else the content', async () => {
    const feed = await parseFeedDocument(
      rss('<item><guid>g1</guid><title>a</title></item><item><title>b</title><link>https://blog.example.jp/b#frag</link></item><item><title>c</title><description>body</description></item>'),
      tokyo,
    );
    const source = { plugin: 'Source::Feed', feedId: 'f' };
    const first = feedToEntries(feed, source, 'feed:f').map((e) => e.id);
    const again = feedToEntries(await parseFeedDocument(rss('<item><guid>g1</guid><title>a changed</title></item><item><title>b</title><link>https://blog.example.jp/b</link></item><item><title>c</title><description>body</description></item>'), tokyo), source, 'feed:f').map((e) => e.id);
    expect(first[0]).toBe('feed:f#g1');
    expect(first[1]).toBe('feed:f#https://blog.example.jp/b');
    expect(first[2]).toMatch(/^feed:f#sha256:[0-9a-f]{24}$/);
    expect(again).toEqual(first);
  });
});

describe('parseFeedDocument: a download cut short', () => {
  it('keeps the complete items, drops the fragment, and says where the document stops', async () => {
    const whole = rss('<item><guid>1</guid><title>一つ目</title></item><item><guid>2</guid><title>R&amp;D メモ</title><description>本文</description></item>');
    const cut = whole.slice(0, whole.indexOf('R&amp;D') + 6);
    const feed = await parseFeedDocument(cut, tokyo);
    expect(feed.items.map((i) => i.title)).toEqual(['一つ目']);
    expect(feed.truncated).toBe(true);
    expect(feed.warnings).toEqual([
      `the document ends at line 1, column ${cut.length + 1} without its closing </rss> (a download cut short?); kept 1 complete item(s), dropped 1 incomplete`,
    ]);
    const complete = await parseFeedDocument(whole, tokyo);
    expect(complete.warnings).toEqual([]);
    expect(complete.items).toHaveLength(2);
  });
});
