import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import RssParser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecipe } from '../../../src/pipeline/run.js';
import type { RunReport } from '../../../src/pipeline/report.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { scratch } from '../../helpers/tmp.js';
import { assertWellFormed } from '../../helpers/xml.js';
import { FIXTURES } from './run-source.js';

interface JsonItem {
  id: string;
  url?: string;
  title: string;
  content_html?: string;
  summary?: string;
  date_published?: string;
  tags?: string[];
  authors?: Array<{ name: string }>;
  attachments?: Array<{ url: string; mime_type?: string }>;
}

const readJson = (path: string): { title: string; items: JsonItem[] } => JSON.parse(readFileSync(path, 'utf8')) as { title: string; items: JsonItem[] };

describe('recipes/hatena.yaml against a local Hatena', () => {
  const work = scratch();
  let server: TestServer;
  let report: RunReport;

  beforeAll(async () => {
    // One local server plays both hosts: the blog at its root, Hatena Bookmark under /taro/.
    const routes: Record<string, { file: string; type: string }> = {
      '/feed': { file: 'blog-feed.atom', type: 'application/atom+xml; charset=utf-8' },
      '/feed?page=1767600000': { file: 'blog-feed-page2.atom', type: 'application/atom+xml; charset=utf-8' },
      '/taro/rss': { file: 'bookmark-rss.rdf', type: 'application/rss+xml; charset=utf-8' },
      '/taro/rss?of=20': { file: 'bookmark-rss-of20.rdf', type: 'application/rss+xml; charset=utf-8' },
    };
    let base = '';
    server = await startServer((req, res) => {
      const route = routes[req.url ?? '/'];
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      const body = readFileSync(join(FIXTURES, route.file), 'utf8').replaceAll('rel="next" href="https://taro.hatenablog.com/', `rel="next" href="${base}/`);
      res.writeHead(200, { 'content-type': route.type });
      res.end(body);
    });
    base = server.url;
    report = await runRecipe('recipes/hatena.yaml', {
      env: { HATENA_USER: 'taro', HATENA_BLOG_URL: server.url, HATENA_BOOKMARK_URL: server.url },
      stateDir: work.path('state'),
      outputDir: work.path('out'),
    });
  });
  afterAll(async () => {
    await server.close();
    work.cleanup();
  });

  it('reads both sources, two pages each, without a failure', () => {
    // Targets are not compared: the report redacts values a recipe took from the environment.
    const outcomes = report.sources.map((s) => [s.plugin, s.ok, s.entries, s.warnings]);
    expect(outcomes.sort()).toEqual([
      ['Source::HatenaBlog', true, 3, []],
      ['Source::HatenaBookmark', true, 23, []],
    ]);
    expect(report.failures).toEqual([]);
    expect([...server.requests.map((r) => r.url)].sort()).toEqual(['/feed', '/feed?page=1767600000', '/taro/rss', '/taro/rss?of=20']);
  });

  it('publishes one feed, newest first, with JST dates and every field', async () => {
    const out = work.path('out/hatena.json');
    const json = readJson(out);
    expect(json.title).toBe('Hatena lifestream');
    expect(json.items).toHaveLength(26);
    const dates = json.items.map((i) => i.date_published!);
    expect(dates.every((d) => d.endsWith('+09:00'))).toBe(true);
    expect([...dates].sort().reverse()).toEqual(dates);

    const blogEntry = json.items.find((i) => i.id === 'hatenablog://entry/6802418398300000001')!;
    expect(blogEntry).toMatchObject({
      url: 'https://taro.hatenablog.com/entry/2026/01/05/213412',
      title: '初詣に行った',
      date_published: '2026-01-05T21:34:12+09:00',
      tags: ['日記'],
      authors: [{ name: 'taro' }],
      attachments: [{ url: 'https://cdn-ak.f.st-hatena.com/images/fotolife/t/taro/20260105/20260105213000.jpg', mime_type: 'image/jpeg' }],
    });
    // The EUC-JP keyword link went through the publisher's sanitizer untouched.
    expect(blogEntry.content_html).toMatch(/<a [^>]*href="http:\/\/d\.hatena\.ne\.jp\/keyword\/%BF%C0%BC%D2"[^>]*>神社<\/a>は混んでいた。/);

    const bookmarkEntry = json.items.find((i) => i.url === 'https://dev.example.org/ts6?utm_source=hatena&ref=b')!;
    expect(bookmarkEntry).toMatchObject({
      id: 'hatena-bookmark#taro:https://dev.example.org/ts6?utm_source=hatena&ref=b',
      title: 'TypeScript 6.0 の変更点 & 移行ガイド',
      summary: '移行は来月',
      date_published: '2026-01-05T23:59:59+09:00',
      tags: ['typescript', 'programming', 'あとで読む', 'TypeScript'],
    });

    const rssText = readFileSync(work.path('out/hatena.rss'), 'utf8');
    assertWellFormed(rssText);
    assertWellFormed(readFileSync(work.path('out/hatena.atom'), 'utf8'));
    const rss = await new RssParser({ customFields: { item: ['pubDate'] } }).parseString(rssText);
    expect(rss.items.slice(0, 3).map((i) => [i.title, i.pubDate, i.guid])).toEqual([
      ['静的サイトの作り方', 'Sun, 11 Jan 2026 08:20:00 +0900', 'hatena-bookmark#taro:https://example.jp/post/42'],
      ['記事その19', 'Sat, 10 Jan 2026 17:13:00 +0900', 'hatena-bookmark#taro:https://news.example.com/articles/1019'],
      ['記事その18', 'Sat, 10 Jan 2026 14:06:00 +0900', 'hatena-bookmark#taro:https://news.example.com/articles/1018'],
    ]);
    expect(rssText).toContain('<guid isPermaLink="false">hatenablog://entry/6802418398300000002</guid>');
  });
});

describe('recipes/import-hatena.yaml on the sample exports', () => {
  const work = scratch();
  let report: RunReport;

  beforeAll(async () => {
    report = await runRecipe('recipes/import-hatena.yaml', { env: {}, stateDir: work.path('state'), outputDir: work.path('out') });
  });
  afterAll(() => work.cleanup());

  it('reads the three exports', () => {
    const outcomes = report.sources.map((s) => [s.plugin, s.target, s.ok, s.entries, s.warnings]);
    expect(outcomes.sort()).toEqual([
      ['Source::HatenaBlog', '../examples/hatena/taro-blog.export.txt', true, 2, []],
      ['Source::HatenaBookmark', '../examples/hatena/taro-bookmarks.dump.htm', true, 2, []],
      ['Source::HatenaDiary', '../examples/hatena/taro-diary.xml', true, 2, []],
    ]);
  });

  it('publishes the diary rendered from notation, the blog without its draft, and the bookmarks', () => {
    const json = readJson(work.path('out/hatena-archive.json'));
    expect(json.items.map((i) => [i.title, i.date_published, i.url])).toEqual([
      ['静的サイトの作り方', '2026-01-06T08:15:00+09:00', 'https://example.jp/post/42'],
      ['初詣に行った', '2026-01-05T21:34:12+09:00', 'https://taro.hatenablog.com/entry/2026/01/05/213412'],
      ['映画を観た', '2026-01-02T21:05:00+09:00', 'https://taro.hatenablog.com/entry/2026/01/02/210500'],
      ['シェルの話', '2008-05-31T16:30:00+09:00', 'https://taro.hatenadiary.jp/entry/20080531/1212219000'],
      ['はてなダイアリーのキーワード', '2008-05-30T21:40:00+09:00', 'http://d.hatena.ne.jp/keyword/%a4%cf%a4%c6%a4%ca'],
      ['梅雨入り', '2008-05-30T21:34:56+09:00', 'https://taro.hatenadiary.jp/entry/20080530/1212150896'],
    ]);
    const shell = json.items.find((i) => i.title === 'シェルの話')!;
    // The crontab line starting with "*/5" stayed inside its code block.
    expect(shell.content_html).toMatch(/^<pre[^>]*>\*\/5 \* \* \* \* \/usr\/local\/bin\/backup\.sh<\/pre>\s*<p>毎五分動く。<\/p>$/);
    expect(shell.tags).toEqual(['技術']);
    const bookmark = json.items[0]!;
    expect(bookmark).toMatchObject({ id: 'hatena-bookmark#taro:https://example.jp/post/42', summary: 'あとで読む', tags: ['web'] });
  });
});

describe('Subscription::Config routes Hatena URLs to the Hatena sources', () => {
  const work = scratch();
  let server: TestServer;
  let report: RunReport;

  beforeAll(async () => {
    server = await startServer((req, res) => {
      const file = { '/feed': 'blog-feed.atom', '/taro/rss': 'bookmark-rss.rdf' }[req.url ?? ''];
      res.writeHead(file ? 200 : 404, { 'content-type': 'application/xml; charset=utf-8' });
      res.end(file ? readFileSync(join(FIXTURES, file)) : 'not found');
    });
    // The listed URLs are Hatena's own (they decide the plugin); each entry's config sends the
    // request to the local server instead.
    const recipe = work.write(
      'subscriptions.yaml',
      `global:
  timezone: Asia/Tokyo
plugins:
  - module: Subscription::Config
    config:
      feed:
        - url: https://taro.hatenablog.com/feed
          config: { url: "${server.url}/feed" }
        - url: https://b.hatena.ne.jp/taro/rss
          config: { url: "${server.url}/taro/rss" }
  - module: Publish::Feed
    config: { name: routed, formats: [json] }
`,
    );
    report = await runRecipe(recipe, { env: {}, stateDir: work.path('state'), outputDir: work.path('out') });
  });
  afterAll(async () => {
    await server.close();
    work.cleanup();
  });

  it('fetches each with the plugin that claims it', () => {
    const outcomes = report.sources.map((s) => [s.plugin, s.ok, s.entries]);
    expect(outcomes.sort()).toEqual([
      ['Source::HatenaBlog', true, 2],
      ['Source::HatenaBookmark', true, 20],
    ]);
    const json = readJson(work.path('out/routed.json'));
    expect(json.items.filter((i) => i.id.startsWith('hatenablog://entry/')).map((i) => i.title)).toEqual(['書き初め & 抱負', '初詣に行った']);
    expect(json.items.filter((i) => i.id.startsWith('hatena-bookmark#taro:'))).toHaveLength(20);
  });
});
