/**
 * The queue semantics a recipe relies on, run against both backends: a recipe must behave the
 * same in-process and on Redis.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { JobInfo, Queue } from '../../src/pipeline/context.js';
import { PermanentJobError } from '../../src/pipeline/context.js';
import { MemoryQueue } from '../../src/queue/memory.js';
import { BullQueue } from '../../src/queue/bullmq.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';

const log = pino({ level: 'silent' });

class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

function semantics(makeQueue: () => Queue): void {
  const open: Queue[] = [];
  const queue = (): Queue => {
    const made = makeQueue();
    open.push(made);
    return made;
  };
  afterAll(async () => {
    await Promise.all(open.map((q) => q.close()));
  });

  it('runs a job once however often the same id is added', async () => {
    const q = queue();
    const seen: string[] = [];
    q.register<{ n: number }>('once', async (data, job) => void seen.push(`${job.id}:${data.n}`));
    await q.add('once', { n: 1 }, { jobId: 'entry-1@v1' });
    await q.add('once', { n: 2 }, { jobId: 'entry-1@v1' });
    await q.add('once', { n: 3 }, { jobId: 'entry-2@v1' });
    const result = await q.drain();
    await q.add('once', { n: 4 }, { jobId: 'entry-1@v1' });
    const again = await q.drain();
    expect(seen.sort()).toEqual(['entry-1@v1:1', 'entry-2@v1:3']);
    expect(result).toEqual({ completed: 2, failed: [] });
    expect(again.completed).toBe(0);
  });

  it('accepts ids that are URLs or look like numbers, and hands the same id back to the handler', async () => {
    const q = queue();
    const ids: string[] = [];
    q.register('urls', async (_data, job) => void ids.push(job.id));
    await q.add('urls', {}, { jobId: 'https://taro.example/entry/1' });
    await q.add('urls', {}, { jobId: '1797000000000000001' });
    await q.drain();
    expect(ids.sort()).toEqual(['1797000000000000001', 'https://taro.example/entry/1']);
  });

  it('retries with exponential backoff until the job succeeds', async () => {
    const q = queue();
    const attempts: Array<{ attempt: number; at: number }> = [];
    q.register(
      'flaky',
      async (_data, job: JobInfo) => {
        attempts.push({ attempt: job.attempt, at: Date.now() });
        if (job.attempt < 3) throw new Error(`destination answered 500 (attempt ${job.attempt})`);
      },
      { attempts: 4, backoffMs: 150 },
    );
    await q.add('flaky', {}, { jobId: 'flaky-1' });
    const result = await q.drain();
    expect(result).toEqual({ completed: 1, failed: [] });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    const firstWait = attempts[1]!.at - attempts[0]!.at;
    const secondWait = attempts[2]!.at - attempts[1]!.at;
    expect(firstWait).toBeGreaterThanOrEqual(140);
    // doubled, not constant: 300 ms at least (minus timer slack)
    expect(secondWait).toBeGreaterThanOrEqual(290);
  });

  it("waits at least a destination's Retry-After when it is longer than the backoff", async () => {
    const q = queue();
    const times: number[] = [];
    q.register(
      'limited',
      async (_data, job) => {
        times.push(Date.now());
        if (job.attempt === 1) throw new RetryLater('429 Too Many Requests', 700);
      },
      { attempts: 3, backoffMs: 50 },
    );
    await q.add('limited', {}, { jobId: 'limited-1' });
    expect((await q.drain()).completed).toBe(1);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(690);
  });

  it('fails a job for good on a permanent error, with the error, and the others go on', async () => {
    const q = queue();
    const delivered: number[] = [];
    let rejectedAttempts = 0;
    q.register<{ n: number }>(
      'mixed',
      async ({ n }) => {
        if (n === 2) {
          rejectedAttempts++;
          throw new PermanentJobError('https://dest.example/api: HTTP 400: text is too long');
        }
        delivered.push(n);
      },
      { attempts: 5, backoffMs: 50 },
    );
    for (const n of [1, 2, 3, 4]) await q.add('mixed', { n }, { jobId: `mixed-${n}` });
    const result = await q.drain();
    expect(delivered.sort()).toEqual([1, 3, 4]);
    expect(rejectedAttempts).toBe(1);
    expect(result.completed).toBe(3);
    expect(result.failed).toEqual([
      { id: 'mixed-2', name: 'mixed', error: 'https://dest.example/api: HTTP 400: text is too long', attempts: 1 },
    ]);
  });

  it('gives up after the last attempt and reports the last error', async () => {
    const q = queue();
    q.register(
      'down',
      async (_data, job) => {
        throw new Error(`connect ECONNREFUSED (attempt ${job.attempt})`);
      },
      { attempts: 3, backoffMs: 20 },
    );
    await q.add('down', {}, { jobId: 'down-1' });
    const { failed } = await q.drain();
    expect(failed).toEqual([{ id: 'down-1', name: 'down', error: 'connect ECONNREFUSED (attempt 3)', attempts: 3 }]);
  });

  it('runs at most `concurrency` jobs of a handler at once, and uses that many', async () => {
    const q = queue();
    let running = 0;
    let most = 0;
    q.register(
      'parallel',
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 80));
        running--;
      },
      { concurrency: 3 },
    );
    for (let n = 0; n < 9; n++) await q.add('parallel', { n }, { jobId: `parallel-${n}` });
    expect((await q.drain()).completed).toBe(9);
    expect(most).toBe(3);
  });

  it('starts no more than the rate limit allows per window', async () => {
    const q = queue();
    const starts: number[] = [];
    q.register('rated', async () => void starts.push(Date.now()), {
      concurrency: 4,
      rateLimit: { max: 2, durationMs: 400 },
    });
    const began = Date.now();
    for (let n = 0; n < 6; n++) await q.add('rated', { n }, { jobId: `rated-${n}` });
    expect((await q.drain()).completed).toBe(6);
    starts.sort((a, b) => a - b);
    // Six jobs at two per 400 ms need three windows: the last starts 800 ms after the first.
    expect(starts[5]! - began).toBeGreaterThanOrEqual(780);
    expect(starts.filter((t) => t < starts[0]! + 390).length).toBeLessThanOrEqual(2);
  });
}

describe('MemoryQueue', () => {
  semantics(() => new MemoryQueue());

  it('says each failed attempt as it happens, with the error and when it will be tried again', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logged = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const q = new MemoryQueue({ log: logged });
    q.register('post', async () => {
      throw new Error('https://mastodon.example/api/v1/statuses: HTTP 503 Service Unavailable');
    }, { attempts: 2, backoffMs: 50 });
    await q.add('post', {}, { jobId: 'note-1' });
    expect(await q.drain()).toMatchObject({ completed: 0, failed: [{ id: 'note-1', attempts: 2 }] });
    await q.close();
    expect(lines.map((line) => [line.msg, line.job, line.attempt])).toEqual([
      ['job failed; will retry', 'note-1', 1],
      ['job failed for good', 'note-1', 2],
    ]);
    expect(lines[0]).toMatchObject({ error: 'https://mastodon.example/api/v1/statuses: HTTP 503 Service Unavailable', of: 2 });
    expect(lines[0]!.retryInMs).toBeGreaterThanOrEqual(25);
  });
});

describeWithRedis('BullQueue', () => {
  const prefix = uniquePrefix('semantics');
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
  });
  semantics(() => new BullQueue({ connection: TEST_REDIS_URL, prefix, log, runWorkers: true }));
});
