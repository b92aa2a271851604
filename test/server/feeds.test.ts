import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { parseFeedDocument } from '../../src/feed/parse.js';
import type { Store } from '../../src/pipeline/context.js';
import { MemoryQueue } from '../../src/queue/memory.js';
import { buildServer } from '../../src/server/app.js';
import { HOUR, NOW, lifestreamEntries, memoryStore, publish } from './helpers.js';

let store: Store;
let app: FastifyInstance;
let clock = NOW + HOUR;

async function parse(body: string) {
  return parseFeedDocument(body, { defaultZone: 'Asia/Tokyo' });
}

beforeEach(async () => {
  clock = NOW + HOUR;
  store = memoryStore();
  await publish(store, 'lifestream', lifestreamEntries(30), { title: 'taro のライフストリーム', link: 'https://taro.example.jp/' });
  app = await buildServer({
    store,
    queue: new MemoryQueue(),
    recipes: [{ name: 'lifestream', schedule: { every: '15m' }, feeds: ['lifestream'] }],
    cacheTtlMs: 0,
    now: () => clock,
  });
});

afterEach(async () => {
  await app.close();
  await store.close();
});

describe('/feeds/NAME.FORMAT', () => {
  it('serves each format with its content type, charset and the stored body', async () => {
    const expected = {
      rss: 'application/rss+xml; charset=utf-8',
      atom: 'application/atom+xml; charset=utf-8',
      json: 'application/feed+json; charset=utf-8',
    };
    for (const [format, contentType] of Object.entries(expected)) {
      const response = await app.inject({ url: `/feeds/lifestream.${format}` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe(contentType);
      const stored = await store.getBlob('render', `lifestream.${format}`);
      expect(response.body).toBe(stored?.body.toString('utf8'));
      const parsed = await parse(response.body);
      expect(parsed.title).toBe('taro のライフストリーム');
      expect(parsed.items).toHaveLength(32);
    }
  });

  it('gives a strong ETag from the content, Last-Modified from the last change and Cache-Control from the schedule', async () => {
    const response = await app.inject({ url: '/feeds/lifestream.rss' });
    const stored = await store.getBlobRecord<{ etag: string }>('render', 'lifestream.rss');
    expect(response.headers.etag).toBe(stored?.etag);
    expect(response.headers.etag).toMatch(/^"[^"]+"$/);
    expect(response.headers['last-modified']).toBe('Thu, 15 Jan 2026 03:00:00 GMT');
    // Scheduler not started: the schedule's interval (15 min).
    expect(response.headers['cache-control']).toBe('public, max-age=900');
    expect(response.headers.vary).toBe('Accept-Encoding');
  });

  it('answers 304 to If-None-Match with the current tag, in a list, weak, or from another coding', async () => {
    const first = await app.inject({ url: '/feeds/lifestream.atom' });
    const etag = first.headers.etag as string;
    for (const header of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
      const response = await app.inject({ url: '/feeds/lifestream.atom', headers: { 'if-none-match': header } });
      expect(response.statusCode, header).toBe(304);
      expect(response.body).toBe('');
      expect(response.headers.etag).toBe(etag);
      expect(response.headers['cache-control']).toMatch(/max-age=/);
    }
    const gzipped = await app.inject({ url: '/feeds/lifestream.atom', headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers.etag).not.toBe(etag);
    const again = await app.inject({
      url: '/feeds/lifestream.atom',
      headers: { 'if-none-match': gzipped.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    const stale = await app.inject({ url: '/feeds/lifestream.atom', headers: { 'if-none-match': '"something-else"' } });
    expect(stale.statusCode).toBe(200);
  });

  it('answers 304 to If-Modified-Since at or after the last change, 200 before it', async () => {
    const at = await app.inject({ url: '/feeds/lifestream.json', headers: { 'if-modified-since': 'Thu, 15 Jan 2026 03:00:00 GMT' } });
    expect(at.statusCode).toBe(304);
    const later = await app.inject({ url: '/feeds/lifestream.json', headers: { 'if-modified-since': 'Fri, 16 Jan 2026 00:00:00 GMT' } });
    expect(later.statusCode).toBe(304);
    const before = await app.inject({ url: '/feeds/lifestream.json', headers: { 'if-modified-since': 'Thu, 15 Jan 2026 02:59:59 GMT' } });
    expect(before.statusCode).toBe(200);
    const garbage = await app.inject({ url: '/feeds/lifestream.json', headers: { 'if-modified-since': 'yesterday' } });
    expect(garbage.statusCode).toBe(200);
    // A tag that does not match wins over a date that would (RFC 9110 §13.1.3).
    const both = await app.inject({
      url: '/feeds/lifestream.json',
      headers: { 'if-none-match': '"old"', 'if-modified-since': 'Fri, 16 Jan 2026 00:00:00 GMT' },
    });
    expect(both.statusCode).toBe(200);
  });

  it('compresses with br and gzip to the same bytes, and sends identity when nothing is accepted', async () => {
    const plain = await app.inject({ url: '/feeds/lifestream.rss' });
    const br = await app.inject({ url: '/feeds/lifestream.rss', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString('utf8')).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    const gzip = await app.inject({ url: '/feeds/lifestream.rss', headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString('utf8')).toBe(plain.body);
    const preferGzip = await app.inject({ url: '/feeds/lifestream.rss', headers: { 'accept-encoding': 'br;q=0.5, gzip;q=1' } });
    expect(preferGzip.headers['content-encoding']).toBe('gzip');
    const none = await app.inject({ url: '/feeds/lifestream.rss', headers: { 'accept-encoding': 'identity' } });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body).toBe(plain.body);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/feeds/lifestream.rss' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toMatch(/^"/);
    expect(response.body).toBe('');
  });

  it('says 404 for a feed nobody published and for a name that is not a feed file', async () => {
    expect((await app.inject({ url: '/feeds/nothing.rss' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/feeds/lifestream.html' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/feeds/..%2Fetc.rss' })).statusCode).toBe(404);
  });

  it('serves a new render once a run elsewhere has stored it', async () => {
    const before = await app.inject({ url: '/feeds/lifestream.rss' });
    clock += 60_000;
    await publish(store, 'lifestream', lifestreamEntries(5, { withGroups: false }), { now: clock });
    // A request after the TTL rereads in the background and is answered from memory meanwhile;
    // a later one sees the new render.
    let after = await app.inject({ url: '/feeds/lifestream.rss' });
    for (let tries = 0; after.headers.etag === before.headers.etag && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await app.inject({ url: '/feeds/lifestream.rss' });
    }
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect((await parse(after.body)).items).toHaveLength(5);
    expect(after.headers['last-modified']).toBe(new Date(clock).toUTCString());
  });
});

describe('RSSHub query parameters', () => {
  const titles = async (url: string) => {
    const response = await app.inject({ url });
    expect(response.statusCode, response.body).toBe(200);
    return (await parse(response.body)).items.map((item) => item.title);
  };

  it('limit keeps the newest N items', async () => {
    for (const format of ['rss', 'atom', 'json']) {
      expect(await titles(`/feeds/lifestream.${format}?limit=3`)).toEqual([
        '同じ投稿を二か所に',
        'はてなブックマーク 3 件',
        'エントリー 0 (hatena)',
      ]);
    }
  });

  it('filter keeps items whose title, description, author or category match; filterout drops them', async () => {
    const mixi = await titles('/feeds/lifestream.atom?filter=%5C(mixi%5C)');
    expect(mixi).toHaveLength(6);
    expect(mixi.every((t) => t.endsWith('(mixi)'))).toBe(true);
    const withoutMixi = await titles('/feeds/lifestream.rss?filterout=%5C(mixi%5C)');
    expect(withoutMixi).toHaveLength(32 - 6);
    expect(withoutMixi.some((t) => t.endsWith('(mixi)'))).toBe(false);
    // Categories: every fourth entry is tagged 日記.
    expect(await titles('/feeds/lifestream.json?filter_category=%E6%97%A5%E8%A8%98')).toHaveLength(8);
    expect(await titles('/feeds/lifestream.json?filter_title=%E3%82%A8%E3%83%B3%E3%83%88%E3%83%AA%E3%83%BC%201%5Cb')).toEqual([
      'エントリー 1 (twitter)',
    ]);
  });

  it('matches case-sensitively unless filter_case_sensitive=false', async () => {
    expect(await titles('/feeds/lifestream.rss?filter=MIXI')).toHaveLength(0);
    expect(await titles('/feeds/lifestream.rss?filter=MIXI&filter_case_sensitive=false')).toHaveLength(6);
  });

  it('filter_time keeps items published within N seconds of now', async () => {
    // clock is NOW + 1 h; entries are 1 h, 2 h, … before NOW, the groups within the last hour.
    const recent = await titles(`/feeds/lifestream.rss?filter_time=${3 * 3600}`);
    expect(recent).toEqual(['同じ投稿を二か所に', 'はてなブックマーク 3 件', 'エントリー 0 (hatena)', 'エントリー 1 (twitter)']);
  });

  it('combines parameters, and the filtered feed has its own strong ETag that revalidates', async () => {
    const response = await app.inject({ url: '/feeds/lifestream.rss?filterout=twitter&limit=4' });
    const items = (await parse(response.body)).items.map((item) => item.title);
    // The crosspost stays: filterout looks at titles and descriptions, not links.
    expect(items).toEqual(['同じ投稿を二か所に', 'はてなブックマーク 3 件', 'エントリー 0 (hatena)', 'エントリー 2 (mixi)']);
    const full = await app.inject({ url: '/feeds/lifestream.rss' });
    expect(response.headers.etag).not.toBe(full.headers.etag);
    const revalidated = await app.inject({
      url: '/feeds/lifestream.rss?limit=4&filterout=twitter',
      headers: { 'if-none-match': response.headers.etag as string },
    });
    expect(revalidated.statusCode).toBe(304);
  });

  it('refuses a pattern that is not a regular expression, and a limit that is not a number', async () => {
    const bad = await app.inject({ url: '/feeds/lifestream.rss?filter=(unclosed' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/filter is not a valid regular expression/);
    // Backreferences need backtracking: the linear-time engine refuses them.
    expect((await app.inject({ url: '/feeds/lifestream.rss?filter=(a)%5C1' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/feeds/lifestream.rss?limit=ten' })).statusCode).toBe(400);
  });

  it('stays fast on a pattern that makes backtracking engines explode', async () => {
    const started = performance.now();
    const response = await app.inject({ url: `/feeds/lifestream.rss?filter=${encodeURIComponent('(a+)+$')}` });
    expect(response.statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
