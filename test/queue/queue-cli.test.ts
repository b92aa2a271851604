import { afterAll, afterEach, expect, it } from 'vitest';
import { pino } from 'pino';
import { PermanentJobError } from '../../src/pipeline/context.js';
import { queueCommand } from '../../src/cli/queue.js';
import { BullQueue } from '../../src/queue/bullmq.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';

const log = pino({ level: 'silent' });
const HANDLER = 'import-twitter-archive-mastodon/2/Publish::Mastodon:post';

async function kakehashiQueue(...args: string[]): Promise<{ lines: string[]; exitCode: number }> {
  const lines: string[] = [];
  const before = process.exitCode;
  process.exitCode = 0;
  await queueCommand((line) => lines.push(line)).parseAsync(args, { from: 'user' });
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { lines, exitCode };
}

describeWithRedis('kakehashi queue status | retry | drain', () => {
  const prefix = uniquePrefix('queue-cli');
  const queues: BullQueue[] = [];
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close()));
  });
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('shows counts and each failure’s last error, retries failures, and waits for the queue to drain', async () => {
    let destinationBroken = true;
    const queue = new BullQueue({ connection: TEST_REDIS_URL, prefix, log, runWorkers: true });
    queues.push(queue);
    queue.register<{ n: number }>(
      HANDLER,
      async ({ n }) => {
        if (destinationBroken && n % 2 === 0) {
          throw new PermanentJobError(`POST https://social.example/api/v1/statuses: HTTP 422: Validation failed (${n})`);
        }
      },
      { backoffMs: 10 },
    );
    for (let n = 1; n <= 5; n++) await queue.add(HANDLER, { n }, { jobId: `mastodon:https://social.example|twitter:${n}@v1` });
    expect((await queue.drain()).failed).toHaveLength(2);

    const status = await kakehashiQueue('status', '--redis', TEST_REDIS_URL, '--prefix', prefix);
    expect(status.exitCode).toBe(0);
    expect(status.lines[0]).toBe(`Redis ${TEST_REDIS_URL}, prefix ${prefix}: 1 queue(s)`);
    expect(status.lines).toContain(HANDLER);
    expect(status.lines).toContain('  waiting 0  active 0  retrying 0  completed 3  failed 2');
    expect(status.lines).toContain('  ✗ mastodon:https://social.example|twitter:2@v1');
    expect(status.lines.some((l) => /^ {6}\d{4}-\d{2}-\d{2} \d{2}:\d{2} after 1 attempt\(s\): POST https:\/\/social\.example\/api\/v1\/statuses: HTTP 422: Validation failed \(2\)$/.test(l))).toBe(true);

    destinationBroken = false;
    const retried = await kakehashiQueue('retry', '--redis', TEST_REDIS_URL, '--prefix', prefix);
    expect(retried.lines).toEqual(['2 failed deliveries put back in the queue']);
    const drained = await kakehashiQueue('drain', '--redis', TEST_REDIS_URL, '--prefix', prefix, '--timeout', '20');
    expect(drained).toEqual({ lines: ['drained'], exitCode: 0 });

    const json = await kakehashiQueue('status', '--redis', TEST_REDIS_URL, '--prefix', prefix, '--json');
    expect(JSON.parse(json.lines.join('\n'))).toEqual([
      { handler: HANDLER, counts: { waiting: 0, active: 0, delayed: 0, completed: 5, failed: 0 }, failed: [] },
    ]);
  });

  it('retries only the failures it is given by key', async () => {
    const queue = new BullQueue({ connection: TEST_REDIS_URL, prefix, log, runWorkers: true });
    queues.push(queue);
    const name = 'one-by-one/0/Publish::Webhook:deliver';
    let fail = true;
    queue.register(name, async () => {
      if (fail) throw new PermanentJobError('HTTP 400');
    });
    await queue.add(name, {}, { jobId: 'a' });
    await queue.add(name, {}, { jobId: 'b' });
    await queue.drain();
    fail = false;
    const retried = await kakehashiQueue('retry', 'b', '--handler', name, '--redis', TEST_REDIS_URL, '--prefix', prefix);
    expect(retried.lines).toEqual(['1 failed delivery put back in the queue']);
    await kakehashiQueue('drain', '--redis', TEST_REDIS_URL, '--prefix', prefix, '--timeout', '20');
    const status = await kakehashiQueue('status', '--redis', TEST_REDIS_URL, '--prefix', prefix);
    const at = status.lines.indexOf(name);
    expect(status.lines[at + 1]).toBe('  waiting 0  active 0  retrying 0  completed 1  failed 1');
    expect(status.lines[at + 2]).toBe('  ✗ a');
  });

  it('discards waiting deliveries when asked to', async () => {
    const producer = new BullQueue({ connection: TEST_REDIS_URL, prefix, log, runWorkers: false });
    queues.push(producer);
    const name = 'no-worker/0/Publish::Misskey:post';
    producer.register(name, async () => undefined);
    for (const id of ['x', 'y', 'z']) await producer.add(name, {}, { jobId: id });
    const result = await kakehashiQueue('drain', '--discard', '--handler', name, '--redis', TEST_REDIS_URL, '--prefix', prefix);
    expect(result.lines).toEqual(['3 waiting deliveries removed']);
    const status = await kakehashiQueue('status', '--redis', TEST_REDIS_URL, '--prefix', prefix, '--json');
    const mine = (JSON.parse(status.lines.join('\n')) as Array<{ handler: string; counts: { waiting: number } }>).find((s) => s.handler === name);
    expect(mine!.counts.waiting).toBe(0);
  });

  it('says how to give it a Redis when there is none', async () => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      expect(await kakehashiQueue('status')).toEqual({ lines: ['kakehashi queue: kakehashi queue needs a Redis: --redis URL or REDIS_URL'], exitCode: 2 });
    } finally {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    }
  });
});
