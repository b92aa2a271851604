/**
 * Redis stops in the middle of a run and comes back: nothing is lost. The test runs its own
 * redis-server on its own port (the shared one is never touched), with AOF on as a queue's Redis
 * must have; jobs wait through the outage and the receiver ends with every item exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import webhook from '../../src/plugins/publish/webhook.js';
import { BullQueue } from '../../src/queue/bullmq.js';
import { startFakeWebhook } from '../fixtures/destinations/webhook.js';
import { describeWithRedis, startPrivateRedis } from '../helpers/redis.js';
import type { PrivateRedis } from '../helpers/redis.js';
import { feedOf, tweets } from '../publish/entries.js';
import { publishHarness } from '../publish/harness.js';

const SECRET = 'outage-secret-0123456789';
const ITEMS = 40;

describeWithRedis('BullQueue across a Redis restart', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('delivers every job exactly once when Redis stops mid-run and starts again', async () => {
    let acceptedWhenStopped = -1;
    // A slowish receiver, so that the outage falls in the middle of the run.
    const receiver = await startFakeWebhook({ secret: SECRET, delayMs: 25 });
    const queue = new BullQueue({
      connection: redis.url,
      prefix: 'kh-outage',
      log: pino({ level: 'silent' }),
      runWorkers: true,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
    });
    const harness = await publishHarness(webhook, { url: receiver.hookUrl, secret: SECRET, concurrency: 2, backoff: '100ms', attempts: 10 }, { queue });
    try {
      await harness.publish([feedOf(tweets(ITEMS))]);
      const outage = (async () => {
        while (receiver.accepted.length < 10) await new Promise((resolve) => setTimeout(resolve, 10));
        await redis.stop();
        acceptedWhenStopped = receiver.accepted.length;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await redis.start();
      })();
      const { completed, failed } = await queue.drain();
      await outage;
      // Redis really went away in the middle of the run.
      expect(acceptedWhenStopped).toBeGreaterThanOrEqual(10);
      expect(acceptedWhenStopped).toBeLessThan(ITEMS);
      expect(failed).toEqual([]);
      expect(completed).toBe(ITEMS);
      const ids = receiver.accepted.map((a) => a.item.id);
      expect(ids).toHaveLength(ITEMS);
      expect(new Set(ids).size).toBe(ITEMS);
    } finally {
      await harness.close();
      await queue.close();
      await receiver.close();
    }
  }, 60_000);
});
