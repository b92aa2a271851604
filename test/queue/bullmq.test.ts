/**
 * What only the Redis backend does: producers and workers in different processes (here, different
 * queue instances), jobs handed back on shutdown, failures retried by a later run.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import { pino } from 'pino';
import { PermanentJobError } from '../../src/pipeline/context.js';
import { BullQueue } from '../../src/queue/bullmq.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';

const log = pino({ level: 'silent' });

describeWithRedis('BullQueue across processes', () => {
  const prefix = uniquePrefix('bullmq');
  const open: BullQueue[] = [];
  const queue = (runWorkers: boolean, extra: Partial<ConstructorParameters<typeof BullQueue>[0]> = {}) => {
    const made = new BullQueue({ connection: TEST_REDIS_URL, prefix, log, runWorkers, ...extra });
    open.push(made);
    return made;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close(0)));
  });
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('a producer that runs no workers waits for the jobs another process delivers', async () => {
    const seenBy: string[] = [];
    const producer = queue(false);
    producer.register('cross/0/Publish::Webhook:deliver', async () => void seenBy.push('producer'));
    const worker = queue(true);
    worker.register<{ n: number }>('cross/0/Publish::Webhook:deliver', async ({ n }) => void seenBy.push(`worker:${n}`));
    for (let n = 1; n <= 5; n++) await producer.add('cross/0/Publish::Webhook:deliver', { n }, { jobId: `cross-${n}` });
    const progress = producer.progress();
    expect(progress.completed + progress.pending).toBe(5);
    const result = await producer.drain();
    expect(result).toEqual({ completed: 5, failed: [] });
    expect(seenBy.sort()).toEqual(['worker:1', 'worker:2', 'worker:3', 'worker:4', 'worker:5']);
    await expect.poll(() => worker.processed).toEqual({ completed: 5, failed: 0 });
  });

  it('hands an unfinished job back on shutdown, and another worker takes it at once', async () => {
    const producer = queue(false);
    producer.register('handback/0/Publish::Mastodon:post', async () => undefined);
    let startedOnFirst!: () => void;
    const started = new Promise<void>((resolve) => (startedOnFirst = resolve));
    // A lock far longer than the test: only a hand-back, not stall recovery, can move the job.
    const first = queue(true, { lockDurationMs: 60_000 });
    first.register('handback/0/Publish::Mastodon:post', async () => {
      startedOnFirst();
      await new Promise((resolve) => setTimeout(resolve, 30_000));
    });
    await producer.add('handback/0/Publish::Mastodon:post', {}, { jobId: 'slow-one' });
    await started;
    const closed = first.close(200);
    const second = queue(true);
    const tookOver = Date.now();
    second.register('handback/0/Publish::Mastodon:post', async (_data, job) => ({ tookOverAs: job.id }));
    await closed;
    expect(await producer.drain()).toEqual({ completed: 1, failed: [] });
    expect(Date.now() - tookOver).toBeLessThan(10_000);
    // The worker hears of its own completion a moment after the event reaches the producer.
    await expect.poll(() => second.processed.completed).toBe(1);
    expect(first.processed.completed).toBe(0);
  });

  it('tries a job that failed for good again when a later run adds it again', async () => {
    let broken = true;
    const handler = async () => {
      if (broken) throw new PermanentJobError('https://misskey.example/api/notes/create: HTTP 401: CREDENTIAL_REQUIRED');
    };
    const firstRun = queue(true);
    firstRun.register('again/0/Publish::Misskey:post', handler);
    await firstRun.add('again/0/Publish::Misskey:post', {}, { jobId: 'note-1@v1' });
    expect((await firstRun.drain()).failed).toEqual([
      { id: 'note-1@v1', name: 'again/0/Publish::Misskey:post', error: 'https://misskey.example/api/notes/create: HTTP 401: CREDENTIAL_REQUIRED', attempts: 1 },
    ]);
    broken = false;
    const secondRun = queue(true);
    secondRun.register('again/0/Publish::Misskey:post', handler);
    await secondRun.add('again/0/Publish::Misskey:post', {}, { jobId: 'note-1@v1' });
    expect(await secondRun.drain()).toEqual({ completed: 1, failed: [] });
    // Completed now: a third run adds nothing.
    const thirdRun = queue(true);
    thirdRun.register('again/0/Publish::Misskey:post', handler);
    await thirdRun.add('again/0/Publish::Misskey:post', {}, { jobId: 'note-1@v1' });
    expect(thirdRun.progress().pending).toBe(0);
  });

  it('a second producer adding a job that is still waiting waits for it instead of adding it again', async () => {
    let runs = 0;
    const first = queue(false);
    const second = queue(false);
    for (const producer of [first, second]) producer.register('twice/0/Publish::Webhook:deliver', async () => undefined);
    await first.add('twice/0/Publish::Webhook:deliver', {}, { jobId: 'note-9@v1' });
    await second.add('twice/0/Publish::Webhook:deliver', {}, { jobId: 'note-9@v1' });
    expect(second.progress().pending).toBe(1);
    queue(true).register('twice/0/Publish::Webhook:deliver', async () => void runs++);
    expect(await second.drain()).toEqual({ completed: 1, failed: [] });
    expect(await first.drain()).toEqual({ completed: 1, failed: [] });
    expect(runs).toBe(1);
  });

  it('says which handler is missing when a job is added without one', async () => {
    await expect(queue(false).add('nobody/0/Publish::Nothing:post', {})).rejects.toThrow('no handler registered for job nobody/0/Publish::Nothing:post');
  });
});
