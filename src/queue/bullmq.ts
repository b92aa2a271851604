/**
 * The Redis-backed queue (DESIGN.md §6): the same semantics as the in-process MemoryQueue —
 * deterministic job ids, retries with exponential backoff and jitter (a destination's
 * `Retry-After` wins when longer), concurrency and a rate limit per handler — but shared by every
 * `kakehashi worker` on any machine that reaches the same Redis.
 *
 * BullMQ's rate limiter belongs to a queue, not to a job name, so each handler (one destination of
 * one publish plugin instance) gets its own BullMQ queue. Handler names are URI-encoded into queue
 * names because BullMQ forbids `:` in them, and recorded in a set so that `kakehashi queue status`
 * can list them.
 */
import { createHash } from 'node:crypto';
import { Queue as BullMQQueue, QueueEvents, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Job, JobState } from 'bullmq';
import { Redis } from 'ioredis';
import type {
  HandlerOptions,
  JobFailure,
  JobHandler,
  JobOptions,
  Logger,
  Queue,
} from '../pipeline/context.js';
import { PermanentJobError } from '../pipeline/context.js';
import { retryDelayMs } from './memory.js';
import { handlerNameOf, queueIndexKey, queueNameFor, redactUrl } from './names.js';

export { handlerNameOf, queueIndexKey, queueNameFor, redactUrl };

export interface BullQueueOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  connection: string;
  /** Key prefix of every BullMQ key (default `kakehashi`); tests use their own. */
  prefix?: string;
  log: Logger;
  /** Process jobs here too (`run`, `worker`), or only produce them (`run` with separate workers). */
  runWorkers: boolean;
  /**
   * How long a job's lock lasts without renewal. A worker that dies (SIGKILL, power loss) holds
   * its jobs this long before another worker takes them over. Default 30 s.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died. Default 30 s. */
  stalledIntervalMs?: number;
  /** On close, how long in-flight jobs may run before they are handed back to the queue. */
  shutdownGraceMs?: number;
}

/** What travels in Redis: the caller's data and the job key it chose (BullMQ ids are restricted). */
export interface JobEnvelope<T = unknown> {
  key?: string;
  data: T;
}

interface Registered {
  handler: JobHandler;
  options: Required<Omit<HandlerOptions, 'rateLimit'>> & Pick<HandlerOptions, 'rateLimit'>;
}

/** The same defaults as MemoryQueue, so a recipe behaves alike with or without Redis. */
const DEFAULT_HANDLER_OPTIONS = { concurrency: 4, attempts: 5, backoffMs: 1000 };
const BACKOFF_TYPE = 'kakehashi';
const DEFAULT_PREFIX = 'kakehashi';
/** Completed jobs are kept this long so that re-adding the same id is a no-op (the ledger lasts longer). */
const KEEP_COMPLETED = { age: 7 * 24 * 3600, count: 100_000 };
const KEEP_FAILED = { age: 30 * 24 * 3600 };
/** When no event arrived for this long, drain() asks Redis for the state of the jobs it waits on. */
const DRAIN_POLL_MS = 1000;

/**
 * BullMQ refuses ids that look like integers or contain `:`; entry ids are often URLs. Such keys
 * are hashed: the same key gives the same id in every process, and the key itself travels in the
 * job's envelope for display.
 */
export function bullJobId(key: string): string {
  if (key.length <= 200 && !key.includes(':') && `${parseInt(key, 10)}` !== key) return key;
  return `h-${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}

/** Connection options every BullMQ class gets: commands wait through a Redis restart instead of failing. */
export function bullConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

export class BullQueue implements Queue {
  readonly kind = 'bullmq' as const;
  readonly prefix: string;
  private readonly options: BullQueueOptions;
  private readonly log: Logger;
  private readonly redis: Redis;
  private readonly handlers = new Map<string, Registered>();
  private readonly queues = new Map<string, BullMQQueue<JobEnvelope>>();
  private readonly workers = new Map<string, Worker<JobEnvelope>>();
  private readonly events = new Map<string, Promise<QueueEvents>>();
  /** Ids added by this process (queue name → BullMQ id → caller's key): what drain() waits for. */
  private readonly pending = new Map<string, Map<string, string>>();
  private readonly addedIds = new Set<string>();
  private readonly inFlight = new Map<string, () => void>();
  private completed = 0;
  private failures: JobFailure[] = [];
  /** Jobs this process's workers finished, whoever added them (for `kakehashi worker`'s log). */
  readonly processed = { completed: 0, failed: 0 };
  private drainWaiters: Array<() => void> = [];
  private lastEventAt = Date.now();
  private pollTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private lastConnectionWarning = 0;

  constructor(options: BullQueueOptions) {
    this.options = options;
    this.log = options.log;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.redis = new Redis(options.connection, { maxRetriesPerRequest: null });
    this.redis.on('error', (error) => this.warnConnection('queue connection', error));
  }

  register<T>(name: string, handler: JobHandler<T>, options: HandlerOptions = {}): void {
    if (this.closing) throw new Error(`queue is closed; cannot register ${name}`);
    const registered: Registered = { handler: handler as JobHandler, options: { ...DEFAULT_HANDLER_OPTIONS, ...options } };
    this.handlers.set(name, registered);
    void this.redis.sadd(queueIndexKey(this.prefix), queueNameFor(name)).catch((error: unknown) => {
      this.warnConnection('queue index', error);
    });
    if (this.options.runWorkers && !this.workers.has(name)) this.startWorker(name, registered);
  }

  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    if (this.closing) throw new Error(`queue is closed; cannot add ${name}`);
    const registered = this.handlers.get(name);
    if (!registered) throw new Error(`no handler registered for job ${name}`);
    const queueName = queueNameFor(name);
    const queue = this.queueFor(name);
    await this.eventsFor(name);
    const jobId = options.jobId === undefined ? undefined : bullJobId(options.jobId);
    if (jobId !== undefined) {
      const seenKey = `${queueName}\u0000${jobId}`;
      if (this.addedIds.has(seenKey)) return;
      this.addedIds.add(seenKey);
      // Most jobs of a run are new: a missing job hash says so in O(1), where getJobState's LPOS
      // scans the whole wait list (quadratic over a large import).
      const state = (await this.redis.exists(queue.toKey(jobId))) === 0 ? 'unknown' : await queue.getJobState(jobId);
      if (state === 'completed') return;
      if (state === 'failed') {
        // A delivery that failed for good in an earlier run is tried again when the entry is
        // published again: the operator fixed the token, the destination is back.
        await queue.remove(jobId);
      } else if (state !== 'unknown') {
        this.track(queueName, jobId, options.jobId!);
        return;
      }
    }
    const job = await queue.add(
      name,
      { key: options.jobId, data },
      {
        jobId,
        attempts: options.attempts ?? registered.options.attempts,
        backoff: { type: BACKOFF_TYPE, delay: registered.options.backoffMs },
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      },
    );
    this.track(queueName, job.id!, options.jobId ?? job.id!);
  }

  /** Wait until every job this process added has completed or failed for good. */
  async drain(): Promise<{ completed: number; failed: JobFailure[] }> {
    if (this.pendingCount() > 0) {
      await new Promise<void>((resolve) => {
        this.drainWaiters.push(resolve);
        this.schedulePoll();
      });
    }
    const result = { completed: this.completed, failed: this.failures };
    this.completed = 0;
    this.failures = [];
    return result;
  }

  /** Jobs added by this process that have not finished yet. */
  pendingCount(): number {
    let count = 0;
    for (const ids of this.pending.values()) count += ids.size;
    return count;
  }

  /** Progress of what this process added since the last drain(). */
  progress(): { completed: number; failed: number; pending: number } {
    return { completed: this.completed, failed: this.failures.length, pending: this.pendingCount() };
  }

  /**
   * Stop taking jobs, let in-flight jobs finish for up to `graceMs`, then hand the rest back to
   * the queue (another worker takes them at once) and disconnect.
   */
  close(graceMs = this.options.shutdownGraceMs ?? 30_000): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    const handBackTimer = setTimeout(() => {
      if (this.inFlight.size > 0) this.log.warn({ jobs: this.inFlight.size }, 'handing unfinished jobs back to the queue');
      for (const handBack of this.inFlight.values()) handBack();
    }, graceMs);
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    clearTimeout(handBackTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const events = await Promise.allSettled(this.events.values());
    await Promise.all(
      events.flatMap((settled) => (settled.status === 'fulfilled' ? [settled.value.close()] : [])),
    );
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private queueFor(name: string): BullMQQueue<JobEnvelope> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new BullMQQueue<JobEnvelope>(queueNameFor(name), { connection: this.redis, prefix: this.prefix });
      queue.on('error', (error) => this.warnConnection(`queue ${name}`, error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Completion events, listened to before the first job is added so that none is missed. */
  private eventsFor(name: string): Promise<QueueEvents> {
    let events = this.events.get(name);
    if (!events) {
      const queueName = queueNameFor(name);
      const listener = new QueueEvents(queueName, { connection: bullConnection(this.options.connection), prefix: this.prefix });
      listener.on('error', (error) => this.warnConnection(`events of ${name}`, error));
      listener.on('completed', ({ jobId }) => {
        this.lastEventAt = Date.now();
        this.finish(queueName, jobId, undefined);
      });
      listener.on('failed', ({ jobId, failedReason }) => {
        this.lastEventAt = Date.now();
        void this.finishFailed(name, queueName, jobId, failedReason);
      });
      events = listener.waitUntilReady().then(() => listener);
      this.events.set(name, events);
    }
    return events;
  }

  private startWorker(name: string, registered: Registered): void {
    const { concurrency, rateLimit } = registered.options;
    const worker = new Worker<JobEnvelope>(
      queueNameFor(name),
      (job, token) => this.process(name, registered, job, token),
      {
        connection: bullConnection(this.options.connection),
        prefix: this.prefix,
        concurrency,
        limiter: rateLimit ? { max: rateLimit.max, duration: rateLimit.durationMs } : undefined,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
        // A worker killed twice while holding the same job is not a reason to give up on it.
        maxStalledCount: 3,
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
        settings: {
          backoffStrategy: (attemptsMade, _type, error, job) =>
            retryDelayMs(Number(job?.opts.backoff && typeof job.opts.backoff === 'object' ? job.opts.backoff.delay : undefined) ||
              registered.options.backoffMs, attemptsMade, error),
        },
      },
    );
    worker.on('error', (error) => this.warnConnection(`worker of ${name}`, error));
    worker.on('completed', () => void this.processed.completed++);
    worker.on('failed', (job, error) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError;
      if (final) this.processed.failed++;
      this.log[final ? 'error' : 'warn'](
        { job: job.data.key ?? job.id, handler: name, attempt: job.attemptsMade, error: error.message },
        final ? 'job failed for good' : 'job failed; will retry',
      );
    });
    this.workers.set(name, worker);
  }

  private async process(name: string, registered: Registered, job: Job<JobEnvelope>, token?: string): Promise<unknown> {
    const info = { id: job.data.key ?? job.id ?? '', name, attempt: job.attemptsMade + 1 };
    const flightKey = `${job.queueName}\u0000${job.id}`;
    // Its own promise per job, not one shared by all: a promise that never settles would keep a
    // reaction for every job raced against it.
    let handBack: () => void = ignore;
    const handedBack = new Promise<typeof HANDED_BACK>((resolve) => (handBack = () => resolve(HANDED_BACK)));
    this.inFlight.set(flightKey, handBack);
    try {
      const running = registered.handler(job.data.data, info);
      running.catch(ignore); // may outlive a hand-back; its failure then matters to nobody
      const outcome = await Promise.race([running.then(wrapValue), handedBack]);
      if (outcome === HANDED_BACK) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      return jsonSafe(outcome.value);
    } catch (error) {
      if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
      throw error;
    } finally {
      this.inFlight.delete(flightKey);
    }
  }

  private track(queueName: string, jobId: string, key: string): void {
    let ids = this.pending.get(queueName);
    if (!ids) this.pending.set(queueName, (ids = new Map()));
    ids.set(jobId, key);
  }

  private finish(queueName: string, jobId: string, failure: JobFailure | undefined): void {
    const ids = this.pending.get(queueName);
    if (!ids?.delete(jobId)) return;
    if (failure) this.failures.push(failure);
    else this.completed++;
    if (this.pendingCount() === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private async finishFailed(name: string, queueName: string, jobId: string, reason: string): Promise<void> {
    const key = this.pending.get(queueName)?.get(jobId);
    if (key === undefined) return;
    const job = await this.queueFor(name).getJob(jobId).catch(() => undefined);
    this.finish(queueName, jobId, { id: key, name, error: reason, attempts: job?.attemptsMade ?? 0 });
  }

  /**
   * Events can be missed: a job that finished between QueueEvents connecting and its first read,
   * or while Redis was restarting. When the events go quiet, ask Redis directly.
   */
  private schedulePoll(): void {
    if (this.pollTimer || this.closing) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.poll().finally(() => {
        if (this.drainWaiters.length > 0 && this.pendingCount() > 0) this.schedulePoll();
      });
    }, DRAIN_POLL_MS);
  }

  private async poll(): Promise<void> {
    if (Date.now() - this.lastEventAt < DRAIN_POLL_MS) return;
    for (const [name] of this.handlers) {
      const queueName = queueNameFor(name);
      const ids = [...(this.pending.get(queueName)?.keys() ?? [])];
      const queue = this.queues.get(name);
      if (!queue) continue;
      for (let start = 0; start < ids.length; start += 200) {
        const batch = ids.slice(start, start + 200);
        const states = await Promise.all(batch.map((id) => queue.getJobState(id).catch(() => 'error' as const)));
        await Promise.all(batch.map((id, i) => this.settleFromState(name, queueName, id, states[i]!)));
      }
    }
  }

  private async settleFromState(name: string, queueName: string, jobId: string, state: JobState | 'unknown' | 'error'): Promise<void> {
    if (state === 'completed') this.finish(queueName, jobId, undefined);
    else if (state === 'failed') {
      const job = await this.queueFor(name).getJob(jobId);
      await this.finishFailed(name, queueName, jobId, job?.failedReason ?? 'failed');
    } else if (state === 'unknown') {
      const key = this.pending.get(queueName)?.get(jobId) ?? jobId;
      this.finish(queueName, jobId, {
        id: key,
        name,
        error: `job vanished from Redis ${redactUrl(this.options.connection)} before it finished ` +
          '(Redis restarted without persistence, or the job was removed by an operator)',
        attempts: 0,
      });
    }
  }

  private warnConnection(what: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastConnectionWarning < 5000) return;
    this.lastConnectionWarning = now;
    const message = error instanceof Error ? error.message : String(error);
    this.log.warn({ redis: redactUrl(this.options.connection), error: message }, `${what}: Redis error (retrying)`);
  }
}

const HANDED_BACK = Symbol('handed back');
const ignore = (): void => undefined;
const wrapValue = (value: unknown): { value: unknown } => ({ value });

/**
 * BullMQ stores return values as JSON; a handler's result that is not JSON is not worth failing
 * for. What BullMQ stores is the same either way: it stringifies the value itself.
 */
function jsonSafe(value: unknown): unknown {
  try {
    return value === undefined || JSON.stringify(value) === undefined ? null : value;
  } catch {
    return null;
  }
}
