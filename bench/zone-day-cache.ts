/**
 * Checks the assumption behind zone offsets cached per day (src/text/zones.ts): no zone changes
 * its offset and back within one UTC day, so a day with the same offset at both ends had the same
 * offset all day. Every IANA zone, every day, hour by hour; prints what it found.
 *   npx tsx bench/zone-day-cache.ts [fromYear=1900] [toYear=2037]
 */
import { DateTime } from 'luxon';

const fromYear = Number(process.argv[2] ?? 1900);
const toYear = Number(process.argv[3] ?? 2037);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const start = Date.UTC(fromYear, 0, 1);
const end = Date.UTC(toYear + 1, 0, 1);
const zones = Intl.supportedValuesOf('timeZone');
const started = performance.now();
let days = 0;
const broken: string[] = [];
for (const name of zones) {
  const zone = DateTime.fromMillis(0, { zone: name }).zone;
  for (let day = start; day < end; day += DAY_MS) {
    const offset = zone.offset(day);
    if (zone.offset(day + DAY_MS - 1) !== offset) continue;
    days++;
    for (let hour = 1; hour < 24; hour++) {
      if (zone.offset(day + hour * HOUR_MS) !== offset) {
        broken.push(`${name} ${new Date(day).toISOString().slice(0, 10)}`);
        break;
      }
    }
  }
}
console.log(`${zones.length} zones, ${fromYear}–${toYear}: ${days.toLocaleString('en')} days with the same offset at both ends, checked hour by hour`);
console.log(`days whose offset changed and changed back: ${broken.length}${broken.length ? ` (${broken.slice(0, 20).join(', ')})` : ''}`);
console.log(`${((performance.now() - started) / 1000).toFixed(0)} s`);
