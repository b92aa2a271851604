/**
 * Recipe durations such as `every: 15m`: a number and a unit, optionally chained (`1h30m`).
 * Schedules are written by people, so the grammar stays small and every mistake is an error
 * with the offending text in it rather than a silently wrong interval.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h|d|w)/gy;

/** Milliseconds in `15m`, `1h30m`, `90s`, `2d`, `500ms`; a bare number counts as seconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text <= 0) throw new Error(`duration must be positive: ${text}`);
    return text * 1000;
  }
  const source = text.trim().toLowerCase().replace(/\s+/g, '');
  if (/^\d+(?:\.\d+)?$/.test(source)) return parseDuration(Number(source));
  let total = 0;
  let consumed = 0;
  PART.lastIndex = 0;
  for (let match = PART.exec(source); match; match = PART.exec(source)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    consumed = PART.lastIndex;
  }
  if (consumed === 0 || consumed !== source.length) {
    throw new Error(`cannot read duration "${text}" (write e.g. 15m, 1h30m, 90s, 2d)`);
  }
  if (total <= 0) throw new Error(`duration must be positive: "${text}"`);
  return Math.round(total);
}

/** `15m`, `1h30m`: the inverse of parseDuration for messages and the status page. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
