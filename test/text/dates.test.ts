import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDate, parseDate } from '../../src/text/dates.js';

const TOKYO_2008_05_30_213456 = Date.UTC(2008, 4, 30, 12, 34, 56);
const TOKYO_2008_05_30_2134 = Date.UTC(2008, 4, 30, 12, 34);
const TOKYO_2008_05_30_MIDNIGHT = Date.UTC(2008, 4, 29, 15, 0);

interface Case {
  input: string | number;
  iso: string;
  kind: 'zoned' | 'assumed' | 'date';
  precision: string;
  offset?: number;
}

const accepted: Case[] = [
  // RFC 822 / 1123
  { input: 'Fri, 30 May 2008 21:34:56 +0900', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: 'Fri, 30 May 2008 21:34:56 JST', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: 'Fri, 30 May 2008 21:34:56 KST', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: 'Fri, 30 May 2008 12:34:56 GMT', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: 'Fri, 30 May 2008 12:34:56 UT', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: 'Fri, 30 May 2008 12:34:56 Z', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: 'Fri, 30 May 2008 08:34:56 EDT', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: -240 },
  { input: 'Fri, 30 May 2008 07:34:56 EST', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: -300 },
  { input: 'Fri, 30 May 2008 05:34:56 PDT', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: -420 },
  { input: 'Fri, 30 May 2008 04:34:56 PST', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: -480 },
  { input: 'Fri, 30 May 2008 14:34:56 CEST', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 120 },
  { input: 'Fri, 30 May 2008 21:34:56 I', iso: '2008-05-31T06:34:56.000Z', kind: 'zoned', precision: 'second', offset: -540 },
  { input: 'Fri, 30 May 2008 21:34:56 +09:00', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: 'Fri 30 May 2008 21:34:56 +0900', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: '30 May 2008 21:34:56 +0900', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: 'Sat, 30 May 2008 21:34:56 +0900', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: 'Fri, 30 May 08 21:34:56 +0900', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: 'Sun, 5 Jan 97 09:00:00 GMT', iso: '1997-01-05T09:00:00.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: 'Fri, 30 May 2008 21:34 +0900', iso: '2008-05-30T12:34:00.000Z', kind: 'zoned', precision: 'minute', offset: 540 },
  { input: 'Fri, 30 May 2008 21:34:56 +0900 (JST)', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: 'friday, 30 may 2008 21:34:56 jst', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: 'Fri, 30 May 2008 21:34:56', iso: '2008-05-30T12:34:56.000Z', kind: 'assumed', precision: 'second' },
  { input: 'Thu, 29 Feb 2008 10:00:00 GMT', iso: '2008-02-29T10:00:00.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  // RFC 3339 / W3CDTF
  { input: '2008-05-30T21:34:56+09:00', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  { input: '2008-05-30T12:34:56Z', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: '2024-06-01T12:34:56.000Z', iso: '2024-06-01T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: '2024-06-01T12:34:56.789-05:00', iso: '2024-06-01T17:34:56.789Z', kind: 'zoned', precision: 'second', offset: -300 },
  { input: '2008-05-30T21:34+09:00', iso: '2008-05-30T12:34:00.000Z', kind: 'zoned', precision: 'minute', offset: 540 },
  { input: '2008-05-30T21:34:56', iso: '2008-05-30T12:34:56.000Z', kind: 'assumed', precision: 'second' },
  { input: '2008-05-30', iso: '2008-05-29T15:00:00.000Z', kind: 'date', precision: 'day' },
  { input: '2008-05', iso: '2008-04-30T15:00:00.000Z', kind: 'date', precision: 'month' },
  // Twitter, Grailbird
  { input: 'Fri May 30 12:34:56 +0000 2008', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: '2008-05-30 12:34:56 +0000', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: 'Fri May 30 2008 21:34:56 GMT+0900 (Japan Standard Time)', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 540 },
  // naive
  { input: '2008-05-30 21:34', iso: '2008-05-30T12:34:00.000Z', kind: 'assumed', precision: 'minute' },
  { input: '2008/05/30 21:34', iso: '2008-05-30T12:34:00.000Z', kind: 'assumed', precision: 'minute' },
  { input: '2008/5/30', iso: '2008-05-29T15:00:00.000Z', kind: 'date', precision: 'day' },
  // epoch
  { input: 1212150896, iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: 1212150896123, iso: '2008-05-30T12:34:56.123Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: '1212150896', iso: '2008-05-30T12:34:56.000Z', kind: 'zoned', precision: 'second', offset: 0 },
  { input: '1212150896123', iso: '2008-05-30T12:34:56.123Z', kind: 'zoned', precision: 'second', offset: 0 },
  // mixi echo, Japanese prose
  { input: '20080530213456', iso: '2008-05-30T12:34:56.000Z', kind: 'assumed', precision: 'second' },
  { input: '2008年05月30日 21:34', iso: '2008-05-30T12:34:00.000Z', kind: 'assumed', precision: 'minute' },
  { input: '2008年5月30日(金)', iso: '2008-05-29T15:00:00.000Z', kind: 'date', precision: 'day' },
  { input: '2008年5月30日（金） 21時34分', iso: '2008-05-30T12:34:00.000Z', kind: 'assumed', precision: 'minute' },
  { input: '2008年5月30日 午後9時34分', iso: '2008-05-30T12:34:00.000Z', kind: 'assumed', precision: 'minute' },
  { input: '２００８年５月３０日　２１：３４', iso: '2008-05-30T12:34:00.000Z', kind: 'assumed', precision: 'minute' },
  { input: '平成20年5月30日', iso: '2008-05-29T15:00:00.000Z', kind: 'date', precision: 'day' },
  { input: '令和元年5月1日', iso: '2019-04-30T15:00:00.000Z', kind: 'date', precision: 'day' },
  { input: '昭和64年1月7日', iso: '1989-01-06T15:00:00.000Z', kind: 'date', precision: 'day' },
  { input: '明治45年7月29日', iso: '1912-07-28T15:00:00.000Z', kind: 'date', precision: 'day' },
  { input: '大正元年8月1日', iso: '1912-07-31T15:00:00.000Z', kind: 'date', precision: 'day' },
  { input: '2008年5月', iso: '2008-04-30T15:00:00.000Z', kind: 'date', precision: 'month' },
  // Movable Type
  { input: '01/05/2026 21:34:12', iso: '2026-01-05T12:34:12.000Z', kind: 'assumed', precision: 'second' },
  { input: '01/05/2026 09:34:12 PM', iso: '2026-01-05T12:34:12.000Z', kind: 'assumed', precision: 'second' },
  { input: '01/05/2026 12:10:00 AM', iso: '2026-01-04T15:10:00.000Z', kind: 'assumed', precision: 'second' },
];

describe('parseDate', () => {
  it.each(accepted)('reads $input', ({ input, iso, kind, precision, offset }) => {
    const when = parseDate(input);
    expect(when, String(input)).toBeDefined();
    expect(new Date(when!.epochMs).toISOString()).toBe(iso);
    expect(when!.kind).toBe(kind);
    expect(when!.precision).toBe(precision);
    if (kind === 'zoned') expect(when!.offsetMinutes).toBe(offset);
    else expect(when!.zone).toBe('Asia/Tokyo');
  });

  it.each([
    'Thu, 29 Feb 2007 10:00:00 GMT',
    'Wed, 31 Apr 2008 10:00:00 GMT',
    '2008-02-30',
    '2008-13-01',
    '2008-05-30T25:00:00Z',
    '2008-05-30T21:61:00Z',
    'Fri, 30 May 2008 21:34:56 XYZ',
    'Fri, 30 May 2008 21:34:56 +2500',
    '01/05/2026 13:00:00 PM',
    '5月',
    'yesterday',
    'Fri May 30 12:34:56 2008 +0000 2009',
    '123456',
    '',
    '   ',
  ])('rejects %j', (input) => {
    expect(parseDate(input)).toBeUndefined();
  });

  it('returns undefined for nothing and for non-finite numbers', () => {
    expect(parseDate(null)).toBeUndefined();
    expect(parseDate(undefined)).toBeUndefined();
    expect(parseDate(Number.NaN)).toBeUndefined();
    expect(parseDate(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('gives naive times the default zone, not the server zone', () => {
    expect(parseDate('2008-05-30 21:34', { defaultZone: 'UTC' })!.epochMs).toBe(Date.UTC(2008, 4, 30, 21, 34));
    expect(parseDate('2008-05-30 21:34', { defaultZone: 'America/New_York' })!.epochMs).toBe(Date.UTC(2008, 4, 31, 1, 34));
    expect(parseDate('2008年05月30日 21:34')!.epochMs).toBe(TOKYO_2008_05_30_2134);
    expect(parseDate('2008-05-30')!.epochMs).toBe(TOKYO_2008_05_30_MIDNIGHT);
    expect(parseDate('20080530213456')!.epochMs).toBe(TOKYO_2008_05_30_213456);
  });

  it('keeps a zoned time zoned whatever the default zone', () => {
    expect(parseDate('Fri, 30 May 2008 21:34:56 JST', { defaultZone: 'America/Los_Angeles' })!.epochMs).toBe(TOKYO_2008_05_30_213456);
  });

  it('infers the year of a year-less date from now, going back a year for a future date', () => {
    const now = Date.UTC(2026, 0, 10, 3, 0); // 2026-01-10 12:00 in Tokyo
    const past = parseDate('01月09日 21:34', { now })!;
    expect(new Date(past.epochMs).toISOString()).toBe('2026-01-09T12:34:00.000Z');
    expect(past.inferred).toEqual(['year']);
    const future = parseDate('05月30日 21:34', { now })!;
    expect(new Date(future.epochMs).toISOString()).toBe('2025-05-30T12:34:00.000Z');
    expect(future.inferred).toEqual(['year']);
    // Later on the same Tokyo day is still in the future: yesterday's year would be wrong, last year's is right.
    expect(new Date(parseDate('1月10日 13:00', { now })!.epochMs).toISOString()).toBe('2025-01-10T04:00:00.000Z');
    expect(new Date(parseDate('1月10日 11:00', { now })!.epochMs).toISOString()).toBe('2026-01-10T02:00:00.000Z');
    expect(parseDate('2008年05月30日 21:34', { now })!.inferred).toBeUndefined();
  });

  it('throws naming a zone that does not exist', () => {
    expect(() => parseDate('2008-05-30 21:34', { defaultZone: 'Asia/Atlantis' })).toThrow(/Asia\/Atlantis/);
  });
});

describe('formatDate', () => {
  it('renders RSS, Atom and display forms in the zone', () => {
    expect(formatDate(TOKYO_2008_05_30_213456, 'Asia/Tokyo', 'rss')).toBe('Fri, 30 May 2008 21:34:56 +0900');
    expect(formatDate(TOKYO_2008_05_30_213456, 'Asia/Tokyo', 'atom')).toBe('2008-05-30T21:34:56+09:00');
    expect(formatDate(TOKYO_2008_05_30_213456, 'Asia/Tokyo', 'display')).toBe('2008-05-30 21:34');
    expect(formatDate(TOKYO_2008_05_30_213456, 'UTC', 'rss')).toBe('Fri, 30 May 2008 12:34:56 +0000');
    expect(formatDate(TOKYO_2008_05_30_213456, 'America/New_York', 'atom')).toBe('2008-05-30T08:34:56-04:00');
    expect(formatDate(Date.UTC(2008, 0, 5, 3, 4, 5, 120), 'America/New_York', 'atom')).toBe('2008-01-04T22:04:05.120-05:00');
    expect(formatDate(Date.UTC(2008, 0, 5, 3, 4, 5), 'Asia/Kolkata', 'rss')).toBe('Sat, 05 Jan 2008 08:34:05 +0530');
  });

  it('displays a date-only value as the day it names, in any zone', () => {
    const day = parseDate('2008-05-30')!;
    expect(formatDate(day, 'Asia/Tokyo', 'display')).toBe('2008-05-30');
    expect(formatDate(day, 'America/Los_Angeles', 'display')).toBe('2008-05-30');
    expect(formatDate(parseDate('2008-05')!, 'UTC', 'display')).toBe('2008-05');
    expect(formatDate(day, 'Asia/Tokyo', 'atom')).toBe('2008-05-30T00:00:00+09:00');
  });

  it('names a bad style or instant', () => {
    expect(() => formatDate(Number.NaN, 'UTC', 'rss')).toThrow(/not an instant/);
    expect(() => formatDate(0, 'UTC', 'iso' as 'rss')).toThrow(/unknown style "iso"/);
  });
});

describe('parseDate(formatDate(x)) round trip', () => {
  const zones = fc.constantFrom('Asia/Tokyo', 'UTC', 'America/Los_Angeles', 'Europe/London', 'Asia/Kolkata', 'Australia/Adelaide');
  const instants = fc.integer({ min: Date.UTC(1900, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }).map((s) => s * 1000);

  it('keeps the instant and the offset through RSS and Atom', () => {
    fc.assert(
      fc.property(instants, zones, fc.constantFrom('rss' as const, 'atom' as const), (epochMs, zone, style) => {
        const text = formatDate(epochMs, zone, style);
        const when = parseDate(text, { defaultZone: 'Pacific/Chatham' });
        expect(when?.epochMs, text).toBe(epochMs);
        expect(when?.kind).toBe('zoned');
        expect(formatDate(when!, zone, style)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps milliseconds through Atom', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800000 }), zones, (epochMs, zone) => {
        expect(parseDate(formatDate(epochMs, zone, 'atom'))?.epochMs).toBe(epochMs);
      }),
      { numRuns: 1000 },
    );
  });
});
