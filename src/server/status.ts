/**
 * What `/status` reports: each recipe's schedule and last runs, and every source that failed in
 * its latest run with the message — so a broken source shows up here, not as an item in a feed
 * and not as silent staleness.
 */
import type { RunReport } from '../pipeline/report.js';
import type { RecipeState } from './scheduler.js';
import { formatDate } from '../text/dates.js';

export interface RunSummary {
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  entriesIn: number;
  entriesOut: number;
  sources: number;
  failedSources: Array<{ plugin: string; target: string; error: string }>;
  failures: Array<{ plugin: string; phase: string; error: string }>;
  deliveries: { completed: number; failed: Array<{ id: string; name: string; error: string }> };
  warnings: number;
}

export interface RecipeStatus {
  name: string;
  schedule?: string;
  nextRunAt?: string;
  running: boolean;
  /** The latest run failed in full or in part. */
  healthy: boolean;
  /** A run that threw before it could report (a broken recipe file). */
  lastError?: string;
  lastRun?: RunSummary;
  /** Newest first. */
  runs: RunSummary[];
}

export interface StatusDocument {
  ok: boolean;
  now: string;
  startedAt: string;
  version: string;
  scheduler: 'memory' | 'bullmq';
  queue: { kind: string; jobs?: Array<{ queue: string; state: string; count: number }> };
  recipes: RecipeStatus[];
}

export const RUNS_SHOWN = 10;

/** RFC 3339 with the zone's own offset (`2026-11-26T18:00:00+09:00`): the instant, read as people there read it. */
export function isoIn(zone: string, ms: number): string {
  return formatDate(ms, zone, 'atom');
}

export function summarizeRun(report: RunReport, zone: string): RunSummary {
  return {
    startedAt: isoIn(zone, report.startedAt),
    ...(report.finishedAt !== undefined
      ? { finishedAt: isoIn(zone, report.finishedAt), durationMs: report.finishedAt - report.startedAt }
      : {}),
    entriesIn: report.entriesIn,
    entriesOut: report.entriesOut,
    sources: report.sources.length,
    failedSources: report.sources
      .filter((s) => !s.ok)
      .map((s) => ({ plugin: s.plugin, target: s.target, error: s.error ?? 'failed without a message' })),
    failures: report.failures.map(({ plugin, phase, error }) => ({ plugin, phase, error })),
    deliveries: { completed: report.deliveries.completed, failed: report.deliveries.failed },
    warnings: report.sources.reduce((n, s) => n + s.warnings.length, 0),
  };
}

export function recipeStatus(state: RecipeState, history: RunReport[], zone: string): RecipeStatus {
  const runs = history.slice(-RUNS_SHOWN).reverse().map((report) => summarizeRun(report, zone));
  const lastRun = runs[0];
  const latestFailed =
    lastRun !== undefined &&
    (lastRun.failedSources.length > 0 || lastRun.failures.length > 0 || lastRun.deliveries.failed.length > 0);
  // A run that threw after the last report is newer news than that report.
  const lastReport = history[history.length - 1];
  const threwLast =
    state.lastError !== undefined && (lastReport === undefined || (state.lastStartedAt ?? 0) >= lastReport.startedAt);
  return {
    name: state.name,
    ...(state.schedule ? { schedule: state.schedule } : {}),
    ...(state.nextRunAt !== undefined ? { nextRunAt: isoIn(zone, state.nextRunAt) } : {}),
    running: state.running,
    healthy: !latestFailed && !threwLast,
    ...(threwLast ? { lastError: state.lastError } : {}),
    ...(lastRun ? { lastRun } : {}),
    runs,
  };
}
