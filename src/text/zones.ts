/**
 * Zone arithmetic for the date parser and formatter. Luxon knows the IANA rules; we only ask it
 * for offsets, and cache them per hour because asking Intl is the slow part of parsing a date.
 */
import { DateTime, type Zone } from 'luxon';

export const DEFAULT_ZONE = 'Asia/Tokyo';

const HOUR_MS = 3_600_000;
const zoneCache = new Map<string, Zone>();
/** zone name → hour bucket → offset in minutes (NaN marks an hour that holds a transition). */
const offsetCache = new Map<string, Map<number, number>>();
const MAX_CACHED_HOURS_PER_ZONE = 50_000;

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
  let perZone = offsetCache.get(zoneName);
  if (!perZone) {
    perZone = new Map();
    offsetCache.set(zoneName, perZone);
  }
  const bucket = Math.floor(epochMs / HOUR_MS);
  let offset = perZone.get(bucket);
  if (offset === undefined) {
    const atStart = zone.offset(bucket * HOUR_MS);
    const atEnd = zone.offset(bucket * HOUR_MS + HOUR_MS - 1);
    offset = atStart === atEnd ? atStart : NaN;
    if (perZone.size >= MAX_CACHED_HOURS_PER_ZONE) perZone.clear();
    perZone.set(bucket, offset);
  }
  return Number.isNaN(offset) ? zone.offset(epochMs) : offset;
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
