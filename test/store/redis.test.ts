/**
 * The Redis store keeps the same promises as the SQLite one: both run through the same checks.
 */
import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/pipeline/context.js';
import { makeEntry } from '../../src/pipeline/model.js';
import { RedisStore } from '../../src/store/redis.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';
import { scratch } from '../helpers/tmp.js';

function storeBehaviour(open: () => Store): void {
  const stores: Store[] = [];
  const store = (): Store => {
    const made = open();
    stores.push(made);
    return made;
  };
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it('keeps JSON values per namespace and key, and deletes them', async () => {
    const s = store();
    await s.set('http', 'https://taro.hatenablog.com/feed', { etag: '"abc"', lastModified: 'Mon, 05 Jan 2026 12:34:12 GMT' });
    await s.set('seen', 'https://taro.hatenablog.com/feed', true);
    expect(await s.get('http', 'https://taro.hatenablog.com/feed')).toEqual({
      etag: '"abc"',
      lastModified: 'Mon, 05 Jan 2026 12:34:12 GMT',
    });
    expect(await s.get('seen', 'https://taro.hatenablog.com/feed')).toBe(true);
    await s.delete('http', 'https://taro.hatenablog.com/feed');
    expect(await s.get('http', 'https://taro.hatenablog.com/feed')).toBeUndefined();
    expect(await s.get('seen', 'https://taro.hatenablog.com/feed')).toBe(true);
  });

  it('does not confuse a namespace containing ":" with a key containing one', async () => {
    const s = store();
    await s.set('ledger:mastodon', 'x', 'namespaced');
    await s.set('ledger', 'mastodon:x', 'keyed');
    expect(await s.get('ledger:mastodon', 'x')).toBe('namespaced');
    expect(await s.get('ledger', 'mastodon:x')).toBe('keyed');
    expect(await s.entries('ledger:mastodon')).toEqual([['x', 'namespaced']]);
  });

  it('lists a namespace in key order and forgets values whose TTL ran out', async () => {
    const s = store();
    await s.set('twitter', 'b', { n: 2 });
    await s.set('twitter', 'a', { n: 1 });
    await s.set('twitter', 'c', { n: 3 }, 150);
    expect(await s.entries('twitter')).toEqual([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
      ['c', { n: 3 }],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await s.get('twitter', 'c')).toBeUndefined();
    expect(await s.entries('twitter')).toEqual([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
    ]);
  });

  it('keeps a TTL-less value after an earlier TTL on the same key', async () => {
    const s = store();
    await s.set('seen-ttl', 'k', 1, 100);
    await s.set('seen-ttl', 'k', 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await s.get('seen-ttl', 'k')).toBe(2);
    expect(await s.entries('seen-ttl')).toEqual([['k', 2]]);
  });

  it('round-trips retained entries, Japanese text and dates included, newest first as saved', async () => {
    const s = store();
    const entries = [
      makeEntry({
        id: 'hatenablog://entry/2',
        title: '初詣に行った',
        content: '<p>おみくじは大吉 🎍</p>',
        published: { epochMs: Date.UTC(2026, 0, 5, 12, 34, 12), kind: 'zoned', precision: 'second', offsetMinutes: 540 },
        source: { plugin: 'Source::Feed', feedId: 'https://taro.hatenablog.com/feed' },
      }),
      makeEntry({ id: 'hatenablog://entry/1', title: '仕事始め', source: { plugin: 'Source::Feed', feedId: 'f' } }),
    ];
    await s.saveRetained('lifestream', entries);
    expect(await s.loadRetained('lifestream')).toEqual(entries);
    expect(await s.loadRetained('never-saved')).toEqual([]);
    await s.saveRetained('lifestream', entries.slice(1));
    expect((await s.loadRetained('lifestream')).map((e) => e.id)).toEqual(['hatenablog://entry/1']);
  });

  it('keeps a retained window across saves: an entry changed, one new, one gone, the rest as they were', async () => {
    const s = store();
    const entry = (n: number, title = `日記 ${n}`) =>
      makeEntry({
        id: `diary:${n}`,
        title,
        published: { epochMs: Date.UTC(2008, 4, n, 12), kind: 'zoned', precision: 'second', offsetMinutes: 540 },
        source: { plugin: 'Source::Feed', feedId: 'f' },
      });
    await s.saveRetained('diary', [3, 2, 1].map((n) => entry(n)));
    const loaded = await s.loadRetained('diary');
    // The loaded objects go back as they are, beside a changed copy and a new entry; entry 1 leaves.
    await s.saveRetained('diary', [entry(4), { ...loaded[0]!, title: '日記 3（追記）' }, loaded[1]!]);
    expect((await s.loadRetained('diary')).map((e) => [e.id, e.title])).toEqual([
      ['diary:4', '日記 4'],
      ['diary:3', '日記 3（追記）'],
      ['diary:2', '日記 2'],
    ]);
    await s.saveRetained('diary', []);
    expect(await s.loadRetained('diary')).toEqual([]);
  });

  it('gives a retained window the same version while it stays the same, and a new one when it changes', async () => {
    const s = store();
    const entry = (n: number, title = `日記 ${n}`) =>
      makeEntry({ id: `v:${n}`, title, published: { epochMs: Date.UTC(2008, 4, n), kind: 'zoned', precision: 'second', offsetMinutes: 540 }, source: { plugin: 'Source::Feed', feedId: 'f' } });
    const first = await s.saveRetained('versions', [entry(2), entry(1)]);
    expect(await s.saveRetained('versions', await s.loadRetained('versions'))).toBe(first);
    // Parsed again from the source: new objects, same content.
    expect(await s.saveRetained('versions', [entry(2), entry(1)])).toBe(first);
    const retitled = await s.saveRetained('versions', [entry(2, '日記 2（追記）'), entry(1)]);
    expect(retitled).not.toBe(first);
    const reordered = await s.saveRetained('versions', [entry(1), entry(2, '日記 2（追記）')]);
    expect(reordered).not.toBe(retitled);
    const shorter = await s.saveRetained('versions', [entry(1)]);
    expect(shorter).not.toBe(reordered);
    expect(await s.saveRetained('versions', [entry(1)])).toBe(shorter);
  });

  it('keeps a blob with its record, and reads the record alone', async () => {
    const s = store();
    const body = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><rss><channel><title>鴨川</title></channel></rss>', 'utf8');
    expect(await s.getBlobRecord('render', 'lifestream.rss')).toBeUndefined();
    expect(await s.getBlob('render', 'lifestream.rss')).toBeUndefined();
    await s.putBlob('render', 'lifestream.rss', { etag: '"abc"', entries: 1 }, body);
    expect(await s.getBlobRecord('render', 'lifestream.rss')).toEqual({ etag: '"abc"', entries: 1 });
    const blob = await s.getBlob('render', 'lifestream.rss');
    expect(blob?.record).toEqual({ etag: '"abc"', entries: 1 });
    expect(blob?.body.equals(body)).toBe(true);
    await s.putBlob('render', 'lifestream.rss', { etag: '"def"', entries: 2 }, new Uint8Array([0xe9, 0xb4, 0xa8]));
    expect((await s.getBlob('render', 'lifestream.rss'))?.body.toString('utf8')).toBe('鴨');
    expect(await s.get('render', 'lifestream.rss')).toBeUndefined();
  });

  it('writes a blob to a file of its own, and says when there is no such blob', async () => {
    const s = store();
    const dir = scratch();
    try {
      const body = Buffer.from('<rss><channel><title>鴨川</title></channel></rss>', 'utf8');
      expect(await s.writeBlobTo('render', 'absent.rss', dir.path('out/absent.rss'))).toBeUndefined();
      expect(existsSync(dir.path('out/absent.rss'))).toBe(false);
      await s.putBlob('render', 'copied.rss', { etag: '"c1"' }, body);
      expect(await s.writeBlobTo('render', 'copied.rss', dir.path('out/copied.rss'))).toEqual({ etag: '"c1"' });
      expect(readFileSync(dir.path('out/copied.rss')).equals(body)).toBe(true);
      // A copy, not the stored bytes themselves: editing the file leaves the blob as it was.
      appendFileSync(dir.path('out/copied.rss'), '<!-- edited -->');
      expect((await s.getBlob('render', 'copied.rss'))?.body.equals(body)).toBe(true);
      expect(readdirSync(dir.path('out'))).toEqual(['copied.rss']);
    } finally {
      dir.cleanup();
    }
  });

  it('answers ping', async () => {
    await expect(store().ping()).resolves.toBeUndefined();
  });
}

describe('SQLite store (reference behaviour)', () => {
  storeBehaviour(() => openSqliteStore(':memory:'));
});

describe('SQLite store in a file (blobs kept as files)', () => {
  const dir = scratch();
  let n = 0;
  afterAll(() => dir.cleanup());
  storeBehaviour(() => openSqliteStore(dir.path(`state-${n++}/state.sqlite`)));
});

describeWithRedis('RedisStore', () => {
  const prefix = uniquePrefix('store');
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
  });
  storeBehaviour(() => new RedisStore(TEST_REDIS_URL, { prefix }));

  it('is shared by two processes that use the same Redis and prefix', async () => {
    const writer = new RedisStore(TEST_REDIS_URL, { prefix });
    const reader = new RedisStore(TEST_REDIS_URL, { prefix });
    try {
      await writer.set('ledger:webhook', 'hatenablog://entry/9', { remoteId: 'r-9' });
      expect(await reader.get('ledger:webhook', 'hatenablog://entry/9')).toEqual({ remoteId: 'r-9' });
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('names the Redis URL (without its password) when a command fails', async () => {
    const broken = new RedisStore('redis://:hunter2@127.0.0.1:1/0', { prefix });
    try {
      const error = (await broken.ping().catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/^Redis store redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0: no answer within 5000 ms \(.*ECONNREFUSED/);
      expect(error.message).not.toContain('hunter2');
    } finally {
      await broken.close();
    }
  });
});
