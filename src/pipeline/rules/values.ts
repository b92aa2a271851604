/** Literal values in rules: regexes (linear time), durations, dates. */
import { RE2JS } from 're2js';
import { parseDate } from '../../text/dates.js';
import { RuleError } from './error.js';

export interface Matcher {
  source: string;
  test(text: string): boolean;
}

/** Longer patterns are almost always a mistake (a pasted document), and compile slowly. */
const MAX_PATTERN_LENGTH = 2000;
const SLASHED = /^\/([\s\S]+)\/([a-z]*)$/;

/**
 * A regex from a recipe, compiled by re2js: matching is linear in the input, so no pattern can
 * hang a run (`(a+)+$` included). `/pattern/flags` (i, m, s) or a bare pattern.
 */
export function compileRegex(spec: unknown, path: Array<string | number>): Matcher {
  if (typeof spec !== 'string' || spec === '') throw new RuleError('regex must be a non-empty string', path);
  if (spec.length > MAX_PATTERN_LENGTH) {
    throw new RuleError(`regex is ${spec.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`, path);
  }
  const slashed = SLASHED.exec(spec);
  const pattern = slashed ? slashed[1]! : spec;
  let flags = 0;
  for (const flag of slashed?.[2] ?? '') {
    if (flag === 'i') flags |= RE2JS.CASE_INSENSITIVE;
    else if (flag === 'm') flags |= RE2JS.MULTILINE;
    else if (flag === 's') flags |= RE2JS.DOTALL;
    else throw new RuleError(`regex ${spec}: unknown flag '${flag}' (use i, m or s)`, path);
  }
  try {
    const compiled = RE2JS.compile(pattern, flags);
    return { source: spec, test: (text) => compiled.test(text) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RuleError(`regex ${spec} cannot be compiled: ${reason}`, path);
  }
}

/** True when a plain value is written as `/pattern/flags` (FeedAttr's and the shorthand's form). */
export function looksLikeRegex(value: string): boolean {
  return SLASHED.test(value) && value.length > 2;
}

const UNIT_MS: Record<string, number> = {
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000, 秒: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000, 分: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000, 時間: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000, 日: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000, 週間: 604_800_000,
};
const DURATION_PART = /\s*(\d+(?:\.\d+)?)\s*([a-z]+|秒|分|時間|日|週間)\s*(?:,|and\b)?/iy;

/**
 * `2d`, `36h`, `7 days`, `1 week 2 days`, `3日`; a bare number is minutes, as Plagger's Fresh
 * `duration` was.
 */
export function parseDuration(spec: unknown, path: Array<string | number>): number {
  if (typeof spec === 'number' && Number.isFinite(spec) && spec >= 0) return spec * 60_000;
  if (typeof spec === 'string') {
    const text = spec.trim();
    if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 60_000;
    let total = 0;
    let index = 0;
    while (text && index < text.length) {
      DURATION_PART.lastIndex = index;
      const part = DURATION_PART.exec(text);
      const unit = part ? UNIT_MS[part[2]!.toLowerCase()] : undefined;
      if (!part || unit === undefined) break;
      total += Number(part[1]) * unit;
      index = DURATION_PART.lastIndex;
    }
    if (text && index === text.length) return total;
  }
  throw new RuleError(`${JSON.stringify(spec)} is not a duration (write 2d, 36h, 90m, "7 days" or minutes)`, path);
}

export interface DateLiteral {
  text: string;
  /** Epoch ms, reading a date without an offset in `timezone`. */
  at(timezone: string): number;
}

/** A date from a recipe; a naive one is read in the run's timezone, so it is parsed again per zone. */
export function compileDate(spec: unknown, path: Array<string | number>): DateLiteral {
  const text = spec instanceof Date ? spec.toISOString() : typeof spec === 'string' ? spec : undefined;
  if (text === undefined || parseDate(text) === undefined) {
    throw new RuleError(`${JSON.stringify(spec)} is not a date (write 2008-05-30 or 2008-05-30T21:34+09:00)`, path);
  }
  const byZone = new Map<string, number>();
  return {
    text,
    at(timezone) {
      let epoch = byZone.get(timezone);
      if (epoch === undefined) {
        epoch = parseDate(text, { defaultZone: timezone })!.epochMs;
        byZone.set(timezone, epoch);
      }
      return epoch;
    },
  };
}
