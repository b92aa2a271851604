/**
 * Zone arithmetic for the date parser and formatter. Luxon knows the IANA rules; we only ask it
 * for offsets, and cache them per day (per hour around a transition) because asking Intl is the
 * slow part of parsing and formatting a date.
 */
import { DateTime, type Zone } from 'luxon';

export const DEFAULT_ZONE = 'Asia/Tokyo';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const zoneCache = new Map<string, Zone>();
/** zone name → day or hour bucket → offset in minutes (NaN marks a span that holds a transition). */
const offsetCache = new Map<string, { days: Map<number, number>; hours: Map<number, number> }>();
const MAX_CACHED_SPANS_PER_ZONE = 50_000;

/** The luxon zone for a name such as `Asia/Tokyo`, `UTC` or `UTC+9`; throws on an unknown name. */
export function resolveZone(name: string): Zone {
  let zone = zoneCache.get(name);
  if (zone) return zone;
  zone = DateTime.fromMillis(0, { zone: name }).zone;
  if (!zone.isValid) throw new Error(`unknown time zone "${name}" (use an IANA name such as Asia/Tokyo, or UTC)`);
  zoneCache.set(name, zone);
  return zone;
}

export function isValidZone(name: string): boolean {
  try {
    resolveZone(name);
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC that `zone` had at the instant `epochMs`. */
export function zoneOffsetAt(zoneName: string, epochMs: number): number {
  const zone = resolveZone(zoneName);
  if (zone.isUniversal) return zone.offset(epochMs);
  let cache = offsetCache.get(zoneName);
  if (!cache) {
    cache = { days: new Map(), hours: new Map() };
    offsetCache.set(zoneName, cache);
  }
  // A day with the same offset at both ends had no transition in it: no zone changes its offset
  // and back within a day (bench/zone-day-cache.ts checks every zone). Only a day that has one is
  // looked at hour by hour.
  const byDay = spanOffset(zone, cache.days, epochMs, DAY_MS);
  if (!Number.isNaN(byDay)) return byDay;
  const byHour = spanOffset(zone, cache.hours, epochMs, HOUR_MS);
  return Number.isNaN(byHour) ? zone.offset(epochMs) : byHour;
}

/** The offset throughout the span holding `epochMs`, or NaN when it changes within the span. */
function spanOffset(zone: Zone, cache: Map<number, number>, epochMs: number, span: number): number {
  const bucket = Math.floor(epochMs / span);
  let offset = cache.get(bucket);
  if (offset === undefined) {
    const atStart = zone.offset(bucket * span);
    const atEnd = zone.offset(bucket * span + span - 1);
    offset = atStart === atEnd ? atStart : NaN;
    if (cache.size >= MAX_CACHED_SPANS_PER_ZONE) cache.clear();
    cache.set(bucket, offset);
  }
  return offset;
}

/**
 * The instant at which a wall-clock time (given as if it were UTC, `localAsUtcMs`) happens in
 * `zone`. Same fix-up as luxon's: guess with the offset at the wall time, correct once; a time
 * that a DST gap skipped is pushed forward, as luxon does.
 */
export function wallTimeToEpoch(localAsUtcMs: number, zoneName: string): number {
  const firstOffset = zoneOffsetAt(zoneName, localAsUtcMs);
  let guess = localAsUtcMs - firstOffset * 60_000;
  const secondOffset = zoneOffsetAt(zoneName, guess);
  if (firstOffset === secondOffset) return guess;
  guess -= (secondOffset - firstOffset) * 60_000;
  const thirdOffset = zoneOffsetAt(zoneName, guess);
  if (secondOffset === thirdOffset) return guess;
  return localAsUtcMs - Math.min(secondOffset, thirdOffset) * 60_000;
}
