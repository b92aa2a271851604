import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import blog from '../../../src/plugins/source/hatena-blog.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { FIXTURES, runSource, warningsOf } from './run-source.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ATOM = 'application/atom+xml; charset=utf-8';

/**
 * Plays taro.hatenablog.com. Hatena writes absolute `rel="next"` links to its own host; the
 * local server answers for that host, so the link is pointed at it.
 */
async function startBlog(routes: Record<string, { file: string; type: string }>): Promise<TestServer> {
  let base = '';
  const started = await startServer((req, res) => {
    const route = routes[req.url ?? '/'];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>404 Not Found</title></head><body></body></html>');
      return;
    }
    const body = readFileSync(join(FIXTURES, route.file), 'utf8').replaceAll(
      'rel="next" href="https://taro.hatenablog.com/',
      `rel="next" href="${base}/`,
    );
    res.writeHead(200, { 'content-type': route.type });
    res.end(body);
  });
  base = started.url;
  return started;
}

describe('Source::HatenaBlog: the Atom feed', () => {
  it('follows rel="next" up to `pages`, keeps hatenablog:// ids and drops the overlap', async () => {
    server = await startBlog({
      '/feed': { file: 'blog-feed.atom', type: ATOM },
      '/feed?page=1767600000': { file: 'blog-feed-page2.atom', type: ATOM },
    });
    const feed = await runSource(blog, { user: 'taro', blog_url: server.url, pages: 3 });
    expect(server.requests.map((r) => r.url)).toEqual(['/feed', '/feed?page=1767600000']);
    expect(feed).toMatchObject({ id: `${server.url}/feed`, type: 'hatena-blog', title: '太郎のブログ', link: 'https://taro.hatenablog.com/', author: 'taro' });
    expect(feed.entries.map((e) => e.id)).toEqual([
      'hatenablog://entry/6802418398300000002',
      'hatenablog://entry/6802418398300000001',
      'hatenablog://entry/6802418398299999999',
    ]);
    const [resolution, shrine, eve] = feed.entries;
    expect(resolution).toMatchObject({
      guid: 'hatenablog://entry/6802418398300000002',
      // Hatena escapes "&" twice in titles.
      title: '書き初め & 抱負',
      link: 'https://taro.hatenablog.com/entry/2026/01/06/083000',
      tags: ['日記', '抱負'],
      author: 'taro',
      summary: '今年の抱負は「毎日書く」。',
      enclosures: [],
      source: { plugin: 'Source::HatenaBlog', service: 'hatena', account: 'taro', feedTitle: '太郎のブログ' },
      meta: { hatenaBlog: { entryUri: 'hatenablog://entry/6802418398300000002', basename: '2026/01/06/083000' } },
    });
    expect(resolution!.published).toEqual({ epochMs: Date.UTC(2026, 0, 5, 23, 30), kind: 'zoned', precision: 'second', offsetMinutes: 540 });
    expect(resolution!.updated).toEqual({ epochMs: Date.UTC(2026, 0, 5, 23, 45, 10), kind: 'zoned', precision: 'second', offsetMinutes: 540 });
    expect(resolution!.content).toContain('<div class="footnote">');
    expect(shrine).toMatchObject({
      title: '初詣に行った',
      // The first page's copy wins over the overlap on page 2.
      content: '<p><a class="keyword" href="http://d.hatena.ne.jp/keyword/%BF%C0%BC%D2">神社</a>は混んでいた。</p>',
      enclosures: [{ url: 'https://cdn-ak.f.st-hatena.com/images/fotolife/t/taro/20260105/20260105213000.jpg', type: 'image/jpeg' }],
      meta: { hatenaBlog: { image: 'https://cdn-ak.f.st-hatena.com/images/fotolife/t/taro/20260105/20260105213000.jpg' } },
    });
    expect(eve).toMatchObject({ title: '大晦日', link: 'https://taro.hatenablog.com/entry/20251231/1767186000', tags: [] });
    expect(eve!.published?.epochMs).toBe(Date.UTC(2025, 11, 31, 13));
    expect(feed.meta.pages).toEqual([`${server.url}/feed`, `${server.url}/feed?page=1767600000`]);
    expect(warningsOf(feed)).toEqual([]);
  });

  it('reads only the first page by default', async () => {
    server = await startBlog({ '/feed': { file: 'blog-feed.atom', type: ATOM } });
    const feed = await runSource(blog, { user: 'taro', blog_url: server.url });
    expect(server.requests.map((r) => r.url)).toEqual(['/feed']);
    expect(feed.entries).toHaveLength(2);
  });

  it('keeps the first page when a later page is an HTML error page', async () => {
    server = await startBlog({
      '/feed': { file: 'blog-feed.atom', type: ATOM },
      '/feed?page=1767600000': { file: 'maintenance.html', type: 'text/html; charset=utf-8' },
    });
    const feed = await runSource(blog, { user: 'taro', blog_url: server.url, pages: 2 });
    expect(feed.entries.map((e) => e.title)).toEqual(['書き初め & 抱負', '初詣に行った']);
    expect(warningsOf(feed)).toEqual([
      `${server.url}/feed?page=1767600000: an HTML page was served where a feed was expected (title: "ただいまメンテナンス中です - はてな"); ` +
        'paging stopped, keeping the 2 item(s) of the first 1 page(s)',
    ]);
  });

  it('keeps the complete entries of a truncated download and says where it was cut', async () => {
    server = await startBlog({ '/feed': { file: 'blog-feed-truncated.atom', type: ATOM } });
    const feed = await runSource(blog, { user: 'taro', blog_url: server.url });
    expect(feed.entries.map((e) => [e.id, e.title])).toEqual([['hatenablog://entry/6802418398300000002', '書き初め & 抱負']]);
    const warnings = warningsOf(feed);
    expect(warnings.at(-1)).toBe(
      `${server.url}/feed: the document ends at line 33, column 25 without its closing </feed> (a download cut short?); kept 1 complete item(s), dropped 1 incomplete`,
    );
  });
});

describe('Source::HatenaBlog: the RSS feed', () => {
  it('gives the same entries the same ids as the Atom feed', async () => {
    server = await startBlog({
      '/feed': { file: 'blog-feed.atom', type: ATOM },
      '/rss': { file: 'blog-rss.xml', type: 'application/rss+xml; charset=utf-8' },
    });
    const atom = await runSource(blog, { user: 'taro', blog_url: server.url });
    const rss = await runSource(blog, { user: 'taro', blog_url: server.url, format: 'rss' });
    expect(rss.entries.map((e) => e.id)).toEqual(atom.entries.map((e) => e.id));
    const [resolution, shrine] = rss.entries;
    expect(resolution).toMatchObject({
      title: '書き初め & 抱負',
      link: 'https://taro.hatenablog.com/entry/2026/01/06/083000',
      content: '<p>今年の抱負は「毎日書く」。</p>',
      tags: ['日記', '抱負'],
      author: 'taro',
    });
    expect(resolution!.published).toEqual({ epochMs: Date.UTC(2026, 0, 5, 23, 30), kind: 'zoned', precision: 'second', offsetMinutes: 540 });
    // The eye-catch enclosure says length="0": no length rather than a zero one.
    expect(shrine!.enclosures).toEqual([{ url: 'https://cdn-ak.f.st-hatena.com/images/fotolife/t/taro/20260105/20260105213000.jpg', type: 'image/jpeg' }]);
    expect(rss.meta.format).toBe('rss2.0');
  });
});

describe('Source::HatenaBlog: the Movable Type export', () => {
  const file = join(FIXTURES, 'blog-export.mt.txt');

  it('reads entries with JST dates, categories, the eye-catch image and comments; skips drafts', async () => {
    const feed = await runSource(blog, { user: 'taro', file: 'blog-export.mt.txt' });
    expect(feed).toMatchObject({ id: `file:${file}`, type: 'hatena-blog', link: 'https://taro.hatenablog.com', meta: { draftsSkipped: 1 } });
    expect(feed.entries.map((e) => e.title)).toEqual(['初詣に行った', 'Tom & Jerry を観た']);
    const [shrine, movie] = feed.entries;
    expect(shrine).toMatchObject({
      id: 'hatena-blog#https://taro.hatenablog.com/entry/2026/01/05/213412',
      link: 'https://taro.hatenablog.com/entry/2026/01/05/213412',
      content: '<p>神社は混んでいた。</p>\n<p>おみくじは<strong>大吉</strong>。</p>',
      tags: ['日記', '正月'],
      author: 'taro',
      enclosures: [{ url: 'https://cdn-ak.f.st-hatena.com/images/fotolife/t/taro/20260105/20260105213000.jpg', type: 'image/jpeg' }],
      source: { plugin: 'Source::HatenaBlog', service: 'hatena', account: 'taro' },
    });
    // Naive wall time in the export is Japan time, whatever the machine's zone.
    expect(shrine!.published).toEqual({ epochMs: Date.UTC(2026, 0, 5, 12, 34, 12), kind: 'assumed', precision: 'second', zone: 'Asia/Tokyo' });
    expect(shrine!.meta.hatenaBlog).toEqual({
      status: 'Publish',
      basename: '2026/01/05/213412',
      image: 'https://cdn-ak.f.st-hatena.com/images/fotolife/t/taro/20260105/20260105213000.jpg',
      comments: [
        {
          author: 'hanako',
          url: 'https://hanako.hatenablog.com/',
          published: { epochMs: Date.UTC(2026, 0, 5, 23, 0, 0), kind: 'assumed', precision: 'second', zone: 'Asia/Tokyo' },
          body: 'よかったね\n今年もよろしく',
        },
        {
          author: 'jiro',
          published: { epochMs: Date.UTC(2026, 0, 6, 0, 15, 30), kind: 'assumed', precision: 'second', zone: 'Asia/Tokyo' },
          body: '大吉うらやましい',
        },
      ],
    });
    expect(movie).toMatchObject({
      link: 'https://taro.hatenablog.com/entry/tom-and-jerry',
      content: '<p>夜に観た。</p>\n<p>続きはこちら。</p>',
      summary: '夜に観た。',
      tags: ['映画'],
    });
    // "09:05:00 PM" is 21:05 in Japan.
    expect(movie!.published?.epochMs).toBe(Date.UTC(2026, 0, 2, 12, 5, 0));
    expect(warningsOf(feed)).toEqual([]);
  });

  it('keeps drafts when asked', async () => {
    const feed = await runSource(blog, { user: 'taro', file: 'blog-export.mt.txt', include_drafts: true });
    expect(feed.entries.map((e) => [e.title, (e.meta.hatenaBlog as { status: string }).status])).toEqual([
      ['初詣に行った', 'Publish'],
      ['書きかけの下書き', 'Draft'],
      ['Tom & Jerry を観た', 'Publish'],
    ]);
  });

  it('keeps the complete entries of a cut-off export and names the line of the lost one', async () => {
    const cut = join(FIXTURES, 'blog-export-truncated.mt.txt');
    const feed = await runSource(blog, { blog_url: 'https://taro.hatenablog.com', file: cut });
    expect(feed.entries.map((e) => e.title)).toEqual(['初詣に行った']);
    expect(warningsOf(feed)).toEqual([
      `${cut}:46:1: the file ends (line 56) inside its BODY section: the entry that starts here looks truncated and is skipped`,
    ]);
  });
});

describe('Source::HatenaBlog: subscriptions', () => {
  it('claims feeds on Hatena Blog domains', () => {
    for (const url of [
      'https://taro.hatenablog.com/feed',
      'https://taro.hatenablog.jp/rss',
      'https://taro.hatenadiary.jp/feed',
      'https://taro.hatenadiary.org/feed/category/日記',
      'https://taro.hateblo.jp/',
    ]) {
      expect(blog.claims!(url), url).toBe(true);
    }
    for (const url of ['https://taro.hatenablog.com/entry/2026/01/05/213412', 'https://example.com/feed', 'https://b.hatena.ne.jp/taro/rss']) {
      expect(blog.claims!(url), url).toBe(false);
    }
    expect(blog.configFromUrl!('https://taro.hatenablog.com/rss')).toEqual({ blog_url: 'https://taro.hatenablog.com', url: 'https://taro.hatenablog.com/rss', format: 'rss' });
    expect(blog.configFromUrl!('https://taro.hateblo.jp/')).toEqual({ blog_url: 'https://taro.hateblo.jp' });
  });
});
