/**
 * When recipes run under `kakehashi serve`: once at start, then on each recipe's `schedule`
 * (a cron pattern, or `{ every: 15m }`).
 *
 * In-process (the default), croner and a fixed-rate timer fire the runs. With Redis, every
 * server upserts one BullMQ job scheduler per recipe: BullMQ produces one job per tick however
 * many servers are up, and one of them takes it. A run also holds a lease in Redis for its
 * duration, so a slow run and the next tick, or two servers starting together, never run one
 * recipe at the same time. Either way a recipe never overlaps itself inside one process: a tick
 * that finds its run still going is skipped and logged.
 */
import { randomBytes } from 'node:crypto';
import { Queue as BullMQQueue, Worker } from 'bullmq';
import { Cron } from 'croner';
import { Redis } from 'ioredis';
import type { BaseLogger } from 'pino';
import type { RunReport } from '../pipeline/report.js';
import { formatDuration, parseDuration } from './duration.js';

/** Fastify's logger and a plain pino logger both fit. */
export type SchedulerLog = Pick<BaseLogger, 'info' | 'warn' | 'error'>;

export type RecipeSchedule = string | { every: string | number };

export interface ScheduledRecipe {
  name: string;
  schedule?: RecipeSchedule;
  /** Zone cron patterns are read in (the recipe's `global.timezone`). */
  timezone?: string;
}

export type RecipeRunner = (name: string, signal: AbortSignal) => Promise<RunReport>;

export type RunTrigger = 'start' | 'schedule' | 'manual';

export interface RunFinished {
  recipe: string;
  trigger: RunTrigger;
  startedAt: number;
  durationMs: number;
  report?: RunReport;
  error?: unknown;
}

export interface SchedulerOptions {
  recipes: ScheduledRecipe[];
  run: RecipeRunner;
  log: SchedulerLog;
  /** Redis URL: BullMQ job schedulers and a lease per run instead of in-process timers. */
  redis?: string;
  /** Redis key prefix (BullMQ queues and leases). */
  prefix?: string;
  /** Run every recipe once when the scheduler starts (default true). */
  runAtStart?: boolean;
  onRunFinished?: (finished: RunFinished) => void | Promise<void>;
  now?: () => number;
}

export interface RecipeState {
  name: string;
  /** `*\/15 * * * *` or `every 15m`, for people. */
  schedule?: string;
  /** Shortest time between runs, for Cache-Control. */
  intervalMs?: number;
  nextRunAt?: number;
  running: boolean;
  lastStartedAt?: number;
  lastFinishedAt?: number;
  /** When the last run threw before producing a report (a broken recipe file). */
  lastError?: string;
}

interface Entry {
  recipe: ScheduledRecipe;
  state: RecipeState;
  cron?: Cron;
  timer?: NodeJS.Timeout;
  everyMs?: number;
  /** The run in progress in this process. */
  running?: Promise<RunFinished | undefined>;
  controller?: AbortController;
  bullQueue?: BullMQQueue;
  worker?: Worker;
}

const LEASE_MS = 60_000;
const RENEW_LEASE_MS = 20_000;
const DEFAULT_PREFIX = 'kakehashi';

/** A BullMQ queue name for a recipe's scheduler (BullMQ forbids `:` in names). */
export function scheduleQueueName(recipe: string): string {
  return `schedule-${encodeURIComponent(recipe)}`;
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly prefix: string;
  private redis: Redis | undefined;
  private stopped = false;
  private started = false;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    for (const recipe of options.recipes) {
      const entry: Entry = { recipe, state: { name: recipe.name, running: false } };
      if (recipe.schedule !== undefined) describeSchedule(entry);
      this.entries.set(recipe.name, entry);
    }
  }

  get mode(): 'memory' | 'bullmq' {
    return this.options.redis ? 'bullmq' : 'memory';
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.options.redis) await this.startBullmq(this.options.redis);
    else for (const entry of this.entries.values()) this.startInProcess(entry);
    if (this.options.runAtStart ?? true) {
      for (const entry of this.entries.values()) void this.trigger(entry.recipe.name, 'start');
    }
  }

  /** Each recipe's schedule and runs, for /status. */
  states(): RecipeState[] {
    return [...this.entries.values()].map((entry) => ({ ...entry.state, running: entry.running !== undefined }));
  }

  state(name: string): RecipeState | undefined {
    const entry = this.entries.get(name);
    return entry && { ...entry.state, running: entry.running !== undefined };
  }

  /** The BullMQ queues of the schedulers, for the dashboard. */
  bullQueues(): BullMQQueue[] {
    return [...this.entries.values()].flatMap((entry) => (entry.bullQueue ? [entry.bullQueue] : []));
  }

  /** Redis, when the scheduler uses it (for /readyz). */
  async ping(): Promise<void> {
    if (this.redis) await this.redis.ping();
  }

  /**
   * Run a recipe now unless it is already running here (then the running one is awaited).
   * Resolves undefined when another server holds the recipe's lease.
   */
  trigger(name: string, trigger: RunTrigger = 'manual'): Promise<RunFinished | undefined> {
    const entry = this.entries.get(name);
    if (!entry) return Promise.reject(new Error(`unknown recipe ${name}`));
    if (this.stopped) return Promise.resolve(undefined);
    if (entry.running) {
      this.options.log.warn({ recipe: name, trigger }, 'previous run still going; this one is skipped');
      return entry.running;
    }
    const running = this.runExclusive(entry, trigger).finally(() => {
      entry.running = undefined;
      entry.controller = undefined;
      this.refreshNextRun(entry);
    });
    entry.running = running;
    return running;
  }

  /** Stop firing, abort the runs in progress and wait for them to wind down. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const entry of this.entries.values()) {
      entry.cron?.stop();
      if (entry.timer) clearTimeout(entry.timer);
      entry.controller?.abort(new Error('server shutting down'));
    }
    await Promise.allSettled([...this.entries.values()].map((entry) => entry.running));
    await Promise.allSettled([...this.entries.values()].map((entry) => entry.worker?.close()));
    await Promise.allSettled([...this.entries.values()].map((entry) => entry.bullQueue?.close()));
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }

  // ─── In-process ────────────────────────────────────────────────────────────────────────────

  private startInProcess(entry: Entry): void {
    const { schedule, name, timezone } = entry.recipe;
    if (schedule === undefined) return;
    if (typeof schedule === 'string') {
      entry.cron = new Cron(schedule, { timezone: timezone ?? 'Asia/Tokyo', name: `recipe:${name}` }, () => {
        void this.trigger(name, 'schedule');
      });
    } else {
      const everyMs = entry.everyMs as number;
      // Fixed rate from the start, so the ticks do not drift by the length of each run.
      const origin = this.now();
      let tick = 1;
      const arm = () => {
        const at = origin + tick * everyMs;
        entry.state.nextRunAt = at;
        entry.timer = setTimeout(
          () => {
            tick = Math.max(tick + 1, Math.ceil((this.now() - origin) / everyMs));
            void this.trigger(name, 'schedule');
            if (!this.stopped) arm();
          },
          Math.max(0, at - this.now()),
        );
      };
      arm();
    }
    this.refreshNextRun(entry);
  }

  private refreshNextRun(entry: Entry): void {
    if (entry.cron) {
      const next = entry.cron.nextRun();
      if (next) entry.state.nextRunAt = next.getTime();
    } else if (entry.bullQueue && !this.stopped) {
      entry.bullQueue
        .getJobScheduler(entry.recipe.name)
        .then((scheduler) => {
          if (scheduler?.next !== undefined) entry.state.nextRunAt = Number(scheduler.next);
        })
        .catch(() => undefined);
    }
  }

  // ─── BullMQ ────────────────────────────────────────────────────────────────────────────────

  private async startBullmq(url: string): Promise<void> {
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    redis.on('error', (error) => this.options.log.warn({ err: error }, 'scheduler: Redis connection problem'));
    this.redis = redis;
    for (const entry of this.entries.values()) {
      const { name, schedule, timezone } = entry.recipe;
      const queue = new BullMQQueue(scheduleQueueName(name), { connection: redis, prefix: this.prefix });
      queue.on('error', (error) => this.options.log.warn({ err: error, recipe: name }, 'scheduler queue problem'));
      entry.bullQueue = queue;
      if (schedule === undefined) {
        // A schedule removed from the recipe must stop firing on every server.
        await queue.removeJobScheduler(name);
      } else {
        const repeat = typeof schedule === 'string' ? { pattern: schedule, tz: timezone ?? 'Asia/Tokyo' } : { every: entry.everyMs as number };
        await queue.upsertJobScheduler(name, repeat, {
          name: 'run',
          data: { recipe: name },
          opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        });
        if (typeof schedule === 'string') {
          // Only to tell clients when content may change; BullMQ decides when it really runs.
          entry.cron = new Cron(schedule, { timezone: timezone ?? 'Asia/Tokyo', paused: true });
        }
      }
      entry.worker = new Worker(
        scheduleQueueName(name),
        async () => {
          const finished = await this.trigger(name, 'schedule');
          if (finished?.error) throw finished.error instanceof Error ? finished.error : new Error(String(finished.error));
          return finished ? { entriesOut: finished.report?.entriesOut, durationMs: finished.durationMs } : { skipped: true };
        },
        { connection: redis, prefix: this.prefix, concurrency: 1 },
      );
      entry.worker.on('error', (error) => this.options.log.warn({ err: error, recipe: name }, 'scheduler worker problem'));
      this.refreshNextRun(entry);
    }
  }

  /** Hold the recipe's lease in Redis for the whole run; undefined when another server has it. */
  private async withLease<T>(name: string, body: () => Promise<T>): Promise<T | undefined> {
    const redis = this.redis;
    if (!redis) return body();
    const key = `${this.prefix}:recipe-lease:${name}`;
    const token = randomBytes(12).toString('hex');
    const taken = await redis.set(key, token, 'PX', LEASE_MS, 'NX');
    if (taken !== 'OK') {
      this.options.log.info({ recipe: name }, 'another server is running this recipe; skipped here');
      return undefined;
    }
    const renew = setInterval(() => {
      void renewLease(redis, key, token).catch(() => undefined);
    }, RENEW_LEASE_MS);
    try {
      return await body();
    } finally {
      clearInterval(renew);
      await releaseLease(redis, key, token).catch(() => undefined);
    }
  }

  private async runExclusive(entry: Entry, trigger: RunTrigger): Promise<RunFinished | undefined> {
    const name = entry.recipe.name;
    const controller = new AbortController();
    entry.controller = controller;
    const log = this.options.log;
    let finished: RunFinished | undefined;
    try {
      finished = await this.withLease(name, async () => {
        const startedAt = this.now();
        entry.state.lastStartedAt = startedAt;
        log.info({ recipe: name, trigger }, 'run started');
        const result: RunFinished = { recipe: name, trigger, startedAt, durationMs: 0 };
        try {
          result.report = await this.options.run(name, controller.signal);
          entry.state.lastError = undefined;
        } catch (error) {
          result.error = error;
          entry.state.lastError = error instanceof Error ? error.message : String(error);
          log.error({ err: error, recipe: name, trigger }, 'run failed');
        }
        result.durationMs = this.now() - startedAt;
        entry.state.lastFinishedAt = this.now();
        if (result.report) {
          const failed = result.report.sources.filter((s) => !s.ok).length;
          log.info(
            { recipe: name, trigger, durationMs: result.durationMs, entriesOut: result.report.entriesOut, failedSources: failed },
            'run finished',
          );
        }
        return result;
      });
    } catch (error) {
      // Redis unreachable for the lease: nothing ran.
      log.error({ err: error, recipe: name, trigger }, 'could not start run');
      return undefined;
    }
    if (finished) {
      try {
        await this.options.onRunFinished?.(finished);
      } catch (error) {
        log.error({ err: error, recipe: name }, 'after-run hook failed');
      }
    }
    return finished;
  }
}

function describeSchedule(entry: Entry): void {
  const { schedule, name, timezone } = entry.recipe;
  if (schedule === undefined) return;
  if (typeof schedule === 'string') {
    let cron: Cron;
    try {
      cron = new Cron(schedule, { timezone: timezone ?? 'Asia/Tokyo', paused: true });
    } catch (error) {
      throw new Error(`recipe ${name}: schedule "${schedule}" is not a cron pattern: ${(error as Error).message}`, { cause: error });
    }
    const [first, second] = cron.nextRuns(2);
    entry.state.schedule = schedule;
    if (first && second) entry.state.intervalMs = second.getTime() - first.getTime();
    cron.stop();
  } else {
    entry.everyMs = parseDuration(schedule.every);
    entry.state.schedule = `every ${formatDuration(entry.everyMs)}`;
    entry.state.intervalMs = entry.everyMs;
  }
}

const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Extend the lease only while it is still ours (a server that stalled may have lost it). */
function renewLease(redis: Redis, key: string, token: string): Promise<unknown> {
  return redis.call('EVAL', RENEW_SCRIPT, 1, key, token, String(LEASE_MS));
}

function releaseLease(redis: Redis, key: string, token: string): Promise<unknown> {
  return redis.call('EVAL', RELEASE_SCRIPT, 1, key, token);
}
