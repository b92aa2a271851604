import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/pipeline/run.js';
import type { RunReport } from '../../src/pipeline/report.js';
import { assertWellFormed } from '../helpers/xml.js';
import { scratch } from '../helpers/tmp.js';

// recipes/import-twitter-archive.yaml as a user runs it, on the bundled sample archive.
const work = scratch();
let report: RunReport;
const read = (name: string) => readFileSync(work.path(`out/${name}`), 'utf8');

interface JsonItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  date_published: string;
  authors?: Array<{ name: string }>;
  tags?: string[];
  attachments?: Array<{ url: string; mime_type: string }>;
}

beforeAll(async () => {
  report = await runRecipe('recipes/import-twitter-archive.yaml', { env: {}, stateDir: work.path('state'), outputDir: work.path('out') });
});
afterAll(() => work.cleanup());

describe('recipes/import-twitter-archive.yaml', () => {
  it('reads the sample archive without failures or warnings', () => {
    expect(report.failures).toEqual([]);
    expect(report.sources.map((source) => [source.plugin, source.ok, source.entries, source.warnings])).toEqual([
      ['Source::TwitterArchive', true, 7, []],
    ]);
    expect(report.outputs.map((output) => output.replace(/^.*\//, '')).sort()).toEqual(
      expect.arrayContaining(['twitter-archive.atom', 'twitter-archive.json', 'twitter-archive.rss']),
    );
  });

  it('publishes every tweet newest first, dated in JST, field by field', () => {
    const feed = JSON.parse(read('twitter-archive.json')) as { title: string; home_page_url: string; items: JsonItem[] };
    expect(feed.title).toBe('taro on X (archive)');
    expect(feed.home_page_url).toBe('https://x.com/taro');
    expect(feed.items.map((item) => [item.id, item.url, item.date_published, item.tags ?? []])).toEqual([
      ['twitter#1797192932520890437', 'https://x.com/taro/status/1797192932520890437', '2024-06-02T18:06:00+09:00', ['thread']],
      ['twitter#1797192680862650436', 'https://x.com/taro/status/1797192680862650436', '2024-06-02T18:05:00+09:00', []],
      ['twitter#1797059427824570435', 'https://x.com/taro/status/1797059427824570435', '2024-06-02T09:15:30+09:00', ['retweet']],
      ['twitter#1796889432683450434', 'https://x.com/taro/status/1796889432683450434', '2024-06-01T22:00:00+09:00', ['reply']],
      ['twitter#1796883124450234433', 'https://x.com/taro/status/1796883124450234433', '2024-06-01T21:34:56+09:00', []],
      ['twitter#1105066473157562439', 'https://x.com/taro/status/1105066473157562439', '2019-03-11T20:22:33+09:00', []],
      ['twitter#1104578642047930438', 'https://x.com/taro/status/1104578642047930438', '2019-03-10T12:04:05+09:00', []],
    ]);
    const rainy = feed.items[4]!;
    expect(rainy.title).toBe('梅雨入り & 傘 #梅雨 🎉taro.hatenablog.com/entry/2024/06…');
    expect(rainy.content_html).toMatch(
      /^<p>梅雨入り &amp; 傘 <a href="https:\/\/x\.com\/hashtag\/%E6%A2%85%E9%9B%A8"[^>]*>#梅雨<\/a> 🎉<a href="https:\/\/taro\.hatenablog\.com\/entry\/2024\/06\/01\/213000"[^>]*>taro\.hatenablog\.com\/entry\/2024\/06…<\/a><\/p>$/,
    );
    expect(rainy.authors).toEqual([{ name: 'taro' }]);
    const photo = feed.items[1]!;
    expect(photo.title).toBe('新しい傘を買った');
    expect(photo.attachments).toEqual([{ url: 'https://pbs.twimg.com/media/GPaBcDeFgH1.jpg', mime_type: 'image/jpeg' }]);
    expect(photo.content_html).toContain('<img src="https://pbs.twimg.com/media/GPaBcDeFgH1.jpg"');
  });

  it('writes RSS with +0900 dates, permalinks and the media as enclosures', () => {
    const rss = read('twitter-archive.rss');
    assertWellFormed(rss);
    assertWellFormed(read('twitter-archive.atom'));
    const items = rss.split('<item>').slice(1);
    expect(items).toHaveLength(7);
    expect(items[1]).toContain('<title>新しい傘を買った</title>');
    expect(items[1]).toContain('<link>https://x.com/taro/status/1797192680862650436</link>');
    expect(items[1]).toContain('<pubDate>Sun, 02 Jun 2024 18:05:00 +0900</pubDate>');
    expect(items[1]).toMatch(/<enclosure url="https:\/\/pbs\.twimg\.com\/media\/GPaBcDeFgH1\.jpg"[^>]*type="image\/jpeg"/);
    expect(items[2]).toContain('<title>RT @hanako: 今日の東京は雨でした。</title>');
    expect(items[2]).toContain('<category>retweet</category>');
  });

  it('adds nothing twice when the import is run again', async () => {
    const again = await runRecipe('recipes/import-twitter-archive.yaml', { env: {}, stateDir: work.path('state'), outputDir: work.path('out') });
    expect(again.failures).toEqual([]);
    const feed = JSON.parse(read('twitter-archive.json')) as { items: JsonItem[] };
    expect(feed.items).toHaveLength(7);
  });
});
