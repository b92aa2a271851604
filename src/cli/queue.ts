/**
 * `kakehashi queue status | retry | drain` — the operator's view of the BullMQ queues: how many
 * deliveries wait, run, wait to be retried, are done or failed for good, with each failure's last
 * error; failed deliveries put back; waiting until everything is delivered (or, with --discard,
 * dropping what has not started).
 */
import { Command, Option } from 'commander';
import type { Queue as BullMQQueue, Job } from 'bullmq';
import { formatDate } from '../text/dates.js';
import type { JobEnvelope } from '../queue/bullmq.js';
import { handlerNameOf, queueIndexKey, redactUrl } from '../queue/names.js';
import { createProgress } from './progress.js';

export type Out = (line: string) => void;

const COUNTED_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'] as const;

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}

export interface FailedDelivery {
  /** The job key the publisher chose (destination | entry id @ version). */
  key: string;
  error: string;
  attempts: number;
  failedAt?: number;
}

export interface HandlerStatus {
  handler: string;
  counts: QueueCounts;
  failed: FailedDelivery[];
}

interface Connection {
  redis: string;
  prefix: string;
}

async function withQueues<T>(connection: Connection, use: (queues: Array<{ handler: string; queue: BullMQQueue<JobEnvelope> }>) => Promise<T>): Promise<T> {
  // Loaded here, not with the CLI: every other command starts faster without BullMQ and ioredis.
  const [{ Redis }, { Queue }] = await Promise.all([import('ioredis'), import('bullmq')]);
  const client = new Redis(connection.redis, { maxRetriesPerRequest: 2, connectTimeout: 5000 });
  client.on('error', () => undefined);
  const queues: Array<{ handler: string; queue: BullMQQueue<JobEnvelope> }> = [];
  try {
    let names: string[];
    try {
      names = (await client.smembers(queueIndexKey(connection.prefix))).sort();
    } catch (error) {
      throw new Error(`cannot read the queues in Redis ${redactUrl(connection.redis)}: ${(error as Error).message}`, { cause: error });
    }
    for (const name of names) {
      queues.push({ handler: handlerNameOf(name), queue: new Queue<JobEnvelope>(name, { connection: client, prefix: connection.prefix }) });
    }
    return await use(queues);
  } finally {
    await Promise.all(queues.map(({ queue }) => queue.close()));
    client.disconnect();
  }
}

function failureOf(job: Job<JobEnvelope>): FailedDelivery {
  return {
    key: job.data?.key ?? job.id ?? '?',
    error: job.failedReason ?? '(no reason recorded)',
    attempts: job.attemptsMade,
    ...(job.finishedOn ? { failedAt: job.finishedOn } : {}),
  };
}

export async function queueStatus(connection: Connection, failedToShow = 10): Promise<HandlerStatus[]> {
  return withQueues(connection, async (queues) =>
    Promise.all(
      queues.map(async ({ handler, queue }) => {
        const raw = await queue.getJobCounts(...COUNTED_STATES);
        const failedJobs = failedToShow > 0 ? await queue.getFailed(0, failedToShow - 1) : [];
        return {
          handler,
          counts: {
            waiting: (raw.waiting ?? 0) + (raw.prioritized ?? 0),
            active: raw.active ?? 0,
            delayed: raw.delayed ?? 0,
            completed: raw.completed ?? 0,
            failed: raw.failed ?? 0,
          },
          failed: failedJobs.filter(Boolean).map(failureOf),
        };
      }),
    ),
  );
}

export function formatStatus(statuses: HandlerStatus[], connection: Connection, timezone = 'Asia/Tokyo'): string[] {
  const lines = [`Redis ${redactUrl(connection.redis)}, prefix ${connection.prefix}: ${statuses.length} queue(s)`];
  for (const { handler, counts, failed } of statuses) {
    lines.push(handler);
    lines.push(
      `  waiting ${counts.waiting}  active ${counts.active}  retrying ${counts.delayed}  completed ${counts.completed}  failed ${counts.failed}`,
    );
    for (const failure of failed) {
      const when = failure.failedAt ? `${formatDate(failure.failedAt, timezone, 'display')} ` : '';
      lines.push(`  ✗ ${failure.key}`);
      lines.push(`      ${when}after ${failure.attempts} attempt(s): ${failure.error}`);
    }
    if (counts.failed > failed.length) lines.push(`  … and ${counts.failed - failed.length} more failed (--failed N to show more)`);
  }
  return lines;
}

/** Put failed deliveries back in the queue: all of them, one handler's, or those with the given keys. */
export async function retryFailed(connection: Connection, filter: { handler?: string; keys?: string[] } = {}): Promise<number> {
  return withQueues(connection, async (queues) => {
    let retried = 0;
    for (const { handler, queue } of queues) {
      if (filter.handler && handler !== filter.handler) continue;
      const failed = (await queue.getFailed(0, -1)).filter(Boolean);
      for (const job of failed) {
        if (filter.keys?.length && !filter.keys.includes(job.data?.key ?? '') && !filter.keys.includes(job.id ?? '')) continue;
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        retried++;
      }
    }
    return retried;
  });
}

/** Remove what waits or waits to be retried (not what runs, is done or failed). */
export async function discardWaiting(connection: Connection, handler?: string): Promise<number> {
  return withQueues(connection, async (queues) => {
    let removed = 0;
    for (const { handler: name, queue } of queues) {
      if (handler && name !== handler) continue;
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
      removed += Object.values(counts).reduce((a, b) => a + b, 0);
      await queue.drain(true);
    }
    return removed;
  });
}

/** Wait until nothing waits, runs or waits to be retried; returns the failures that appeared meanwhile. */
export async function waitUntilDrained(
  connection: Connection,
  options: { timeoutMs?: number; pollMs?: number; onProgress?: (done: number, total: number, failed: number) => void } = {},
): Promise<{ drained: boolean; newlyFailed: number }> {
  const deadline = Date.now() + (options.timeoutMs ?? Infinity);
  const pollMs = options.pollMs ?? 1000;
  const snapshot = async () => {
    const statuses = await queueStatus(connection, 0);
    const sum = (pick: (c: QueueCounts) => number) => statuses.reduce((total, s) => total + pick(s.counts), 0);
    return { open: sum((c) => c.waiting + c.active + c.delayed), completed: sum((c) => c.completed), failed: sum((c) => c.failed) };
  };
  const start = await snapshot();
  for (;;) {
    const now = await snapshot();
    const done = now.completed - start.completed + (now.failed - start.failed);
    options.onProgress?.(Math.max(0, done), Math.max(0, done) + now.open, now.failed - start.failed);
    if (now.open === 0) return { drained: true, newlyFailed: now.failed - start.failed };
    if (Date.now() >= deadline) return { drained: false, newlyFailed: now.failed - start.failed };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

class QueueCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function connectionFrom(options: { redis?: string; prefix: string }): Connection {
  if (!options.redis) throw new QueueCommandError('kakehashi queue needs a Redis: --redis URL or REDIS_URL', 2);
  return { redis: options.redis, prefix: options.prefix };
}

function nonNegativeInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`expected a whole number, got ${value}`);
  return parsed;
}

/**
 * The `queue` command. `out` receives the lines to print; a failed or unfinished drain sets
 * `process.exitCode` to 1 (2 for bad usage) the way the rest of the CLI does.
 */
export function queueCommand(out: Out = (line) => process.stdout.write(`${line}\n`)): Command {
  const redisOption = () => new Option('--redis <url>', 'Redis URL of the queue').env('REDIS_URL');
  const prefixOption = () => new Option('--prefix <prefix>', 'BullMQ key prefix').default('kakehashi');
  const guarded = <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await action(...args);
      } catch (error) {
        out(`kakehashi queue: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = error instanceof QueueCommandError ? error.exitCode : 1;
      }
    };

  const command = new Command('queue').description('Show and manage the delivery queues in Redis (waiting, failed, completed).');

  command
    .command('status')
    .description('Counts per delivery queue, and the last failures with their errors.')
    .addOption(redisOption())
    .addOption(prefixOption())
    .option('--failed <n>', 'failures to show per queue', nonNegativeInt, 10)
    .option('--json', 'print JSON')
    .action(
      guarded(async (options: { redis?: string; prefix: string; failed: number; json?: boolean }) => {
        const connection = connectionFrom(options);
        const statuses = await queueStatus(connection, options.failed);
        if (options.json) out(JSON.stringify(statuses, null, 2));
        else for (const line of formatStatus(statuses, connection)) out(line);
      }),
    );

  command
    .command('retry')
    .description('Put failed deliveries back in the queue: all, one handler’s (--handler), or the given job keys.')
    .argument('[keys...]', 'job keys as `queue status` prints them')
    .addOption(redisOption())
    .addOption(prefixOption())
    .option('--handler <name>', 'only this handler’s failures (as `queue status` names it)')
    .action(
      guarded(async (keys: string[], options: { redis?: string; prefix: string; handler?: string }) => {
        const retried = await retryFailed(connectionFrom(options), {
          ...(options.handler ? { handler: options.handler } : {}),
          ...(keys.length ? { keys } : {}),
        });
        out(`${retried} failed deliver${retried === 1 ? 'y' : 'ies'} put back in the queue`);
      }),
    );

  command
    .command('drain')
    .description('Wait until every waiting delivery is done (progress shown); --discard removes them instead.')
    .addOption(redisOption())
    .addOption(prefixOption())
    .option('--timeout <seconds>', 'give up waiting after this long', nonNegativeInt)
    .option('--discard', 'remove waiting and retrying deliveries instead of waiting for them')
    .option('--handler <name>', 'with --discard: only this handler’s queue')
    .action(
      guarded(async (options: { redis?: string; prefix: string; timeout?: number; discard?: boolean; handler?: string }) => {
        const connection = connectionFrom(options);
        if (options.discard) {
          const removed = await discardWaiting(connection, options.handler);
          out(`${removed} waiting deliver${removed === 1 ? 'y' : 'ies'} removed`);
          return;
        }
        const progress = createProgress({ label: 'deliveries' });
        const result = await waitUntilDrained(connection, {
          ...(options.timeout !== undefined ? { timeoutMs: options.timeout * 1000 } : {}),
          onProgress: (done, total, failed) => progress.update(done, total, failed),
        });
        progress.stop();
        if (!result.drained) throw new QueueCommandError(`still deliveries waiting after ${options.timeout} s`, 1);
        out(`drained${result.newlyFailed ? `; ${result.newlyFailed} failed meanwhile (kakehashi queue status shows why)` : ''}`);
        if (result.newlyFailed) process.exitCode = 1;
      }),
    );

  return command;
}
