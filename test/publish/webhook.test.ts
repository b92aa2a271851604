import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Queue } from '../../src/pipeline/context.js';
import webhook, { signWebhookBody } from '../../src/plugins/publish/webhook.js';
import { BullQueue } from '../../src/queue/bullmq.js';
import { MemoryQueue } from '../../src/queue/memory.js';
import { DeliveryLedger } from '../../src/store/ledger.js';
import { startFakeWebhook } from '../fixtures/destinations/webhook.js';
import type { FakeWebhook } from '../fixtures/destinations/webhook.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';
import { blogPost, feedOf, tweet } from './entries.js';
import { publishHarness } from './harness.js';

const SECRET = 'test-secret-0123456789abcdef';

describe('Publish::Webhook', () => {
  let receiver: FakeWebhook;
  beforeEach(async () => {
    receiver = await startFakeWebhook({ secret: SECRET });
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('posts each entry once as signed JSON with absolute URLs and JST dates', async () => {
    const harness = await publishHarness(webhook, { url: receiver.hookUrl, secret: SECRET });
    try {
      const post = blogPost(1);
      const status = tweet('1797000000000000001', '梅雨入り &amp; 傘 ☔ https://taro.hatenablog.com/entry/2024/06/01/213000', '2024-06-01T12:34:56Z');
      const { completed, failed } = await harness.run([feedOf([post, status])]);
      expect(failed).toEqual([]);
      expect(completed).toBe(2);
      expect(receiver.rejectedSignatures).toBe(0);
      // oldest first: the tweet (2024) before the blog post (2026)
      expect(receiver.accepted.map((a) => a.item.id)).toEqual(['twitter:1797000000000000001', post.id]);
      const blog = receiver.accepted[1]!;
      expect(blog.event).toBe('item.published');
      expect(blog.idempotencyKey).toMatch(/^kakehashi-[0-9a-f]{40}$/);
      expect(blog.item).toMatchObject({
        id: post.id,
        url: 'https://taro.hatenablog.com/entry/2026/01/01/213412',
        title: '初詣に行った (1)',
        published: '2026-01-01T21:34:12+09:00',
        tags: ['日記'],
        author: 'taro',
      });
      expect(blog.item.contentHtml).toContain('href="https://taro.hatenablog.com/entry/2025/12/31/235959"');
      expect(blog.item.contentHtml).toContain('src="https://taro.hatenablog.com/images/omikuji-1.jpg"');
      expect(blog.item.contentText).toBe('近所の神社で年越しのあと、おみくじを引いた。');
      expect(status.title).toMatch(/^梅雨入り & 傘 ☔ https:.*…$/);
      expect(receiver.accepted[0]!.item).toMatchObject({
        title: status.title,
        contentText: '梅雨入り & 傘 ☔ https://taro.hatenablog.com/entry/2024/06/01/213000',
        published: '2024-06-01T21:34:56+09:00',
      });
    } finally {
      await harness.close();
    }
  });

  it('signs the exact bytes it sends, so a receiver can verify them', () => {
    const body = JSON.stringify({ id: 'x', title: '初詣' });
    expect(signWebhookBody(body, SECRET)).toBe(`sha256=${createHmac('sha256', SECRET).update(Buffer.from(body, 'utf8')).digest('hex')}`);
  });

  it('does not deliver again on a re-run, but sends a changed entry as item.updated', async () => {
    const harness = await publishHarness(webhook, { url: receiver.hookUrl, secret: SECRET });
    try {
      const post = blogPost(2);
      await harness.run([feedOf([post])]);
      const rerun = await harness.run([feedOf([post])]);
      expect(rerun.completed).toBe(0);
      expect(receiver.accepted).toHaveLength(1);
      const edited = { ...post, content: `${post.content}<p>追記: 大吉だった。</p>` };
      await harness.run([feedOf([edited])]);
      expect(receiver.accepted.map((a) => a.event)).toEqual(['item.published', 'item.updated']);
      expect(receiver.accepted[1]!.idempotencyKey).not.toBe(receiver.accepted[0]!.idempotencyKey);
      expect(receiver.accepted[1]!.item.contentText).toContain('追記: 大吉だった。');
      const record = await new DeliveryLedger(harness.store, `webhook:${receiver.hookUrl}`).get(post.id);
      expect(record).toMatchObject({ state: 'delivered', remote: { id: 'rcv-2' } });
    } finally {
      await harness.close();
    }
  });

  it('fails with the receiver’s answer when the secret is wrong, naming the URL', async () => {
    const harness = await publishHarness(webhook, { url: receiver.hookUrl, secret: 'not-the-right-secret-at-all' });
    try {
      const { failed } = await harness.run([feedOf([blogPost(3)])]);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.error).toBe(`POST ${receiver.hookUrl}: HTTP 401: bad signature`);
      expect(failed[0]!.attempts).toBe(1);
      expect(receiver.accepted).toHaveLength(0);
    } finally {
      await harness.close();
    }
  });
});

function troubleTests(makeQueue: () => Queue): void {
  let receiver: FakeWebhook;
  const queues: Queue[] = [];
  beforeEach(async () => {
    receiver = await startFakeWebhook({ secret: SECRET });
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close()));
    await receiver.close();
  });
  const harnessWith = async (scope: string) => {
    const queue = makeQueue();
    queues.push(queue);
    return publishHarness(webhook, { url: receiver.hookUrl, secret: SECRET, backoff: '100ms', attempts: 5 }, { queue, scope });
  };

  it('delivers after backoff when the receiver answers 500 and then recovers', async () => {
    const harness = await harnessWith('trouble-500/0/Publish::Webhook');
    try {
      receiver.failNext(receiver.path, 2, { status: 500, body: { error: 'database is down' } });
      const started = Date.now();
      const { completed, failed } = await harness.run([feedOf([blogPost(1)])]);
      expect(failed).toEqual([]);
      expect(completed).toBe(1);
      expect(receiver.accepted).toHaveLength(1);
      expect(receiver.requests.filter((r) => r.path === receiver.path)).toHaveLength(3);
      // two retries: 100 ms then 200 ms at least
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await harness.close();
    }
  });

  it('waits out a 429 with Retry-After, then delivers', async () => {
    const harness = await harnessWith('trouble-429/0/Publish::Webhook');
    try {
      receiver.failNext(receiver.path, 1, { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } });
      const started = Date.now();
      const { completed } = await harness.run([feedOf([blogPost(1)])]);
      expect(completed).toBe(1);
      expect(receiver.accepted).toHaveLength(1);
      const [first, second] = receiver.requests.filter((r) => r.path === receiver.path);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    } finally {
      await harness.close();
    }
  });

  it('ends a job answered 400 as failed with the reason; the other entries are delivered', async () => {
    const harness = await harnessWith('trouble-400/0/Publish::Webhook');
    try {
      // The first request (the oldest entry) is refused for good.
      receiver.failNext(receiver.path, 1, { status: 400, body: { error: 'unknown source' } });
      const entries = [blogPost(1), blogPost(2), blogPost(3)];
      const { completed, failed } = await harness.run([feedOf(entries)]);
      expect(completed).toBe(2);
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ error: `POST ${receiver.hookUrl}: HTTP 400: unknown source`, attempts: 1 });
      expect(failed[0]!.id).toContain(entries[0]!.id);
      expect(receiver.accepted.map((a) => a.item.id).sort()).toEqual([entries[1]!.id, entries[2]!.id]);
    } finally {
      await harness.close();
    }
  });
}

describe('Publish::Webhook through the in-process queue: trouble at the receiver', () => {
  troubleTests(() => new MemoryQueue());
});

describeWithRedis('Publish::Webhook through BullMQ: trouble at the receiver', () => {
  const prefix = uniquePrefix('webhook');
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
  });
  troubleTests(() => new BullQueue({ connection: TEST_REDIS_URL, prefix, log: pino({ level: 'silent' }), runWorkers: true }));
});
