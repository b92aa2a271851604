import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mastodon from '../../src/plugins/publish/mastodon.js';
import { DeliveryLedger } from '../../src/store/ledger.js';
import { countLikeMastodon, startFakeMastodon } from '../fixtures/destinations/mastodon.js';
import type { FakeMastodon } from '../fixtures/destinations/mastodon.js';
import { blogPost, feedOf, tweet, tweets } from './entries.js';
import { publishHarness } from './harness.js';

const TOKEN = 'mastodon-token-hunter2';

describe('Publish::Mastodon', () => {
  let instance: FakeMastodon;
  beforeEach(async () => {
    instance = await startFakeMastodon({ token: TOKEN });
  });
  afterEach(async () => {
    await instance.close();
  });

  const config = (extra: Record<string, unknown> = {}) => ({ instance: instance.url, token: TOKEN, backoff: '50ms', ...extra });

  it('posts a blog entry as its title and link, a tweet as its text and link, unlisted, in Japanese', async () => {
    const harness = await publishHarness(mastodon, config());
    try {
      const post = blogPost(1);
      const status = tweet('1797000000000000001', '梅雨入り &amp; 傘 ☔', '2024-06-01T12:34:56Z');
      const { completed, failed } = await harness.run([feedOf([post, status])]);
      expect(failed).toEqual([]);
      expect(completed).toBe(2);
      expect(instance.statuses.map((s) => s.status)).toEqual([
        '梅雨入り & 傘 ☔ https://twitter.com/taro/status/1797000000000000001',
        '初詣に行った (1) https://taro.hatenablog.com/entry/2026/01/01/213412',
      ]);
      expect(instance.statuses.every((s) => s.visibility === 'unlisted' && s.language === 'ja')).toBe(true);
      const keys = instance.requests.map((r) => r.headers['idempotency-key']);
      expect(new Set(keys).size).toBe(2);
    } finally {
      await harness.close();
    }
  });

  it('fits a long note into 500 characters, cut at a word, with the link whole at the end', async () => {
    const harness = await publishHarness(mastodon, config({ visibility: 'public' }));
    try {
      const long = tweet(
        '1797000000000000002',
        '今日は朝から雨が降っていたので、駅前の喫茶店で本を読みながら過ごした。'.repeat(20) + ' 参考: https://example.com/a/very/long/path/' + 'x'.repeat(120),
        '2024-06-02T01:00:00Z',
      );
      await harness.run([feedOf([long])]);
      const [posted] = instance.statuses;
      expect(posted!.visibility).toBe('public');
      expect(countLikeMastodon(posted!.status)).toBeLessThanOrEqual(500);
      expect(countLikeMastodon(posted!.status)).toBeGreaterThan(450);
      expect(posted!.status.endsWith('… https://twitter.com/taro/status/1797000000000000002')).toBe(true);
      expect(posted!.status.startsWith('今日は朝から雨が降っていたので、')).toBe(true);
      // cut between words, not inside one: the text before the ellipsis is a prefix ending at a boundary
      const beforeEllipsis = posted!.status.slice(0, posted!.status.indexOf('…'));
      expect(long.content).toContain(beforeEllipsis);
    } finally {
      await harness.close();
    }
  });

  it('does not post twice when the answer is lost: the retry carries the same Idempotency-Key', async () => {
    const harness = await publishHarness(mastodon, config());
    try {
      instance.loseAnswers(1);
      const { completed, failed } = await harness.run([feedOf([blogPost(2)])]);
      expect(failed).toEqual([]);
      expect(completed).toBe(1);
      expect(instance.statuses).toHaveLength(1);
      expect(instance.idempotentReplays).toBe(1);
      const record = await new DeliveryLedger(harness.store, `mastodon:${instance.url}`).get(blogPost(2).id);
      expect(record).toMatchObject({ state: 'delivered', remote: { id: instance.statuses[0]!.id, url: instance.statuses[0]!.url } });
    } finally {
      await harness.close();
    }
  });

  it('re-running an import posts only what is missing', async () => {
    const harness = await publishHarness(mastodon, config());
    try {
      const all = tweets(5);
      await harness.run([feedOf(all.slice(0, 3))]);
      const second = await harness.run([feedOf(all)]);
      expect(second.completed).toBe(2);
      expect(instance.statuses).toHaveLength(5);
      expect(new Set(instance.statuses.map((s) => s.status)).size).toBe(5);
    } finally {
      await harness.close();
    }
  });

  it('waits for the status limit to reset after a 429, then posts the rest', async () => {
    await instance.close();
    instance = await startFakeMastodon({ token: TOKEN, statusLimit: { max: 2, windowMs: 1200 } });
    // Our own limiter set loose on purpose, so that the instance's 429 is what paces us.
    const harness = await publishHarness(mastodon, config({ rate_limit: { max: 100, per: '1s' } }));
    try {
      const started = Date.now();
      const { completed, failed } = await harness.run([feedOf(tweets(3))]);
      expect(failed).toEqual([]);
      expect(completed).toBe(3);
      expect(instance.statuses).toHaveLength(3);
      expect(instance.requests.filter((r) => r.path === '/api/v1/statuses').length).toBeGreaterThanOrEqual(4);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await harness.close();
    }
  });

  it('fails an entry the instance refuses (422) with its reason, and posts the others', async () => {
    // Told the limit is 1000 while the instance allows 500: the long entry is refused.
    const harness = await publishHarness(mastodon, config({ max_chars: 1000 }));
    try {
      const long = tweet('1797000000000000003', 'あ'.repeat(700), '2024-06-01T00:00:00Z');
      const { completed, failed } = await harness.run([feedOf([long, ...tweets(2)])]);
      expect(completed).toBe(2);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.error).toBe(
        `POST ${instance.url}/api/v1/statuses: HTTP 422: Validation failed: Text character limit of 500 exceeded`,
      );
      expect(instance.statuses).toHaveLength(2);
    } finally {
      await harness.close();
    }
  });

  it('reports a rejected token without ever printing it', async () => {
    const harness = await publishHarness(mastodon, config({ token: 'wrong-token-secret' }));
    try {
      const { failed } = await harness.run([feedOf([blogPost(3)])]);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.error).toBe(`POST ${instance.url}/api/v1/statuses: HTTP 401: The access token is invalid`);
      expect(failed[0]!.error).not.toContain('wrong-token-secret');
    } finally {
      await harness.close();
    }
  });
});
