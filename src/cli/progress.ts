/**
 * Progress of deliveries for long runs (a 10,000-tweet import at Mastodon's 300 per 3 hours takes
 * days): done/total, rate and ETA as a bar on a terminal, as a plain line every so often when the
 * output is a file or a pipe (cron, systemd, CI), so logs stay readable.
 */
import { SingleBar } from 'cli-progress';
import type { Queue } from '../pipeline/context.js';
import type { RunOptions } from '../pipeline/run.js';
import type { Recipe } from '../pipeline/recipe.js';
import type { RunReport } from '../pipeline/report.js';

export interface ProgressReporter {
  update(done: number, total: number, failed?: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  stream?: NodeJS.WriteStream;
  /** Bar or lines; default: a bar when the stream is a terminal. */
  tty?: boolean;
  /** Plain lines at most this often (default 10 s), and at every tenth of the way. */
  lineIntervalMs?: number;
  now?: () => number;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** The plain-line form: `import: 120/1000 (12%), 3.4/s, ETA 4m 18s, 2 failed`. */
export function progressLine(label: string, done: number, total: number, elapsedMs: number, failed = 0): string {
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? ((total - done) / rate) * 1000 : Infinity;
  const parts = [`${label}: ${done}/${total} (${percent}%)`, `${rate < 10 ? rate.toFixed(1) : Math.round(rate)}/s`];
  if (done < total) parts.push(`ETA ${formatDuration(eta)}`);
  if (failed > 0) parts.push(`${failed} failed`);
  return parts.join(', ');
}

export function createProgress(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const started = now();
  if (options.tty ?? stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${options.label} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | {failed} failed`,
      etaBuffer: 50,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    });
    let started_ = false;
    return {
      update(done, total, failed = 0) {
        const rate = ((done / Math.max(1, now() - started)) * 1000).toFixed(1);
        if (!started_) {
          bar.start(total, done, { rate, failed });
          started_ = true;
        } else {
          bar.setTotal(total);
          bar.update(done, { rate, failed });
        }
      },
      stop: () => bar.stop(),
    };
  }
  const interval = options.lineIntervalMs ?? 10_000;
  let lastLineAt = -Infinity;
  let lastTenth = -1;
  let last: { done: number; total: number; failed: number } | undefined;
  let written: typeof last;
  const write = () => {
    if (!last) return;
    stream.write(`${progressLine(options.label, last.done, last.total, now() - started, last.failed)}\n`);
    lastLineAt = now();
    written = last;
  };
  return {
    update(done, total, failed = 0) {
      const changed = !last || last.done !== done || last.total !== total || last.failed !== failed;
      last = { done, total, failed };
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (changed && (tenth > lastTenth || now() - lastLineAt >= interval)) {
        lastTenth = Math.max(lastTenth, tenth);
        write();
      }
    },
    stop() {
      if (last !== written) write();
    },
  };
}

/**
 * Report a queue's progress until stopped (queues without `progress()` report only the final
 * count). `stop(final)` prints the last state: a drain resets the queue's counters, so the caller
 * that drained passes what it got.
 */
export function followQueue(
  queue: Queue,
  reporter: ProgressReporter,
  everyMs = 500,
): (final?: { completed: number; failed: number }) => void {
  let shown = false;
  const tick = () => {
    const state = queue.progress?.();
    if (!state) return;
    const total = state.completed + state.failed + state.pending;
    if (total === 0) return;
    shown = true;
    reporter.update(state.completed + state.failed, total, state.failed);
  };
  const timer = setInterval(tick, everyMs);
  return (final) => {
    clearInterval(timer);
    if (final && final.completed + final.failed > 0) {
      const done = final.completed + final.failed;
      reporter.update(done, done, final.failed);
      shown = true;
    } else tick();
    if (shown) reporter.stop();
  };
}

/**
 * `kakehashi run` with a progress display of the deliveries: the queue is made here so that it
 * can be watched while the run drains it.
 */
export async function runWithProgress(
  recipe: Recipe,
  options: RunOptions & { label?: string; stream?: NodeJS.WriteStream; tty?: boolean },
): Promise<RunReport> {
  const [{ runRecipe, createLogger }, { createQueue }] = await Promise.all([import('../pipeline/run.js'), import('../queue/index.js')]);
  const log = options.log ?? createLogger(recipe.global.logLevel, recipe.secrets);
  const redis = options.redis ?? recipe.global.redis;
  const queue = options.queue ?? (await createQueue({ log, ...(redis ? { redis } : {}) }));
  const reporter = createProgress({
    label: options.label ?? `${recipe.name} deliveries`,
    ...(options.stream ? { stream: options.stream } : {}),
    ...(options.tty !== undefined ? { tty: options.tty } : {}),
  });
  const stopFollowing = followQueue(queue, reporter);
  let report: RunReport | undefined;
  try {
    report = await runRecipe(recipe, { ...options, log, queue });
    return report;
  } finally {
    stopFollowing(report && { completed: report.deliveries.completed, failed: report.deliveries.failed.length });
    if (!options.queue) await queue.close();
  }
}
