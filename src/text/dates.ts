/**
 * One date parser for every plugin (formats.md §7). The grammar is ours, because `Date.parse`
 * reads naive times in the server's zone, rolls 29 Feb 2007 over to March and does not know JST;
 * luxon only supplies zone offsets (src/text/zones.ts).
 */
import type { When, WhenPrecision } from '../pipeline/model.js';
import { DEFAULT_ZONE, resolveZone, wallTimeToEpoch, zoneOffsetAt } from './zones.js';

export { DEFAULT_ZONE } from './zones.js';

export interface ParseDateOptions {
  /** Zone that gives naive times their meaning (the source's zone). Default `Asia/Tokyo`. */
  defaultZone?: string;
  /** "Now" for year-less dates, epoch ms. Default: the system clock. */
  now?: number;
}

export type DateStyle = 'rss' | 'atom' | 'display';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Zone names and their offsets in minutes. RFC 822 names, the military letters as RFC 822 wrote
 * them (A = -1 h … M = -12 h, N = +1 h … Y = +12 h), and the names Japanese and European feeds
 * really carry. Ambiguous names (IST, CST in China) are left out on purpose: a wrong guess would
 * be a silent error of hours.
 */
export const ZONE_ABBREVIATIONS: Readonly<Record<string, number>> = (() => {
  const table: Record<string, number> = {
    UT: 0, UTC: 0, GMT: 0, Z: 0, WET: 0,
    EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
    AKST: -540, AKDT: -480, HST: -600,
    JST: 540, KST: 540, HKT: 480, SGT: 480, AWST: 480,
    BST: 60, WEST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180, MSK: 180,
    AEST: 600, AEDT: 660, ACST: 570, ACDT: 630, NZST: 720, NZDT: 780,
  };
  'ABCDEFGHIKLM'.split('').forEach((letter, i) => (table[letter] = -(i + 1) * 60));
  'NOPQRSTUVWXY'.split('').forEach((letter, i) => (table[letter] = (i + 1) * 60));
  return table;
})();

// ─── Parsing ───────────────────────────────────────────────────────────────────────────────

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  precision: WhenPrecision;
  /** Offset east of UTC in minutes, when the input carried one. */
  offset?: number;
  yearInferred?: boolean;
}

const WEEKDAY = String.raw`(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*)`;
const MONTH = String.raw`(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?`;
const ZONE = String.raw`([+-]\d{2}:?\d{2}|[+-]\d{4}|[a-z]{1,5})`;
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`;

/** RFC 822 / 1123 / 2822: `Fri, 30 May 2008 21:34:56 +0900`, weekday optional, zone tolerated missing. */
const RFC822 = new RegExp(
  String.raw`^${WEEKDAY}?(\d{1,2})[\s-]+${MONTH}[\s-]+(\d{2,4})(?:,?\s+${TIME}(?:\s*${ZONE})?)?(?:\s*\([^)]*\))?$`,
  'i',
);
/** Twitter API / `asctime` / JavaScript `Date#toString`: `Fri May 30 12:34:56 +0000 2008`. */
const TWITTER = new RegExp(
  String.raw`^${WEEKDAY}?${MONTH}\s+(\d{1,2})\s+(?:(\d{4})\s+)?${TIME}(?:\s+(?:gmt|utc)?${ZONE})?(?:\s+(\d{4}))?(?:\s*\([^)]*\))?$`,
  'i',
);
/** RFC 3339 / W3CDTF / ISO 8601 and their naive relatives: `2008-05-30T21:34:56+09:00`, `2008/05/30 21:34`. */
const ISO = new RegExp(
  String.raw`^(\d{4})(?:([-/])(\d{1,2})(?:\2(\d{1,2})(?:(?:t|\s+)${TIME}\s*${ZONE}?)?)?)?$`,
  'i',
);
/** Movable Type export: `01/05/2026 21:34:12`, `01/05/2026 09:34:12 PM` (month first). */
const MOVABLE_TYPE = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+${TIME}(?:\s*([ap])\.?m\.?)?)?$`, 'i');
/** Japanese: `2008年5月30日(金) 21:34`, `平成20年5月30日`, `令和元年5月1日`, year-less `05月30日 21:34`. */
const JAPANESE = new RegExp(
  String.raw`^(?:(?:(明治|大正|昭和|平成|令和)\s*(\d{1,2}|元)|(\d{4}))\s*年\s*)?(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?` +
    String.raw`\s*(?:[(（][日月火水木金土祝・]+[)）])?\s*(?:(午前|午後|am|pm)?\s*(\d{1,2})\s*[:時]\s*(\d{1,2})\s*(?:[:分]\s*(?:(\d{1,2})\s*秒?)?)?)?$`,
  'i',
);

const ERA_START_YEARS: Record<string, number> = { 明治: 1868, 大正: 1912, 昭和: 1926, 平成: 1989, 令和: 2019 };

/**
 * Parse a date as feeds, exports and pages write it. Returns undefined for text that is not a date
 * or names an impossible one (29 Feb 2007, 25:00). Naive times take `defaultZone`, never the
 * server's zone. Throws only when `defaultZone` itself is not a zone.
 */
export function parseDate(input: string | number | null | undefined, options: ParseDateOptions = {}): When | undefined {
  if (input === null || input === undefined) return undefined;
  const zone = options.defaultZone ?? DEFAULT_ZONE;
  if (typeof input === 'number') return fromEpochNumber(input);
  let text = input.trim();
  if (text === '') return undefined;
  if (/[\uFF01-\uFF5E\u3000]/.test(text)) text = toHalfWidth(text);

  if (/^\d+$/.test(text)) return parseDigits(text, zone);
  const fields =
    matchIso(text) ??
    matchRfc822(text) ??
    matchTwitter(text) ??
    matchMovableType(text) ??
    matchJapanese(text, zone, options.now);
  return fields ? toWhen(fields, zone) : undefined;
}

function fromEpochNumber(value: number): When | undefined {
  if (!Number.isFinite(value)) return undefined;
  // Seconds until the year 5138; anything larger is milliseconds.
  const epochMs = Math.abs(value) < 1e11 ? Math.round(value * 1000) : Math.round(value);
  return { epochMs, kind: 'zoned', precision: 'second', offsetMinutes: 0 };
}

function parseDigits(text: string, zone: string): When | undefined {
  switch (text.length) {
    case 10:
      return fromEpochNumber(Number(text));
    case 13:
      return fromEpochNumber(Number(text));
    case 14: // mixi echo: 20080530213456
    case 12:
    case 8: {
      const fields = naiveFields(
        +text.slice(0, 4),
        +text.slice(4, 6),
        +text.slice(6, 8),
        text.length >= 12 ? +text.slice(8, 10) : undefined,
        text.length >= 12 ? +text.slice(10, 12) : undefined,
        text.length === 14 ? +text.slice(12, 14) : undefined,
      );
      return fields ? toWhen(fields, zone) : undefined;
    }
    case 4:
      return toWhen({ ...blankFields(+text), precision: 'year' }, zone);
    default:
      return undefined;
  }
}

function blankFields(year: number): Fields {
  return { year, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0, precision: 'day' };
}

function naiveFields(year: number, month: number, day: number, hour?: number, minute?: number, second?: number): Fields | undefined {
  const fields: Fields = {
    ...blankFields(year),
    month,
    day,
    hour: hour ?? 0,
    minute: minute ?? 0,
    second: second ?? 0,
    precision: hour === undefined ? 'day' : second === undefined ? 'minute' : 'second',
  };
  return fields;
}

function matchIso(text: string): Fields | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const year = +m[1]!;
  if (m[3] === undefined) return { ...blankFields(year), precision: 'year' };
  const month = +m[3];
  if (m[4] === undefined) return { ...blankFields(year), month, precision: 'month' };
  const day = +m[4];
  if (m[5] === undefined) return { ...blankFields(year), month, day, precision: 'day' };
  const fields = timeFields(year, month, day, m[5], m[6]!, m[7], m[8]);
  if (m[9] !== undefined) {
    const offset = zoneOffset(m[9]);
    if (offset === undefined) return undefined;
    fields.offset = offset;
  }
  return fields;
}

function matchRfc822(text: string): Fields | undefined {
  const m = RFC822.exec(text);
  if (!m) return undefined;
  const day = +m[1]!;
  const month = MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) + 1;
  const year = expandYear(m[3]!);
  if (m[4] === undefined) return { ...blankFields(year), month, day, precision: 'day' };
  const fields = timeFields(year, month, day, m[4], m[5]!, m[6], m[7]);
  if (m[8] !== undefined) {
    const offset = zoneOffset(m[8]);
    if (offset === undefined) return undefined;
    fields.offset = offset;
  }
  return fields;
}

function matchTwitter(text: string): Fields | undefined {
  const m = TWITTER.exec(text);
  if (!m) return undefined;
  const yearText = m[3] ?? m[9];
  if (yearText === undefined || (m[3] !== undefined && m[9] !== undefined)) return undefined;
  const month = MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase()) + 1;
  const fields = timeFields(+yearText, month, +m[2]!, m[4]!, m[5]!, m[6], m[7]);
  if (m[8] !== undefined) {
    const offset = zoneOffset(m[8]);
    if (offset === undefined) return undefined;
    fields.offset = offset;
  }
  return fields;
}

function matchMovableType(text: string): Fields | undefined {
  const m = MOVABLE_TYPE.exec(text);
  if (!m) return undefined;
  const month = +m[1]!;
  const day = +m[2]!;
  const year = +m[3]!;
  if (m[4] === undefined) return { ...blankFields(year), month, day, precision: 'day' };
  const fields = timeFields(year, month, day, m[4], m[5]!, m[6], m[7]);
  if (m[8] !== undefined && !applyMeridiem(fields, m[8].toLowerCase() === 'p')) return undefined;
  return fields;
}

function matchJapanese(text: string, zone: string, now: number | undefined): Fields | undefined {
  const m = JAPANESE.exec(text);
  if (!m) return undefined;
  let year: number | undefined;
  if (m[1] !== undefined) {
    const eraYear = m[2] === '元' ? 1 : +m[2]!;
    if (eraYear < 1) return undefined;
    year = ERA_START_YEARS[m[1]]! + eraYear - 1;
  } else if (m[3] !== undefined) {
    year = +m[3];
  }
  const month = +m[4]!;
  if (m[5] === undefined) {
    // `2008年5月`: a month; a bare `5月` is not a date.
    return year === undefined ? undefined : { ...blankFields(year), month, precision: 'month' };
  }
  const day = +m[5];
  const fields: Fields =
    m[7] === undefined
      ? { ...blankFields(year ?? 0), month, day, precision: 'day' }
      : timeFields(year ?? 0, month, day, m[7], m[8]!, m[9], undefined);
  if (m[6] !== undefined) {
    const afternoon = m[6] === '午後' || m[6].toLowerCase() === 'pm';
    if (m[7] === undefined || !applyMeridiem(fields, afternoon)) return undefined;
  }
  if (year === undefined) inferYear(fields, zone, now ?? Date.now());
  return fields;
}

/** A year-less date (mixi lists) is in the current year, unless that puts it in the future. */
function inferYear(fields: Fields, zone: string, now: number): void {
  const nowLocal = now + zoneOffsetAt(zone, now) * 60_000;
  fields.year = new Date(nowLocal).getUTCFullYear();
  fields.yearInferred = true;
  if (!isValidDate(fields)) fields.year -= 1; // 29 Feb in a non-leap year: the last leap year before now
  const candidate = toWhen(fields, zone);
  if (!candidate || candidate.epochMs > now) fields.year -= 1;
}

function timeFields(
  year: number,
  month: number,
  day: number,
  hour: string,
  minute: string,
  second: string | undefined,
  fraction: string | undefined,
): Fields {
  return {
    year,
    month,
    day,
    hour: +hour,
    minute: +minute,
    second: second === undefined ? 0 : +second,
    millisecond: fraction === undefined ? 0 : Math.floor(+`0.${fraction}` * 1000 + 1e-6),
    precision: second === undefined ? 'minute' : 'second',
  };
}

function applyMeridiem(fields: Fields, afternoon: boolean): boolean {
  if (fields.hour < 1 || fields.hour > 12) return false;
  fields.hour = (fields.hour % 12) + (afternoon ? 12 : 0);
  return true;
}

/** RFC 2822 §4.3: two-digit years 00–49 are 20xx, 50–99 are 19xx; three digits add 1900. */
function expandYear(text: string): number {
  const year = +text;
  if (text.length === 2) return year < 50 ? 2000 + year : 1900 + year;
  if (text.length === 3) return 1900 + year;
  return year;
}

function zoneOffset(text: string): number | undefined {
  const first = text.charCodeAt(0);
  if (first === 43 /* + */ || first === 45 /* - */) {
    const digits = text.length === 6 ? text.slice(1, 3) + text.slice(4) : text.slice(1);
    const hours = +digits.slice(0, 2);
    const minutes = +digits.slice(2, 4);
    if (hours > 23 || minutes > 59) return undefined;
    const offset = hours * 60 + minutes;
    return first === 45 ? -offset : offset;
  }
  return ZONE_ABBREVIATIONS[text.toUpperCase()];
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function isValidDate(f: Fields): boolean {
  return (
    f.year >= 1 &&
    f.year <= 9999 &&
    f.month >= 1 &&
    f.month <= 12 &&
    f.day >= 1 &&
    f.day <= daysInMonth(f.year, f.month) &&
    f.hour <= 23 &&
    f.minute <= 59 &&
    // 60 is a leap second (RFC 3339); it lands on the next minute, as in every clock we feed.
    f.second <= 60
  );
}

function toWhen(f: Fields, zone: string): When | undefined {
  if (!isValidDate(f)) return undefined;
  const wall = utcMs(f.year, f.month, f.day, f.hour, f.minute, f.second, f.millisecond);
  let when: When;
  if (f.offset !== undefined) {
    when = { epochMs: wall - f.offset * 60_000, kind: 'zoned', precision: f.precision, offsetMinutes: f.offset };
  } else {
    resolveZone(zone);
    const isDate = f.precision === 'day' || f.precision === 'month' || f.precision === 'year';
    when = { epochMs: wallTimeToEpoch(wall, zone), kind: isDate ? 'date' : 'assumed', precision: f.precision, zone };
  }
  if (f.yearInferred) when.inferred = ['year'];
  return when;
}

/** `Date.UTC` maps years 0–99 to 19xx; this does not. */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000]/g, (ch) => (ch === '\u3000' ? ' ' : String.fromCharCode(ch.charCodeAt(0) - 0xfee0)));
}

// ─── Formatting ────────────────────────────────────────────────────────────────────────────

/**
 * Render an instant in `zone`. `rss`: `Fri, 30 May 2008 21:34:56 +0900` (English names whatever
 * the locale, always a numeric zone); `atom`: `2008-05-30T21:34:56+09:00`; `display`:
 * `2008-05-30 21:34`. A day-precision `When` displays as the day it names (`2008-05-30`).
 */
export function formatDate(when: When | number, zone: string, style: DateStyle): string {
  const epochMs = typeof when === 'number' ? when : when.epochMs;
  if (!Number.isFinite(epochMs)) throw new Error(`formatDate: not an instant: ${String(epochMs)}`);
  if (style === 'display' && typeof when !== 'number' && when.kind === 'date') {
    const dateZone = when.zone ?? zone;
    const local = localParts(epochMs, dateZone);
    const day = `${pad4(local.year)}-${pad2(local.month)}-${pad2(local.day)}`;
    return when.precision === 'year' ? day.slice(0, 4) : when.precision === 'month' ? day.slice(0, 7) : day;
  }
  // Local mean time before 1900 has offsets like +05:21:10, which RSS and Atom cannot write:
  // whole minutes, with the wall time shifted to match, keep the instant exact.
  const offset = Math.round(zoneOffsetAt(zone, epochMs));
  const local = localParts(epochMs, zone, offset);
  const date = `${pad4(local.year)}-${pad2(local.month)}-${pad2(local.day)}`;
  const time = `${pad2(local.hour)}:${pad2(local.minute)}`;
  switch (style) {
    case 'display':
      return `${date} ${time}`;
    case 'atom': {
      const millis = local.millisecond ? `.${String(local.millisecond).padStart(3, '0')}` : '';
      return `${date}T${time}:${pad2(local.second)}${millis}${offsetText(offset, ':')}`;
    }
    case 'rss':
      return (
        `${WEEKDAY_NAMES[local.weekday]}, ${pad2(local.day)} ${MONTH_NAMES[local.month - 1]} ${pad4(local.year)} ` +
        `${time}:${pad2(local.second)} ${offsetText(offset, '')}`
      );
    default:
      throw new Error(`formatDate: unknown style "${String(style)}" (rss, atom or display)`);
  }
}

function localParts(epochMs: number, zone: string, offset = zoneOffsetAt(zone, epochMs)) {
  const d = new Date(epochMs + offset * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
  };
}

function offsetText(offsetMinutes: number, separator: string): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad2(Math.floor(abs / 60))}${separator}${pad2(abs % 60)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}
