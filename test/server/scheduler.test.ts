import { Queue as BullMQQueue } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { newReport } from '../../src/pipeline/report.js';
import type { RunReport } from '../../src/pipeline/report.js';
import type { ScheduledRecipe, SchedulerLog } from '../../src/server/scheduler.js';
import { Scheduler, scheduleQueueName } from '../../src/server/scheduler.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recordingLog(): SchedulerLog & { lines: string[] } {
  const lines: string[] = [];
  const record = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  return { lines, info: record, warn: record, error: record } as SchedulerLog & { lines: string[] };
}

/** A runner that takes `ms`, counting runs and the most that ever ran at once (across schedulers). */
function slowRunner(ms: number) {
  const stats = { runs: 0, running: 0, maxRunning: 0, aborted: 0 };
  const run = async (name: string, signal: AbortSignal): Promise<RunReport> => {
    stats.runs++;
    stats.running++;
    stats.maxRunning = Math.max(stats.maxRunning, stats.running);
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
          stats.aborted++;
          clearTimeout(timer);
          resolve();
        });
      });
      return newReport(name, Date.now());
    } finally {
      stats.running--;
    }
  };
  return { stats, run };
}

const schedulers: Scheduler[] = [];
function scheduler(recipes: ScheduledRecipe[], run: (name: string, signal: AbortSignal) => Promise<RunReport>, extra: Partial<ConstructorParameters<typeof Scheduler>[0]> = {}) {
  const log = recordingLog();
  const created = new Scheduler({ recipes, run, log, ...extra });
  schedulers.push(created);
  return { scheduler: created, log };
}

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
});

describe('in-process scheduling', () => {
  it('runs each recipe at start and then every interval', async () => {
    const { stats, run } = slowRunner(10);
    const { scheduler: s } = scheduler([{ name: 'fast', schedule: { every: '150ms' } }], run);
    await s.start();
    await sleep(30);
    expect(stats.runs).toBe(1);
    await sleep(500);
    expect(stats.runs).toBeGreaterThanOrEqual(3);
    expect(stats.runs).toBeLessThanOrEqual(5);
    const state = s.state('fast');
    expect(state?.schedule).toBe('every 150ms');
    expect(state?.intervalMs).toBe(150);
    expect(state?.nextRunAt).toBeGreaterThan(Date.now() - 10);
  });

  it('never overlaps a run with itself: a tick that finds it running is skipped', async () => {
    const { stats, run } = slowRunner(400);
    const { scheduler: s, log } = scheduler([{ name: 'slow', schedule: { every: '100ms' } }], run);
    await s.start();
    await sleep(950);
    expect(stats.maxRunning).toBe(1);
    expect(stats.runs).toBeGreaterThanOrEqual(2);
    expect(stats.runs).toBeLessThanOrEqual(3);
    expect(log.lines.some((line) => line.includes('previous run still going; this one is skipped'))).toBe(true);
  });

  it('fires cron patterns in the recipe’s zone and tells when the next run is', async () => {
    const { stats, run } = slowRunner(5);
    const { scheduler: s } = scheduler([{ name: 'cron', schedule: '* * * * * *', timezone: 'Asia/Tokyo' }], run, { runAtStart: false });
    await s.start();
    const next = s.state('cron')?.nextRunAt as number;
    expect(next - Date.now()).toBeLessThanOrEqual(1000);
    await sleep(1300);
    expect(stats.runs).toBeGreaterThanOrEqual(1);
    // A daily pattern at 09:00 in Tokyo is 00:00 UTC, whatever the machine's zone.
    const daily = new Scheduler({ recipes: [{ name: 'daily', schedule: '0 9 * * *', timezone: 'Asia/Tokyo' }], run, log: recordingLog() });
    schedulers.push(daily);
    await daily.start();
    expect(new Date(daily.state('daily')?.nextRunAt as number).toISOString()).toMatch(/T00:00:00\.000Z$/);
    expect(daily.state('daily')?.intervalMs).toBe(86_400_000);
  });

  it('waits for the schedule when asked not to run at start', async () => {
    const { stats, run } = slowRunner(5);
    const { scheduler: s } = scheduler([{ name: 'later', schedule: { every: '1h' } }], run, { runAtStart: false });
    await s.start();
    await sleep(100);
    expect(stats.runs).toBe(0);
  });

  it('on stop, aborts the run in progress, waits for it and fires no more', async () => {
    const { stats, run } = slowRunner(10_000);
    const { scheduler: s } = scheduler([{ name: 'long', schedule: { every: '50ms' } }], run);
    await s.start();
    await sleep(30);
    expect(s.state('long')?.running).toBe(true);
    const started = Date.now();
    await s.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stats.aborted).toBe(1);
    expect(stats.running).toBe(0);
    await sleep(150);
    expect(stats.runs).toBe(1);
  });

  it('refuses a schedule that is not a cron pattern or a duration', () => {
    const run = slowRunner(1).run;
    expect(() => new Scheduler({ recipes: [{ name: 'x', schedule: 'every day' }], run, log: recordingLog() })).toThrow(/schedule "every day" is not a cron pattern/);
    expect(() => new Scheduler({ recipes: [{ name: 'x', schedule: { every: 'often' } }], run, log: recordingLog() })).toThrow(/cannot read duration "often"/);
  });

  it('reports a run that throws and carries on with the next one', async () => {
    let calls = 0;
    const { scheduler: s } = scheduler([{ name: 'flaky', schedule: { every: '100ms' } }], async (name) => {
      calls++;
      if (calls === 1) throw new Error('recipe file went missing');
      return newReport(name, Date.now());
    });
    await s.start();
    await sleep(30);
    expect(s.state('flaky')?.lastError).toBe('recipe file went missing');
    await sleep(200);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(s.state('flaky')?.lastError).toBeUndefined();
  });
});

describeWithRedis('BullMQ job schedulers', () => {
  const prefix = uniquePrefix('server-scheduler');

  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('two servers share one schedule and never run one recipe at the same time', async () => {
    const { stats, run } = slowRunner(350);
    const recipe = { name: 'shared', schedule: { every: '200ms' } };
    const a = scheduler([recipe], run, { redis: TEST_REDIS_URL, prefix });
    const b = scheduler([recipe], run, { redis: TEST_REDIS_URL, prefix });
    // Both start together and both want to run at start: one of them gets the lease.
    await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    await sleep(2000);
    expect(stats.maxRunning).toBe(1);
    expect(stats.runs).toBeGreaterThanOrEqual(3);
    const skipped = [...a.log.lines, ...b.log.lines].filter((line) => line.includes('another server is running this recipe')).length;
    const stillGoing = [...a.log.lines, ...b.log.lines].filter((line) => line.includes('previous run still going')).length;
    expect(skipped + stillGoing).toBeGreaterThan(0);

    const queue = new BullMQQueue(scheduleQueueName('shared'), { connection: { url: TEST_REDIS_URL }, prefix });
    const jobScheduler = await queue.getJobScheduler('shared');
    expect(jobScheduler?.every).toBe(200);
    expect(a.scheduler.state('shared')?.nextRunAt).toBeGreaterThan(0);
    await queue.close();
  });

  it('removes the job scheduler of a recipe whose schedule was taken out', async () => {
    const { run } = slowRunner(5);
    const first = scheduler([{ name: 'dropped', schedule: '0 * * * *' }], run, { redis: TEST_REDIS_URL, prefix, runAtStart: false });
    await first.scheduler.start();
    const queue = new BullMQQueue(scheduleQueueName('dropped'), { connection: { url: TEST_REDIS_URL }, prefix });
    expect((await queue.getJobScheduler('dropped'))?.pattern).toBe('0 * * * *');
    await first.scheduler.stop();
    const second = scheduler([{ name: 'dropped' }], run, { redis: TEST_REDIS_URL, prefix, runAtStart: false });
    await second.scheduler.start();
    expect(await queue.getJobScheduler('dropped')).toBeUndefined();
    await queue.close();
  });
});
