import RssParser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { parseFeedDocument } from '../../src/feed/parse.js';
import { renderAtom, renderJsonFeed, renderRss } from '../../src/feed/render.js';
import { makeEntry, makeFeed } from '../../src/pipeline/model.js';
import { parseDate } from '../../src/text/dates.js';
import { assertWellFormed } from '../helpers/xml.js';

const source = { plugin: 'Source::Feed', feedId: 'f', service: 'blog' };
const feed = makeFeed({
  id: 'lifestream',
  title: 'たろう & 花子の lifestream',
  link: 'https://taro.example.jp/',
  entries: [
    makeEntry({
      id: 'feed:f#1',
      title: 'Tom & Jerry <3 〜 ①',
      link: 'https://taro.example.jp/1?a=1&b=2',
      content: '<p>本文 ]]> のあとも続く\u0001</p>',
      author: 'taro',
      tags: ['日記'],
      published: parseDate('2008-05-30T12:34:56Z')!,
      enclosures: [{ url: 'https://taro.example.jp/a.jpg', type: 'image/jpeg', length: 10 }],
      source,
    }),
    makeEntry({ id: 'feed:f#2', title: 'day only', published: parseDate('2008-05-29', { defaultZone: 'Asia/Tokyo' })!, source }),
  ],
});
const options = { timezone: 'Asia/Tokyo', now: Date.UTC(2008, 5, 1), selfUrl: 'https://taro.example.jp/feeds/lifestream.rss' };

describe('renderRss', () => {
  const xml = renderRss(feed, options);

  it('is well-formed and re-parses with rss-parser', async () => {
    assertWellFormed(xml);
    const parsed = await new RssParser().parseString(xml);
    expect(parsed.title).toBe('たろう & 花子の lifestream');
    expect(parsed.items.map((i) => i.title)).toEqual(['Tom & Jerry <3 〜 ①', 'day only']);
    expect(parsed.items[0]!.link).toBe('https://taro.example.jp/1?a=1&b=2');
    expect(parsed.items[0]!['content:encoded']).toBe('<p>本文 ]]> のあとも続く</p>');
  });

  it('dates in the recipe zone with a numeric offset, never "JST"', () => {
    expect(xml).toContain('<pubDate>Fri, 30 May 2008 21:34:56 +0900</pubDate>');
    expect(xml).toContain('<pubDate>Thu, 29 May 2008 00:00:00 +0900</pubDate>');
    expect(xml).not.toMatch(/JST|GMT/);
  });

  it('uses our stable id as a non-permalink guid', () => {
    expect(xml).toContain('<guid isPermaLink="false">feed:f#1</guid>');
  });
});

describe('renderAtom', () => {
  const xml = renderAtom(feed, options);
  it('is well-formed, re-parses, and dates with +09:00', async () => {
    assertWellFormed(xml);
    const parsed = await parseFeedDocument(xml, { defaultZone: 'UTC' });
    expect(parsed.items.map((i) => i.title)).toEqual(['Tom & Jerry <3 〜 ①', 'day only']);
    expect(parsed.items[0]!.published?.epochMs).toBe(Date.UTC(2008, 4, 30, 12, 34, 56));
    expect(xml).toContain('<published>2008-05-30T21:34:56+09:00</published>');
    expect(xml).toContain('<link rel="enclosure" href="https://taro.example.jp/a.jpg" type="image/jpeg" length="10"/>');
  });
});

describe('renderJsonFeed', () => {
  it('is JSON Feed 1.1 with +09:00 dates', async () => {
    const json = renderJsonFeed(feed, options);
    const document = JSON.parse(json) as { version: string; items: Array<Record<string, unknown>> };
    expect(document.version).toBe('https://jsonfeed.org/version/1.1');
    expect(document.items[0]).toMatchObject({ id: 'feed:f#1', date_published: '2008-05-30T21:34:56+09:00', tags: ['日記'], authors: [{ name: 'taro' }] });
    const parsed = await parseFeedDocument(json, { defaultZone: 'UTC' });
    expect(parsed.items[1]!.title).toBe('day only');
  });
});
