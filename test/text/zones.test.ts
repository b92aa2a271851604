/**
 * Offsets come from a cache by day (by hour around a transition); they must be what the IANA
 * rules say at every instant, across transitions of every kind.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { zoneOffsetAt } from '../../src/text/zones.js';

const HALF_HOUR = 1_800_000;

const cases: Array<[zone: string, from: string, to: string, why: string]> = [
  ['Asia/Tokyo', '1948-01-01', '1952-01-01', 'JST summer time 1948–1951'],
  ['America/New_York', '2021-01-01', '2022-01-01', 'DST at 02:00 local'],
  ['Europe/London', '2021-01-01', '2022-01-01', 'BST at 01:00 UTC'],
  ['Australia/Lord_Howe', '2021-01-01', '2022-01-01', 'a half-hour shift'],
  ['Pacific/Apia', '2011-12-01', '2012-01-15', 'a whole day skipped (30 Dec 2011)'],
  ['Africa/Casablanca', '2019-04-01', '2019-07-01', 'summer time suspended for Ramadan'],
  ['Asia/Kolkata', '1941-09-01', '1946-01-01', 'war time changes at odd minutes'],
];

describe('zoneOffsetAt', () => {
  it.each(cases)('%s matches the IANA rules every half hour and around each change (%s → %s: %s)', (zone, from, to) => {
    const start = Date.parse(`${from}T00:00:00Z`);
    const end = Date.parse(`${to}T00:00:00Z`);
    const expected = (at: number) => DateTime.fromMillis(at, { zone }).offset;
    const mismatches: string[] = [];
    let previous = expected(start);
    for (let at = start; at < end; at += HALF_HOUR) {
      const now = expected(at);
      // Around a change, every minute of the half hour before it.
      const instants = now === previous ? [at] : Array.from({ length: 31 }, (_, m) => at - HALF_HOUR + m * 60_000);
      for (const instant of instants) {
        if (zoneOffsetAt(zone, instant) !== expected(instant)) mismatches.push(new Date(instant).toISOString());
      }
      previous = now;
    }
    expect(mismatches).toEqual([]);
  });
});
