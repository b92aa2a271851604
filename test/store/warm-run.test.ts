/**
 * A lifestream's next run over a feed that did not change must cost no writes, and one that did
 * change must show the change: the retained window is recognised by per-entry digests, without
 * reading, sanitizing or rewriting the entries it already holds.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/pipeline/context.js';
import { makeEntry } from '../../src/pipeline/model.js';
import { runRecipe } from '../../src/pipeline/run.js';
import { sanitizeOnRead, sanitizedFrom } from '../../src/plugins/filter/sanitize.js';
import { RedisStore } from '../../src/store/redis.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';
import { scratch } from '../helpers/tmp.js';

function rss(items: Array<{ n: number; html: string }>): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>' +
    '<title>日記</title><link>https://diary.example.jp/</link><description>d</description>' +
    items
      .map(
        ({ n, html }) =>
          `<item><title>日記 ${n}</title><link>https://diary.example.jp/${n}</link><guid>https://diary.example.jp/${n}</guid>` +
          `<pubDate>Fri, ${10 + n} May 2008 12:00:00 +0900</pubDate><content:encoded><![CDATA[${html}]]></content:encoded></item>`,
      )
      .join('') +
    '</channel></rss>'
  );
}

const recipe = 'plugins:\n  - module: Source::Feed\n    config: {path: diary.rss}\n  - module: Publish::Feed\n    config: {name: life, keep: 10}\n';

/** The store, counting the writes a run asks of it. */
function counting(store: Store) {
  const writes: string[] = [];
  const counted: Store = {
    ...store,
    get: store.get.bind(store),
    set: (namespace, key, value, ttl) => {
      writes.push(`set ${namespace}`);
      return store.set(namespace, key, value, ttl);
    },
    delete: store.delete.bind(store),
    entries: store.entries.bind(store),
    loadRetained: (feed) => {
      writes.push('loadRetained');
      return store.loadRetained(feed);
    },
    retainedIndex: store.retainedIndex.bind(store),
    saveRetained: (feed, entries, digestOf) => {
      writes.push('saveRetained');
      return store.saveRetained(feed, entries, digestOf);
    },
    putBlob: (namespace, key, record, body) => {
      writes.push(`putBlob ${key}`);
      return store.putBlob(namespace, key, record, body);
    },
    getBlobRecord: store.getBlobRecord.bind(store),
    getBlob: store.getBlob.bind(store),
    writeBlobTo: store.writeBlobTo.bind(store),
    ping: store.ping.bind(store),
    close: async () => undefined,
  };
  return { store: counted, writes };
}

function warmRuns(open: () => Store): void {
  const work = scratch({ 'recipe.yaml': recipe });
  const stores: Store[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    work.cleanup();
  });
  const run = async (store: Store) => {
    const report = await runRecipe(work.path('recipe.yaml'), { env: {}, store, outputDir: work.path('out') });
    expect(report.failures).toEqual([]);
    return report;
  };
  const items = [1, 2, 3].map((n) => ({ n, html: `<p>鴨川 ${n} <a href="/${n}">続き</a></p>` }));

  it('writes nothing to the window or the renders when the feed comes back unchanged', async () => {
    const store = open();
    stores.push(store);
    work.write('diary.rss', rss(items));
    await run(store);
    const before = await store.retainedIndex('life');
    const record = await store.getBlobRecord<{ etag: string; lastModified: number }>('render', 'life.rss');

    const written = statSync(work.path('out/life.rss')).mtimeMs;
    const { store: counted, writes } = counting(store);
    await run(counted);
    expect(writes.filter((w) => w !== 'set subscriptions' && w !== 'set runs')).toEqual([]);
    expect(statSync(work.path('out/life.rss')).mtimeMs).toBe(written);
    expect(await store.retainedIndex('life')).toEqual(before);
    expect(await store.getBlobRecord('render', 'life.rss')).toEqual(record);
    expect(readFileSync(work.path('out/life.rss'), 'utf8')).toContain('https://diary.example.jp/1');
  });

  it('writes an output file again when it was removed, though nothing changed', async () => {
    rmSync(work.path('out/life.atom'));
    await run(stores[0]!);
    expect(readFileSync(work.path('out/life.atom'), 'utf8')).toContain('https://diary.example.jp/1');
  });

  it('shows an entry edited upstream, sanitized, on the next run, and rewrites only it', async () => {
    const store = stores[0]!;
    const before = await store.retainedIndex('life');
    work.write('diary.rss', rss([items[0]!, { n: 2, html: '<p>追記しました<script>alert(1)</script></p>' }, items[2]!]));
    const { store: counted, writes } = counting(store);
    await run(counted);
    expect(writes).toContain('saveRetained');
    const after = await store.retainedIndex('life');
    expect(after!.version).not.toBe(before!.version);
    expect(after!.entries.map((e) => e.id)).toEqual(before!.entries.map((e) => e.id));
    const changed = after!.entries.filter((e, i) => e.digest !== before!.entries[i]!.digest);
    expect(changed).toHaveLength(1);
    const body = readFileSync(work.path('out/life.rss'), 'utf8');
    expect(body).toContain('追記しました');
    expect(body).not.toContain('<script');
    expect(body).not.toContain('alert(1)');
    const stored = await store.loadRetained('life');
    expect(stored.find((e) => e.link === 'https://diary.example.jp/2')!.content).toBe('<p>追記しました</p>');
    expect(stored.find((e) => e.link === 'https://diary.example.jp/1')!.content).toContain('href="https://diary.example.jp/1"');
  });

  it('adds a new entry and keeps the others as stored', async () => {
    const store = stores[0]!;
    work.write('diary.rss', rss([{ n: 4, html: '<p>四日目</p>' }, ...items]));
    await run(store);
    const index = await store.retainedIndex('life');
    expect(index!.entries).toHaveLength(4);
    expect(readFileSync(work.path('out/life.json'), 'utf8')).toContain('四日目');
  });
}

describe('a warm run on the SQLite store', () => {
  const work = scratch();
  afterAll(() => work.cleanup());
  warmRuns(() => openSqliteStore(work.path('state/state.sqlite')));
});

describeWithRedis('a warm run on the Redis store', () => {
  const prefix = uniquePrefix('warm');
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
  });
  warmRuns(() => new RedisStore(TEST_REDIS_URL, { prefix }));
});

describe('sanitizeOnRead', () => {
  const raw = makeEntry({
    id: 'e',
    title: 't',
    source: { plugin: 'Source::Feed', feedId: 'f' },
    content: '<p onclick="x()">a<script>b</script></p>',
  });

  it('never shows the unsanitized HTML, however the entry is read', () => {
    for (const read of [
      (e: typeof raw) => e.content,
      (e: typeof raw) => ({ ...e }).content,
      (e: typeof raw) => (JSON.parse(JSON.stringify(e)) as typeof raw).content,
      (e: typeof raw) => structuredClone(e).content,
    ]) {
      expect(read(sanitizeOnRead(raw))).toBe('<p>a</p>');
    }
  });

  it('names equal inputs with equal digests, and a changed one with another', () => {
    const same = sanitizedFrom(sanitizeOnRead({ ...raw }));
    expect(sanitizedFrom(sanitizeOnRead(raw))).toBe(same);
    expect(sanitizedFrom(sanitizeOnRead({ ...raw, content: '<p>b</p>' }))).not.toBe(same);
    expect(sanitizedFrom(sanitizeOnRead({ ...raw, title: 'u' }))).not.toBe(same);
    expect(sanitizedFrom(sanitizeOnRead(raw, { baseUrl: 'https://example.jp/' }))).not.toBe(same);
    expect(sanitizedFrom(sanitizeOnRead({ ...raw, source: { ...raw.source, feedTitle: '別の題' } }))).not.toBe(same);
    // Where content ends and the summary begins is part of what was hashed.
    expect(sanitizedFrom(sanitizeOnRead({ ...raw, content: '<p>ab</p>', summary: 'c' }))).not.toBe(
      sanitizedFrom(sanitizeOnRead({ ...raw, content: '<p>a', summary: 'b</p>c' })),
    );
  });

  it('lets a plugin assign new content, and reads through an object made from the entry', () => {
    const lazy = sanitizeOnRead(raw);
    const derived = Object.create(lazy) as typeof raw;
    expect(derived.content).toBe('<p>a</p>');
    lazy.content = '<p>replaced</p>';
    expect(lazy.content).toBe('<p>replaced</p>');
    expect(JSON.parse(JSON.stringify(lazy)).content).toBe('<p>replaced</p>');
    // Another entry made from the same input is not touched by that assignment.
    expect(sanitizeOnRead(raw).content).toBe('<p>a</p>');
  });
});
