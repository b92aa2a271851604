import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/pipeline/run.js';
import type { RunReport } from '../../src/pipeline/report.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { scratch } from '../helpers/tmp.js';

interface JsonItem {
  id: string;
  url?: string;
  title: string;
  content_html?: string;
  date_published?: string;
  authors?: Array<{ name: string }>;
  attachments?: Array<{ url: string; mime_type?: string; size_in_bytes?: number }>;
  _kakehashi: { source: Record<string, unknown> };
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { title: string; home_page_url?: string; items: JsonItem[] };
const FIXTURES = join(import.meta.dirname, '../fixtures/friendfeed');

describe('recipes/friendfeed.yaml against a local v2 API', () => {
  const work = scratch();
  let server: TestServer;
  let report: RunReport;

  beforeAll(async () => {
    server = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/v2/feed/taro') {
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{"errorCode": "feed-not-found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(readFileSync(join(FIXTURES, url.searchParams.get('start') === '0' ? 'v2/taro-start0.json' : 'v2/taro-start3.json')));
    });
    report = await runRecipe('recipes/friendfeed.yaml', {
      env: { FRIENDFEED_USER: 'taro', FRIENDFEED_API_URL: `${server.url}/`, FRIENDFEED_DELAY: '0' },
      stateDir: work.path('state'),
      outputDir: work.path('out'),
    });
  });
  afterAll(async () => {
    await server.close();
    work.cleanup();
  });

  it('reads one page of 100 (the feed has fewer) without a failure', () => {
    expect(report.sources.map((s) => [s.plugin, s.ok, s.entries, s.warnings])).toEqual([['Source::FriendFeed', true, 3, []]]);
    expect(server.requests.map((r) => r.url)).toEqual(['/v2/feed/taro?start=0&num=100&maxcomments=&maxlikes=']);
  });

  it('publishes the entries with JST dates, comments rendered, mirrored entries linking to the original', () => {
    const json = readJson(work.path('out/friendfeed.json'));
    expect(json.title).toBe('taro on FriendFeed');
    expect(json.items.map((i) => [i.id, i.url, i.date_published])).toEqual([
      ['friendfeed#e/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796', 'http://friendfeed.com/taro/5c1f0e2a/ajisai-ga-saita', '2009-06-01T12:04:05+09:00'],
      ['friendfeed#e/0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'http://d.hatena.ne.jp/taro/20080530/1212150896', '2008-05-30T21:35:10+09:00'],
      ['friendfeed#e/0f9e8d7c6b5a49382716f5e4d3c2b1a0', 'http://twitter.com/taro/statuses/824500123', '2008-05-30T21:34:56+09:00'],
    ]);
    const ajisai = json.items[0]!;
    expect(ajisai.title).toBe('紫陽花が咲いた & 雨もやんだ');
    expect(ajisai.authors).toEqual([{ name: 'Taro Yamada' }]);
    expect(ajisai.content_html).toBe(
      '紫陽花が咲いた &amp; 雨もやんだ\n' +
        '<p><a href="http://m.friendfeed-media.com/f0e1d2c3b4a5968778695a4b3c2d1e0f98765432" rel="nofollow noopener noreferrer">' +
        '<img src="http://m.friendfeed-media.com/7a1b2c3d4e5f60718293a4b5c6d7e8f901234567" alt="" width="175" height="131" /></a></p>\n' +
        '<p>♥ Hanako, Jiro</p>\n' +
        '<ul><li><b>Hanako</b>: きれい！ <a href="http://hanako.example.jp/" rel="nofollow noopener noreferrer">うちのも</a></li>' +
        '<li><b>Taro Yamada</b>: ありがとう</li></ul>',
    );
    expect(ajisai.attachments).toEqual([
      { url: 'http://m.friendfeed-media.com/def4567890abcdef4567890abcdef4567890abcd', mime_type: 'image/jpeg', size_in_bytes: 48213 },
    ]);
    expect(ajisai._kakehashi.source).toMatchObject({ plugin: 'Source::FriendFeed', feedId: 'friendfeed:taro', account: 'taro', service: 'friendfeed' });
    expect(readFileSync(work.path('out/friendfeed.rss'), 'utf8')).toContain('<pubDate>Fri, 30 May 2008 21:34:56 +0900</pubDate>');
  });
});

describe('recipes/friendfeed-archive.yaml on the Clio sample in examples/', () => {
  const work = scratch();
  let report: RunReport;
  beforeAll(async () => {
    report = await runRecipe('recipes/friendfeed-archive.yaml', { stateDir: work.path('state'), outputDir: work.path('out') });
  });
  afterAll(() => work.cleanup());

  it('imports every entry of the archive', () => {
    expect(report.sources.map((s) => [s.plugin, s.target, s.ok, s.entries, s.warnings])).toEqual([
      ['Source::FriendFeed', '../examples/friendfeed/clio', true, 3, []],
    ]);
    const json = readJson(work.path('out/friendfeed-archive.json'));
    expect(json.items.map((i) => [i.id, i.date_published])).toEqual([
      ['friendfeed#e/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796', '2009-06-01T12:04:05+09:00'],
      ['friendfeed#e/0a1b2c3d4e5f60718293a4b5c6d7e8f9', '2008-05-30T21:35:10+09:00'],
      ['friendfeed#e/0f9e8d7c6b5a49382716f5e4d3c2b1a0', '2008-05-30T21:34:56+09:00'],
    ]);
    expect(json.items[1]!.content_html).toContain('<li><b>Hanako</b>: お大事に</li>');
  });
});
