/**
 * The in-process queue of the embedded default: the same semantics as the BullMQ backend
 * (deterministic ids, retries with exponential backoff and jitter, concurrency, a rate limit per
 * handler), so a recipe behaves the same with or without Redis.
 */
import type {
  HandlerOptions,
  JobFailure,
  JobHandler,
  JobOptions,
  Logger,
  Queue,
} from '../pipeline/context.js';
import { PermanentJobError } from '../pipeline/context.js';

interface Registered {
  handler: JobHandler;
  options: Required<Omit<HandlerOptions, 'rateLimit'>> & Pick<HandlerOptions, 'rateLimit'>;
  running: number;
  waiting: PendingJob[];
  /** Start times inside the current rate-limit window. */
  starts: number[];
}

interface PendingJob {
  id: string;
  name: string;
  data: unknown;
  attempt: number;
  attempts: number;
  notBefore: number;
}

const DEFAULT_HANDLER_OPTIONS = { concurrency: 4, attempts: 5, backoffMs: 1000 };

export class MemoryQueue implements Queue {
  readonly kind = 'memory' as const;
  private readonly handlers = new Map<string, Registered>();
  /** Ids ever added in this process: a job with a known id is not added again. */
  private readonly knownIds = new Set<string>();
  private completed = 0;
  private failed: JobFailure[] = [];
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private sequence = 0;
  private readonly log: Logger | undefined;

  /** With a logger, a failed attempt is said when it happens (a destination answering 5xx retries for minutes). */
  constructor(options: { log?: Logger } = {}) {
    this.log = options.log;
  }

  register<T>(name: string, handler: JobHandler<T>, options: HandlerOptions = {}): void {
    this.handlers.set(name, {
      handler: handler as JobHandler,
      options: { ...DEFAULT_HANDLER_OPTIONS, ...options },
      running: 0,
      waiting: [],
      starts: [],
    });
  }

  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    if (this.closed) throw new Error(`queue is closed; cannot add ${name}`);
    const registered = this.handlers.get(name);
    if (!registered) throw new Error(`no handler registered for job ${name}`);
    const id = options.jobId ?? `${name}:${++this.sequence}`;
    if (this.knownIds.has(id)) return;
    this.knownIds.add(id);
    registered.waiting.push({
      id,
      name,
      data,
      attempt: 1,
      attempts: options.attempts ?? registered.options.attempts,
      notBefore: 0,
    });
    this.pump();
  }

  progress(): { completed: number; failed: number; pending: number } {
    let pending = 0;
    for (const registered of this.handlers.values()) pending += registered.running + registered.waiting.length;
    return { completed: this.completed, failed: this.failed.length, pending };
  }

  async drain(): Promise<{ completed: number; failed: JobFailure[] }> {
    if (!this.isIdle()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const result = { completed: this.completed, failed: this.failed };
    this.completed = 0;
    this.failed = [];
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (!this.isIdle()) await this.drain();
    if (this.timer) clearTimeout(this.timer);
  }

  private isIdle(): boolean {
    for (const registered of this.handlers.values()) {
      if (registered.running > 0 || registered.waiting.length > 0) return false;
    }
    return true;
  }

  private pump(): void {
    const now = Date.now();
    let nextWake = Infinity;
    for (const registered of this.handlers.values()) {
      const limit = registered.options.rateLimit;
      while (registered.running < registered.options.concurrency) {
        const index = registered.waiting.findIndex((job) => job.notBefore <= now);
        if (index < 0) break;
        if (limit) {
          registered.starts = registered.starts.filter((t) => t > now - limit.durationMs);
          if (registered.starts.length >= limit.max) {
            nextWake = Math.min(nextWake, registered.starts[0]! + limit.durationMs);
            break;
          }
          registered.starts.push(now);
        }
        const [job] = registered.waiting.splice(index, 1);
        void this.execute(registered, job!);
      }
      for (const job of registered.waiting) nextWake = Math.min(nextWake, Math.max(job.notBefore, now + 1));
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (nextWake !== Infinity) this.timer = setTimeout(() => this.pump(), nextWake - now);
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async execute(registered: Registered, job: PendingJob): Promise<void> {
    registered.running++;
    try {
      await registered.handler(job.data, { id: job.id, name: job.name, attempt: job.attempt });
      this.completed++;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof PermanentJobError || job.attempt >= job.attempts) {
        this.failed.push({ id: job.id, name: job.name, error: message, attempts: job.attempt });
        this.log?.error({ job: job.id, handler: job.name, attempt: job.attempt, error: message }, 'job failed for good');
      } else {
        const delayMs = retryDelayMs(registered.options.backoffMs, job.attempt, error);
        registered.waiting.push({ ...job, attempt: job.attempt + 1, notBefore: Date.now() + delayMs });
        this.log?.warn(
          { job: job.id, handler: job.name, attempt: job.attempt, of: job.attempts, error: message, retryInMs: Math.round(delayMs) },
          'job failed; will retry',
        );
      }
    } finally {
      registered.running--;
      this.pump();
    }
  }
}

/**
 * Exponential backoff with jitter; a destination's own `Retry-After` (carried on the error as
 * `retryAfterMs`) wins when it is longer.
 */
export function retryDelayMs(backoffMs: number, attempt: number, error: unknown): number {
  const base = backoffMs * 2 ** (attempt - 1);
  const withJitter = base + Math.random() * base * 0.25;
  const retryAfter = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof retryAfter === 'number' && retryAfter > withJitter ? retryAfter : withJitter;
}
