/**
 * decode() speed on feed-sized bodies: `npx tsx bench/text-charset.ts`.
 * Target: a 9 MB UTF-8 feed decodes in well under 100 ms (it runs on every fetched feed).
 * Times are the best of 5 runs, wall clock and CPU, on a machine other engineers share.
 */
import iconv from 'iconv-lite';
import { decode } from '../src/text/charset.js';
import { composeCorpus } from '../test/text/corpus/generate.js';

const lines = composeCorpus(120_000, 9).filter((line) => /[\u3040-\u30ff]/.test(line));
function feedOf(bytes: number): string {
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = lines[i % lines.length]!.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const item = `<item><title>${line.slice(0, 40)}</title><link>https://example.jp/entry/${i}</link><description>${line}</description><pubDate>Fri, 30 May 2008 21:34:56 +0900</pubDate></item>\n`;
    items.push(item);
    size += Buffer.byteLength(item);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>bench</title>\n${items.join('')}</channel></rss>\n`;
}

const NINE_MB = 9 * 1024 * 1024;
const xml = feedOf(NINE_MB);
const cases: Array<[string, Buffer, string | undefined]> = [
  ['UTF-8, labelled', Buffer.from(xml, 'utf8'), 'application/rss+xml; charset=UTF-8'],
  ['UTF-8, unlabelled', Buffer.from(xml, 'utf8'), 'application/rss+xml'],
  ['UTF-8 under an ISO-8859-1 lie', Buffer.from(xml, 'utf8'), 'text/xml; charset=ISO-8859-1'],
  ['Shift_JIS, labelled', iconv.encode(xml.replace('UTF-8', 'Shift_JIS'), 'shift_jis'), 'text/xml; charset=Shift_JIS'],
  ['Shift_JIS, undeclared', iconv.encode(xml.replace(' encoding="UTF-8"', ''), 'shift_jis'), 'text/xml'],
  ['EUC-JP under a UTF-8 lie', iconv.encode(xml.replace('UTF-8', 'EUC-JP'), 'euc-jp'), 'text/xml; charset=UTF-8'],
];

console.log('decode(), best of 5');
for (const [label, bytes, contentType] of cases) {
  let wall = Infinity;
  let cpu = Infinity;
  let result = decode(bytes, { contentType, kind: 'xml' });
  for (let round = 0; round < 5; round++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    result = decode(bytes, { contentType, kind: 'xml' });
    wall = Math.min(wall, Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpuStart);
    cpu = Math.min(cpu, (used.user + used.system) / 1000);
  }
  const mb = bytes.length / 1024 / 1024;
  console.log(
    `${label.padEnd(32)} ${mb.toFixed(1)} MB  ${wall.toFixed(0).padStart(4)} ms wall  ${cpu.toFixed(0).padStart(4)} ms CPU  → ${result.encoding} (${result.decidedBy})`,
  );
}
