import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/pipeline/context.js';
import { MemoryQueue } from '../../src/queue/memory.js';
import { buildServer } from '../../src/server/app.js';
import { hostileEntries, lifestreamEntries, memoryStore, publish } from './helpers.js';

let store: Store;
let app: FastifyInstance;

/** The entries on a page, in order: [title, time text, datetime attribute, service]. */
function entriesOf(html: string): Array<{ title: string; time: string; datetime: string; service: string }> {
  const main = html.slice(html.indexOf('<main'), html.indexOf('</main>'));
  const items = main.split('<li class="entry"').slice(1);
  return items.map((item) => {
    const title = /<h3 class="entry__title"[^>]*>(?:<a [^>]*>)?([^<]*)/.exec(item)?.[1] ?? '';
    const time = /<div class="entry__meta">.*?<time datetime="([^"]+)">([^<]+)<\/time>/s.exec(item);
    return {
      title,
      datetime: time?.[1] ?? '',
      time: time?.[2] ?? '',
      service: /data-service="([^"]+)"/.exec(item)?.[1] ?? '',
    };
  });
}

beforeEach(async () => {
  store = memoryStore();
  await publish(store, 'lifestream', lifestreamEntries(30), { title: 'taro のライフストリーム', link: 'https://taro.example.jp/' });
  await publish(store, 'hostile', hostileEntries(), { title: 'hostile' });
  app = await buildServer({
    store,
    queue: new MemoryQueue(),
    recipes: [{ name: 'lifestream', feeds: ['lifestream'] }, { name: 'other', feeds: ['hostile'] }],
    pageSize: 10,
  });
});

afterEach(async () => {
  await app.close();
  await store.close();
});

describe('the lifestream page', () => {
  it('shows the default feed at / newest first, with JST times, icons and sources', async () => {
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = response.body;
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('<title>taro のライフストリーム</title>');
    const entries = entriesOf(html);
    expect(entries).toHaveLength(10);
    expect(entries.slice(0, 3)).toEqual([
      { title: '同じ投稿を二か所に', time: '2026-01-15 11:50', datetime: '2026-01-15T11:50:00+09:00', service: 'twitter' },
      { title: 'はてなブックマーク 3 件', time: '2026-01-15 11:30', datetime: '2026-01-15T11:30:00+09:00', service: 'hatena' },
      { title: 'エントリー 0 (hatena)', time: '2026-01-15 11:00', datetime: '2026-01-15T11:00:00+09:00', service: 'hatena' },
    ]);
    const times = entries.map((e) => e.datetime);
    expect([...times].sort().reverse()).toEqual(times);
    expect(new Set(entries.map((e) => e.service))).toEqual(new Set(['twitter', 'hatena', 'mixi', 'friendfeed', 'feed']));
    expect(html).toContain('<a class="entry__source" href="https://b.hatena.ne.jp/taro/">はてなブックマーク - taro</a>');
    expect(html).toMatch(/<svg class="icon"[^>]*aria-hidden="true"/);
    expect(html).toContain('<a href="https://taro.example.jp/">taro のライフストリーム</a>');
  });

  it('has landmarks, a heading outline and alternate feed links', async () => {
    const html = (await app.inject({ url: '/' })).body;
    for (const landmark of ['<header class="site-header', '<main id="main"', '<footer class="site-footer', '<nav aria-label="表示の切り替え"', '<nav class="pager" aria-label="ページ送り"']) {
      expect(html).toContain(landmark);
    }
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html).toMatch(/<h2 class="visually-hidden">まとめ（新しい順）<\/h2>/);
    expect(html.match(/<article aria-labelledby="([^"]+)">/g)).toHaveLength(10);
    expect(html).toContain('<a class="skip" href="#main">');
    expect(html).toContain('<link rel="alternate" type="application/rss+xml"');
    expect(html).toContain('<link rel="alternate" type="application/feed+json"');
  });

  it('switches between the aggregated and everything views by links', async () => {
    const aggregated = (await app.inject({ url: '/' })).body;
    expect(aggregated).toContain('<a href="/" title="ダイジェストや同じ投稿をひとつにまとめた表示" aria-current="page">まとめ<span class="count">(32)</span></a>');
    expect(aggregated).toContain('<a href="/?view=everything" title="ひとつひとつの投稿を個別に並べた表示">すべて<span class="count">(35)</span></a>');
    // The digest lists what it gathers; the crosspost says where else it was posted.
    expect(aggregated).toContain('<summary>3 件をまとめています</summary>');
    expect(aggregated).toMatch(/ほかにも投稿: <ul><li><svg[^]*?<a href="https:\/\/mixi\.jp\/view_echo\.pl\?id=1">mixi日記<\/a>/);

    const everything = await app.inject({ url: '/?view=everything' });
    const entries = entriesOf(everything.body);
    expect(everything.body).toContain('aria-current="page">すべて');
    expect(entries.slice(0, 5).map((e) => e.title)).toEqual([
      '同じ投稿を二か所に',
      '同じ投稿を二か所に',
      'まとめたブックマーク 0',
      'まとめたブックマーク 1',
      'まとめたブックマーク 2',
    ]);
    expect(entries.slice(0, 2).map((e) => e.service)).toEqual(['mixi', 'twitter']);
    expect(everything.body).not.toContain('件をまとめています');
    expect(everything.body).toContain('href="/?view=everything&amp;page=2"');
  });

  it('pages with ?page and ?before, linking both ways', async () => {
    const second = (await app.inject({ url: '/?page=2' })).body;
    const entries = entriesOf(second);
    expect(entries[0]?.title).toBe('エントリー 8 (friendfeed)');
    expect(second).toContain('<a rel="prev" href="/">');
    expect(second).toContain('<a rel="next" href="/?page=3">');
    const last = entriesOf((await app.inject({ url: '/?page=4' })).body);
    expect(last.map((e) => e.title)).toEqual(['エントリー 28 (friendfeed)', 'エントリー 29 (feed)']);
    const beyond = (await app.inject({ url: '/?page=9' })).body;
    expect(entriesOf(beyond)).toHaveLength(0);

    const before = (await app.inject({ url: `/?before=${encodeURIComponent('2026-01-15T06:00:00+09:00')}` })).body;
    // Strictly older: entry 5 was published at 06:00 itself.
    expect(entriesOf(before)[0]?.title).toBe('エントリー 6 (twitter)');
    expect(before).toContain('/?before=');
    expect((await app.inject({ url: '/?before=someday' })).statusCode).toBe(400);
  });

  it('shows another feed at /NAME and says 404 for a feed that does not exist', async () => {
    const hostile = await app.inject({ url: '/hostile' });
    expect(hostile.statusCode).toBe(200);
    expect(entriesOf(hostile.body)).toHaveLength(8);
    const missing = await app.inject({ url: '/no-such-feed' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('見つかりません');
  });

  it('sanitizes what feeds put in titles, sources, links and content, and forbids script by policy', async () => {
    const response = await app.inject({ url: '/hostile' });
    const html = response.body;
    const main = html.slice(html.indexOf('<main'), html.indexOf('</main>'));
    expect(main).not.toMatch(/<script|<iframe|<svg><script|<form|<style|<math/i);
    // No event handler or style attribute inside any tag (the escaped title text may say "onerror").
    expect(main).not.toMatch(/<[^>]*\son\w+\s*=/i);
    expect(main).not.toMatch(/<[^>]*\sstyle\s*=/i);
    expect(main).not.toMatch(/(?:href|src|action)\s*=\s*"?\s*javascript:/i);
    expect(main).toContain('&lt;img src=x onerror=&quot;window.__xss=&apos;title0&apos;&quot;&gt;危険 0');
    // A javascript: link becomes a heading without a link.
    expect(main).toMatch(/<h3 class="entry__title" id="[^"]+">&lt;img[^<]*危険 0<\/h3>/);
    const policy = response.headers['content-security-policy'] as string;
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('script-src');
    expect(policy).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
  });

  it('tells the visitor when nothing has been published yet', async () => {
    const empty = memoryStore();
    const bare = await buildServer({ store: empty, queue: new MemoryQueue(), recipes: [{ name: 'new', feeds: ['fresh'] }] });
    const response = await bare.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('まだエントリーがありません');
    await bare.close();
    await empty.close();
  });
});
