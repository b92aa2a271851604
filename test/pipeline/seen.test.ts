/**
 * SeenBuckets: keys hashed without being built, buckets in their compact string form, and the
 * buckets written before it (objects of id → [first seen, digest?]) still read.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/pipeline/context.js';
import { SeenBuckets, SeenKeys, seenKey, type SeenKeyKind } from '../../src/pipeline/seen.js';
import { RedisStore } from '../../src/store/redis.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';
import { entryOf, TWITTER } from '../rules/make.js';

/**
 * Written by SeenBuckets as it was before the compact form (commit d9a388b): `plain` holds
 * `url:https://example.com/0` … `/39` first seen on 2026-11-01 and `/later/0` … `/9` on 2026-11-20;
 * `bodies` holds `url:https://example.com/a` and `/b` with digests and `sha:nodigest` without.
 */
const OLD_BUCKETS = JSON.parse(readFileSync(new URL('../fixtures/seen/buckets-2026-11.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, unknown>
>;
const NOV_1 = Date.UTC(2026, 10, 1);
const NOV_20 = Date.UTC(2026, 10, 20);
const DAY = 86_400_000;

const oldKeys = Array.from({ length: 40 }, (_, i) => `url:https://example.com/${i}`);
const laterKeys = Array.from({ length: 10 }, (_, i) => `url:https://example.com/later/${i}`);

let store: Store;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

async function putOld(into: Store, namespace: string): Promise<void> {
  for (const [bucket, value] of Object.entries(OLD_BUCKETS[namespace]!)) await into.set(namespace, bucket, value);
}

describe('SeenKeys', () => {
  it('hashes an entry to what its seenKey string hashes to, for every kind of key', () => {
    const entries = [
      entryOf({ id: 'a', link: 'https://taro.hatenablog.com/entry/2008/05/30/120000' }),
      entryOf({ id: 'b', link: 'http://www.example.com/a/?utm_source=rss#more' }),
      entryOf({ id: 'c', guid: '  tag:example.com,2008:1  ', link: 'https://example.com/c' }),
      entryOf({ id: 'd', title: 'Hello', content: '<p>same words</p>' }, TWITTER),
      entryOf({ id: 'e', link: '   ', guid: '', title: '', content: '' }),
      entryOf({ id: 'f', link: 'https://twitter.com/Taro/status/123?s=20' }, TWITTER),
    ];
    const orders: SeenKeyKind[][] = [['guid', 'link', 'content'], ['link', 'guid'], ['content'], ['guid'], ['link', 'content']];
    for (const kinds of orders) {
      const direct = new SeenKeys();
      const built = new SeenKeys();
      for (const entry of entries) {
        direct.addEntry(entry, kinds);
        built.add(seenKey(entry, kinds));
      }
      expect([...direct.high.subarray(0, direct.length)]).toEqual([...built.high.subarray(0, built.length)]);
      expect([...direct.low.subarray(0, direct.length)]).toEqual([...built.low.subarray(0, built.length)]);
    }
  });

  it('grows past its first capacity', () => {
    const keys = SeenKeys.of(Array.from({ length: 5000 }, (_, i) => `url:https://example.com/${i}`));
    expect(keys.length).toBe(5000);
    expect(new Set(Array.from({ length: 5000 }, (_, i) => `${keys.high[i]} ${keys.low[i]}`)).size).toBe(5000);
  });
});

describe('SeenBuckets', () => {
  it('reads buckets stored in the earlier object form: the same keys are seen, others are new', async () => {
    await putOld(store, 'plain');
    const seen = new SeenBuckets(store, 'plain');
    const sightings = await seen.sightAll([...oldKeys, ...laterKeys, 'url:https://example.com/new'], NOV_20 + DAY);
    expect(sightings.slice(0, 50)).toEqual(Array(50).fill('seen'));
    expect(sightings[50]).toBe('new');
    // Only the bucket of the new key is written back, in the compact form (and read again below).
    const written = (await store.entries(seen.namespace)).filter(([, value]) => typeof value === 'string');
    expect(written).toEqual([[expect.any(String), expect.stringMatching(/^1:([\w-]{16})+$/)]]);
    const again = await new SeenBuckets(store, 'plain').sightAll([...oldKeys, ...laterKeys, 'url:https://example.com/new'], NOV_20 + 2 * DAY);
    expect(again).toEqual(Array(51).fill('seen'));
  });

  it('reads the digests of the earlier form', async () => {
    await putOld(store, 'bodies');
    const keys = ['url:https://example.com/a', 'url:https://example.com/b', 'sha:nodigest'];
    const sightings = await new SeenBuckets(store, 'bodies').sightAll(keys, NOV_20, ['digest-of-a-000000000', 'digest-of-b-changed', 'anything']);
    expect(sightings).toEqual(['seen', 'changed', 'changed']);
    const after = await new SeenBuckets(store, 'bodies').sightAll(keys, NOV_20, ['digest-of-a-000000000', 'digest-of-b-changed', 'anything']);
    expect(after).toEqual(['seen', 'seen', 'seen']);
  });

  it('forgets keys of the earlier form older than the window', async () => {
    await putOld(store, 'plain');
    // Nineteen days after Nov 1 and one after Nov 20, with a ten-day window: only the later keys are remembered.
    const sightings = await new SeenBuckets(store, 'plain', 10 * DAY).sightAll([...oldKeys, ...laterKeys], NOV_20 + DAY);
    expect(sightings).toEqual([...Array(40).fill('new'), ...Array(10).fill('seen')]);
  });

  it('keeps first-seen times and digests across runs in the compact form, any characters in a digest', async () => {
    const keys = ['url:https://example.com/x', 'url:https://example.com/y', 'guid:feed 1'];
    const digests = ['AbC-_9', 'with, comma. and 日本語', undefined];
    expect(await new SeenBuckets(store, 'ns', 10 * DAY).sightAll(keys, NOV_1, digests)).toEqual(['new', 'new', 'new']);
    expect(await new SeenBuckets(store, 'ns', 10 * DAY).sightAll(keys, NOV_1 + DAY, digests)).toEqual(['seen', 'seen', 'seen']);
    // A changed body keeps the time first seen: eleven days after it, the key is forgotten all the same.
    expect(await new SeenBuckets(store, 'ns', 10 * DAY).sightAll(keys, NOV_1 + 5 * DAY, ['AbC-_9', 'other', 'new digest'])).toEqual([
      'seen',
      'changed',
      'changed',
    ]);
    expect(await new SeenBuckets(store, 'ns', 10 * DAY).sightAll(keys, NOV_1 + 11 * DAY, ['AbC-_9', 'other', 'new digest'])).toEqual([
      'new',
      'new',
      'new',
    ]);
  });

  it('tells repeats within one run apart, and a changed body within it', async () => {
    const sightings = await new SeenBuckets(store, 'ns').sightAll(['k1', 'k2', 'k1', 'k2'], NOV_1, ['a', 'b', 'a', 'c']);
    expect(sightings).toEqual(['new', 'new', 'seen', 'changed']);
  });

  it('reads a whole namespace at once for a large run, and bucket by bucket for a small one', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `url:https://example.com/many/${i}`);
    const first = await new SeenBuckets(store, 'big').sightAll(many, NOV_1);
    expect(first.every((sighting) => sighting === 'new')).toBe(true);
    const again = await new SeenBuckets(store, 'big').sightAll([...many, 'url:https://example.com/other'], NOV_1 + DAY);
    expect(again.slice(0, -1).every((sighting) => sighting === 'seen')).toBe(true);
    expect(again.at(-1)).toBe('new');
    const few = await new SeenBuckets(store, 'big').sightAll(['url:https://example.com/many/7', 'url:https://example.com/other', 'x'], NOV_1 + DAY);
    expect(few).toEqual(['seen', 'seen', 'new']);
  });
});

describeWithRedis('SeenBuckets on Redis', () => {
  const prefix = uniquePrefix('seen');
  const redis = new RedisStore(TEST_REDIS_URL, { prefix });
  afterAll(async () => {
    await redis.close();
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('reads the earlier form and its own, in large and small runs', async () => {
    await putOld(redis, 'plain');
    const many = Array.from({ length: 5000 }, (_, i) => `url:https://example.com/many/${i}`);
    const first = await new SeenBuckets(redis, 'plain', 30 * DAY).sightAll([...oldKeys, ...many], NOV_20);
    expect(first.slice(0, 40)).toEqual(Array(40).fill('seen'));
    expect(first.slice(40).every((sighting) => sighting === 'new')).toBe(true);
    const again = await new SeenBuckets(redis, 'plain', 30 * DAY).sightAll([...many, ...laterKeys], NOV_20 + DAY);
    expect(again.every((sighting) => sighting === 'seen')).toBe(true);
    expect(await new SeenBuckets(redis, 'plain', 30 * DAY).sightAll([oldKeys[3]!, 'url:https://example.com/none'], NOV_20 + DAY)).toEqual(['seen', 'new']);
  });
});
