import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import bluesky from '../../src/plugins/publish/bluesky.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { startFakeBluesky } from '../fixtures/destinations/bluesky.js';
import type { FakeBluesky } from '../fixtures/destinations/bluesky.js';
import { scratch } from '../helpers/tmp.js';
import { blogPost, feedOf, tweet, tweets } from './entries.js';
import { publishHarness } from './harness.js';

const HANDLE = 'taro.bsky.social';
const APP_PASSWORD = 'abcd-efgh-ijkl-mnop';

function graphemeCount(text: string): number {
  return [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;
}

describe('Publish::Bluesky', () => {
  let pds: FakeBluesky;
  beforeEach(async () => {
    pds = await startFakeBluesky({ identifier: HANDLE, password: APP_PASSWORD });
  });
  afterEach(async () => {
    await pds.close();
  });

  const config = (extra: Record<string, unknown> = {}) => ({
    service: pds.url,
    identifier: HANDLE,
    password: APP_PASSWORD,
    backoff: '50ms',
    ...extra,
  });

  it('posts text with the link as a facet at UTF-8 byte offsets, and a link card', async () => {
    const harness = await publishHarness(bluesky, config({ prefix: 'ブログ更新: ' }));
    try {
      const post = blogPost(5);
      const { completed, failed } = await harness.run([feedOf([post])]);
      expect(failed).toEqual([]);
      expect(completed).toBe(1);
      const [record] = [...pds.records.values()];
      const { text, facets, embed, langs, createdAt } = record!.value;
      expect(text).toBe('ブログ更新: 初詣に行った (5) taro.hatenablog.com/entry/202…');
      expect(facets).toHaveLength(1);
      const { byteStart, byteEnd } = facets![0]!.index;
      // The UTF-16 index and the byte offset differ: Japanese takes 3 bytes a character.
      expect(byteStart).toBe(Buffer.byteLength('ブログ更新: 初詣に行った (5) '));
      expect(byteStart).not.toBe(text.indexOf('taro.'));
      expect(Buffer.from(text, 'utf8').subarray(byteStart, byteEnd).toString('utf8')).toBe('taro.hatenablog.com/entry/202…');
      expect(facets![0]!.features).toEqual([{ $type: 'app.bsky.richtext.facet#link', uri: post.link }]);
      expect(embed).toEqual({
        $type: 'app.bsky.embed.external',
        external: { uri: post.link, title: '初詣に行った (5)', description: '近所の神社で年越しのあと、おみくじを引いた。' },
      });
      expect(langs).toEqual(['ja']);
      expect(createdAt).toBe('2026-01-05T12:34:12.000Z');
      expect(record!.rkey).toMatch(/^[234567a-j][234567a-z]{12}$/);
    } finally {
      await harness.close();
    }
  });

  it('keeps a long note within 300 graphemes, emoji counted as one, and links URLs in the text', async () => {
    const harness = await publishHarness(bluesky, config());
    try {
      const family = '👨‍👩‍👧‍👦';
      const long = tweet('1797000000000000011', `${family} 家族で出かけた https://example.com/photos/1 ` + 'とても楽しかった。'.repeat(60), '2024-06-01T00:00:00Z');
      await harness.run([feedOf([long])]);
      const [record] = [...pds.records.values()];
      const { text, facets } = record!.value;
      expect(graphemeCount(text)).toBeLessThanOrEqual(300);
      expect(graphemeCount(text)).toBeGreaterThan(280);
      expect(text.startsWith(`${family} 家族で出かけた https://example.com/photos/1 とても楽しかった。`)).toBe(true);
      expect(text).toMatch(/… twitter\.com\/taro\/status\/17970…$/);
      const linked = facets!.map((f) => [Buffer.from(text).subarray(f.index.byteStart, f.index.byteEnd).toString(), f.features[0]!.uri]);
      expect(linked).toEqual([
        ['https://example.com/photos/1', 'https://example.com/photos/1'],
        ['twitter.com/taro/status/17970…', 'https://twitter.com/taro/status/1797000000000000011'],
      ]);
    } finally {
      await harness.close();
    }
  });

  it('creates the session once, reuses it across runs, and refreshes it when it expires', async () => {
    const dir = scratch();
    const store = openSqliteStore(dir.path('state.sqlite'));
    try {
      const first = await publishHarness(bluesky, config(), { store });
      await first.run([feedOf(tweets(3))]);
      await first.close();
      expect(pds.sessionsCreated).toBe(1);
      pds.expireAccessTokens();
      const second = await publishHarness(bluesky, config(), { store });
      const { completed } = await second.run([feedOf(tweets(5))]);
      await second.close();
      expect(completed).toBe(2);
      expect(pds.sessionsCreated).toBe(1);
      expect(pds.sessionsRefreshed).toBe(1);
      expect(pds.records.size).toBe(5);
    } finally {
      await store.close();
      dir.cleanup();
    }
  });

  it('after a lost answer, finds its record by the deterministic rkey instead of posting again', async () => {
    const harness = await publishHarness(bluesky, config());
    try {
      pds.loseAnswers(1);
      const { completed, failed } = await harness.run([feedOf([blogPost(6)])]);
      expect(failed).toEqual([]);
      expect(completed).toBe(1);
      expect(pds.records.size).toBe(1);
      expect(pds.requests.filter((r) => r.path === '/xrpc/com.atproto.repo.createRecord')).toHaveLength(1);
    } finally {
      await harness.close();
    }
  });

  it('does not duplicate even when the state store was lost: the taken rkey is recognised', async () => {
    const entries = tweets(3);
    const first = await publishHarness(bluesky, config());
    await first.run([feedOf(entries)]);
    await first.close();
    const fresh = await publishHarness(bluesky, config());
    try {
      const { completed, failed } = await fresh.run([feedOf(entries)]);
      expect(failed).toEqual([]);
      expect(completed).toBe(3);
      expect(pds.records.size).toBe(3);
    } finally {
      await fresh.close();
    }
  });

  it('names the PDS and the reason when the app password is wrong, without printing it', async () => {
    const harness = await publishHarness(bluesky, config({ password: 'wrong-password-value' }));
    try {
      const { failed } = await harness.run([feedOf([blogPost(7)])]);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.error).toBe(
        `POST ${pds.url}/xrpc/com.atproto.server.createSession: HTTP 401: AuthenticationRequired: Invalid identifier or password`,
      );
      expect(failed[0]!.error).not.toContain('wrong-password-value');
    } finally {
      await harness.close();
    }
  });
});
