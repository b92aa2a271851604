import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobOptions } from '../../src/pipeline/plugin.js';
import misskey from '../../src/plugins/publish/misskey.js';
import { DeliveryLedger } from '../../src/store/ledger.js';
import { startFakeMisskey } from '../fixtures/destinations/misskey.js';
import type { FakeMisskey } from '../fixtures/destinations/misskey.js';
import { blogPost, feedOf, tweet, tweets } from './entries.js';
import { publishHarness } from './harness.js';

const TOKEN = 'misskey-token-hunter2';

describe('Publish::Misskey', () => {
  let instance: FakeMisskey;
  beforeEach(async () => {
    instance = await startFakeMisskey({ token: TOKEN });
  });
  afterEach(async () => {
    await instance.close();
  });

  const config = (extra: Record<string, unknown> = {}) => ({ instance: instance.url, token: TOKEN, backoff: '50ms', ...extra });

  it('posts each entry as a home-visible note with its link', async () => {
    const harness = await publishHarness(misskey, config({ prefix: 'ブログ更新: ' }));
    try {
      const { completed } = await harness.run([feedOf([blogPost(1), tweet('1797000000000000001', '梅雨入り', '2024-06-01T12:34:56Z')])]);
      expect(completed).toBe(2);
      expect(instance.notes.map((n) => [n.text, n.visibility, n.localOnly])).toEqual([
        ['ブログ更新: 梅雨入り https://twitter.com/taro/status/1797000000000000001', 'home', false],
        ['ブログ更新: 初詣に行った (1) https://taro.hatenablog.com/entry/2026/01/01/213412', 'home', false],
      ]);
    } finally {
      await harness.close();
    }
  });

  it('respects the documented 300 notes per hour unless the recipe says otherwise', () => {
    const post = misskey.jobs!.post!;
    const defaults = misskey.config.parse({ instance: 'https://misskey.example', token: 't' });
    expect(jobOptions(post, defaults)?.rateLimit).toEqual({ max: 300, durationMs: 3_600_000 });
    const custom = misskey.config.parse({ instance: 'https://misskey.example', token: 't', rate_limit: { max: 100, per: '1h' } });
    expect(jobOptions(post, custom)?.rateLimit).toEqual({ max: 100, durationMs: 3_600_000 });
  });

  it('after a lost answer, finds the note it made instead of posting it again', async () => {
    const harness = await publishHarness(misskey, config());
    try {
      instance.loseAnswers(1);
      const post = blogPost(2);
      const { completed, failed } = await harness.run([feedOf([post])]);
      expect(failed).toEqual([]);
      expect(completed).toBe(1);
      expect(instance.notes).toHaveLength(1);
      expect(instance.requests.filter((r) => r.path === '/api/notes/create')).toHaveLength(1);
      expect(instance.requests.some((r) => r.path === '/api/users/notes')).toBe(true);
      const record = await new DeliveryLedger(harness.store, `misskey:${instance.url}`).get(post.id);
      expect(record).toMatchObject({
        state: 'delivered',
        reconciled: true,
        remote: { id: instance.notes[0]!.id, url: `${instance.url}/notes/${instance.notes[0]!.id}` },
      });
    } finally {
      await harness.close();
    }
  });

  it('posts again when the attempt never reached the instance', async () => {
    const harness = await publishHarness(misskey, config());
    try {
      instance.failNext('/api/notes/create', 1, { status: 0, drop: true });
      const { completed } = await harness.run([feedOf([blogPost(3)])]);
      expect(completed).toBe(1);
      expect(instance.notes).toHaveLength(1);
    } finally {
      await harness.close();
    }
  });

  it('waits out RATE_LIMIT_EXCEEDED and posts everything exactly once', async () => {
    await instance.close();
    instance = await startFakeMisskey({ token: TOKEN, notesPerHour: { max: 2, windowMs: 1000 } });
    const harness = await publishHarness(misskey, config({ rate_limit: { max: 100, per: '1s' } }));
    try {
      const { completed, failed } = await harness.run([feedOf(tweets(4))]);
      expect(failed).toEqual([]);
      expect(completed).toBe(4);
      expect(instance.notes.map((n) => n.text)).toEqual(tweets(4).map((t) => `${t.title} ${t.link}`));
    } finally {
      await harness.close();
    }
  });

  it('fails a note the instance refuses with its code and message; the others are posted', async () => {
    await instance.close();
    instance = await startFakeMisskey({ token: TOKEN, maxChars: 100 });
    const harness = await publishHarness(misskey, config());
    try {
      const long = tweet('1797000000000000009', 'い'.repeat(150), '2024-05-01T00:00:00Z');
      const { completed, failed } = await harness.run([feedOf([long, ...tweets(2)])]);
      expect(completed).toBe(2);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.error).toBe(`POST ${instance.url}/api/notes/create: HTTP 400: INVALID_PARAM: Invalid param: text is too long.`);
      expect(failed[0]!.error).not.toContain(TOKEN);
    } finally {
      await harness.close();
    }
  });
});
