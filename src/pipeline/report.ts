/**
 * What a run did, source by source: printed by `kakehashi run`, kept for `/status`, counted in
 * metrics. Failures live here and in the log, never as fake entries in a feed.
 */

export interface SourceOutcome {
  plugin: string;
  /** URL or file the source read. */
  target: string;
  entries: number;
  ok: boolean;
  error?: string;
  /** 304 or unchanged input: nothing new, but nothing wrong either. */
  notModified?: boolean;
  durationMs: number;
  /** Problems that did not stop the source (a skipped malformed item, an encoding override). */
  warnings: string[];
}

export interface PluginFailure {
  plugin: string;
  phase: string;
  error: string;
}

export interface RunReport {
  recipe: string;
  startedAt: number;
  finishedAt?: number;
  sources: SourceOutcome[];
  failures: PluginFailure[];
  entriesIn: number;
  entriesOut: number;
  outputs: string[];
  deliveries: { completed: number; failed: Array<{ id: string; name: string; error: string }> };
}

export function newReport(recipe: string, now: number): RunReport {
  return {
    recipe,
    startedAt: now,
    sources: [],
    failures: [],
    entriesIn: 0,
    entriesOut: 0,
    outputs: [],
    deliveries: { completed: 0, failed: [] },
  };
}

export function reportHasErrors(report: RunReport): boolean {
  return (
    report.sources.some((s) => !s.ok) || report.failures.length > 0 || report.deliveries.failed.length > 0
  );
}

export function formatReport(report: RunReport): string {
  const lines: string[] = [];
  const failed = report.sources.filter((s) => !s.ok).length;
  const seconds = ((report.finishedAt ?? report.startedAt) - report.startedAt) / 1000;
  lines.push(
    `${report.recipe}: ${plural(report.sources.length, 'source')} read, ${failed} failed; ` +
      `${plural(report.entriesIn, 'entry', 'entries')} in, ${report.entriesOut} out; ${seconds.toFixed(2)} s`,
  );
  for (const s of report.sources) {
    // Most errors already start with the target; say it once.
    const error = s.error?.startsWith(`${s.target}: `) ? s.error.slice(s.target.length + 2) : s.error;
    const status = s.ok ? (s.notModified ? `not modified (${plural(s.entries, 'entry', 'entries')})` : plural(s.entries, 'entry', 'entries')) : `FAILED: ${error}`;
    lines.push(`  ${s.ok ? '✓' : '✗'} ${s.plugin} ${s.target}: ${status}`);
    for (const w of s.warnings) lines.push(`      warning: ${w}`);
  }
  for (const f of report.failures) lines.push(`  ✗ ${f.plugin} (${f.phase}): ${f.error}`);
  for (const f of report.deliveries.failed) lines.push(`  ✗ delivery ${f.name} ${f.id}: ${f.error}`);
  for (const o of report.outputs) lines.push(`  → ${o}`);
  return lines.join('\n');
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
