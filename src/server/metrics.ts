/**
 * Prometheus metrics (prom-client) on one registry of our own, so that tests can build several
 * servers in one process and a library that touches prom-client's global registry cannot collide
 * with us. Other modules increment these directly (a worker counting deliveries) or hand a whole
 * RunReport to `recordRun` after a run.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunReport } from '../pipeline/report.js';

export const metricsRegistry = new Registry();

let defaultMetricsStarted = false;

/** Process metrics (CPU, memory, event loop lag); once per process, by the server. */
export function collectProcessMetrics(): void {
  if (defaultMetricsStarted) return;
  defaultMetricsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'kakehashi_' });
}

export const runsTotal = new Counter({
  name: 'kakehashi_runs_total',
  help: 'Recipe runs by outcome: ok, partial (some source or plugin failed) or failed (the run threw).',
  labelNames: ['recipe', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const runDurationSeconds = new Histogram({
  name: 'kakehashi_run_duration_seconds',
  help: 'Wall time of a whole recipe run.',
  labelNames: ['recipe'] as const,
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  registers: [metricsRegistry],
});

export const sourceFetchDurationSeconds = new Histogram({
  name: 'kakehashi_source_fetch_duration_seconds',
  help: 'Time one source took to fetch and parse, by plugin and outcome.',
  labelNames: ['plugin', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const sourceFailuresTotal = new Counter({
  name: 'kakehashi_source_failures_total',
  help: 'Sources that failed in a run, by recipe and plugin (the message is on /status).',
  labelNames: ['recipe', 'plugin'] as const,
  registers: [metricsRegistry],
});

export const pluginFailuresTotal = new Counter({
  name: 'kakehashi_plugin_failures_total',
  help: 'Plugin hooks that threw in a run, by recipe, plugin and phase.',
  labelNames: ['recipe', 'plugin', 'phase'] as const,
  registers: [metricsRegistry],
});

export const entriesTotal = new Counter({
  name: 'kakehashi_entries_total',
  help: 'Entries read from sources (stage="in") and published (stage="out"), by recipe.',
  labelNames: ['recipe', 'stage'] as const,
  registers: [metricsRegistry],
});

export const deliveriesTotal = new Counter({
  name: 'kakehashi_deliveries_total',
  help: 'Delivery jobs that completed or failed for good, by outcome.',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const lastRunTimestampSeconds = new Gauge({
  name: 'kakehashi_last_run_timestamp_seconds',
  help: 'When each recipe last finished a run (alert on staleness with time() - this).',
  labelNames: ['recipe'] as const,
  registers: [metricsRegistry],
});

/** Anything that can say how many jobs wait, run, are delayed or failed, per queue. */
export type QueueDepthSource = () => Promise<Array<{ queue: string; state: string; count: number }>>;

const queueDepthSources = new Set<QueueDepthSource>();

/** Registered by the server for its queue; read at scrape time so the figure is never stale. */
export function addQueueDepthSource(source: QueueDepthSource): () => void {
  queueDepthSources.add(source);
  return () => queueDepthSources.delete(source);
}

export const queueJobs = new Gauge({
  name: 'kakehashi_queue_jobs',
  help: 'Jobs in the queue by queue and state (waiting, active, delayed, failed), read at scrape time.',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const source of queueDepthSources) {
      for (const { queue, state, count } of await source()) this.set({ queue, state }, count);
    }
  },
});

/** Count one finished run. `threw` is the error when the run did not produce a report. */
export function recordRun(recipe: string, report: RunReport | undefined, durationMs: number, threw?: unknown): void {
  runDurationSeconds.observe({ recipe }, durationMs / 1000);
  lastRunTimestampSeconds.set({ recipe }, Date.now() / 1000);
  if (!report || threw !== undefined) {
    runsTotal.inc({ recipe, outcome: 'failed' });
    return;
  }
  const partial = report.sources.some((s) => !s.ok) || report.failures.length > 0;
  runsTotal.inc({ recipe, outcome: partial ? 'partial' : 'ok' });
  for (const source of report.sources) {
    sourceFetchDurationSeconds.observe(
      { plugin: source.plugin, outcome: source.ok ? 'ok' : 'failed' },
      source.durationMs / 1000,
    );
    if (!source.ok) sourceFailuresTotal.inc({ recipe, plugin: source.plugin });
  }
  for (const failure of report.failures) {
    pluginFailuresTotal.inc({ recipe, plugin: failure.plugin, phase: failure.phase });
  }
  entriesTotal.inc({ recipe, stage: 'in' }, report.entriesIn);
  entriesTotal.inc({ recipe, stage: 'out' }, report.entriesOut);
  if (report.deliveries.completed > 0) deliveriesTotal.inc({ outcome: 'completed' }, report.deliveries.completed);
  if (report.deliveries.failed.length > 0) deliveriesTotal.inc({ outcome: 'failed' }, report.deliveries.failed.length);
}
