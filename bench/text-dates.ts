/**
 * Date parsing and formatting throughput: `npx tsx bench/text-dates.ts`.
 * Target: ≥ 300k parses/s on RFC 822 and RFC 3339 (the parser runs on every item of every feed).
 */
import { formatDate, parseDate } from '../src/text/dates.js';

const COUNT = 20_000;
const start = Date.UTC(2000, 0, 1);
const instants = Array.from({ length: COUNT }, (_, i) => start + i * 7_919_000 + (i % 1000));

const inputs: Record<string, string[]> = {
  'RFC 822 (+0900)': instants.map((t) => formatDate(t, 'Asia/Tokyo', 'rss')),
  'RFC 822 (GMT name)': instants.map((t) => formatDate(t, 'UTC', 'rss').replace('+0000', 'GMT')),
  'RFC 3339 (+09:00)': instants.map((t) => formatDate(t, 'Asia/Tokyo', 'atom')),
  'RFC 3339 (Z, ms)': instants.map((t) => new Date(t).toISOString()),
  'naive 2008-05-30 21:34 (Asia/Tokyo)': instants.map((t) => formatDate(t, 'Asia/Tokyo', 'display')),
  'Japanese 2008年5月30日 21:34': instants.map((t) =>
    formatDate(t, 'Asia/Tokyo', 'display').replace(/^(\d+)-(\d+)-(\d+)/, (_, y: string, m: string, d: string) => `${y}年${+m}月${+d}日`),
  ),
  'Twitter Fri May 30 12:34:56 +0000 2008': instants.map((t) => {
    const [weekday, day, month, year, time] = formatDate(t, 'UTC', 'rss').replace(',', '').split(' ');
    return `${weekday} ${month} ${day} ${time} +0000 ${year}`;
  }),
};

function measure(label: string, run: () => void, operations: number): void {
  run(); // warm up
  const rounds = 5;
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const t0 = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  console.log(`${label.padEnd(42)} ${Math.round(operations / best).toLocaleString('en-US').padStart(12)} /s`);
}

console.log(`parseDate, ${COUNT} distinct inputs per form, best of 5 rounds`);
for (const [label, texts] of Object.entries(inputs)) {
  let parsed = 0;
  measure(label, () => {
    parsed = 0;
    for (const text of texts) if (parseDate(text)) parsed++;
  }, texts.length);
  if (parsed !== texts.length) throw new Error(`${label}: only ${parsed} of ${texts.length} parsed`);
}
console.log('\nformatDate');
for (const style of ['rss', 'atom', 'display'] as const) {
  measure(`${style} (Asia/Tokyo)`, () => {
    for (const t of instants) formatDate(t, 'Asia/Tokyo', style);
  }, instants.length);
}
