/**
 * Mojibake repair throughput: `npx tsx bench/text-repair.ts`.
 * Target: ≥ 20 MB/s on clean mixed text (repair runs on every title it is given, and most are
 * clean). Mojibake takes the slow path by nature; its figure is printed for reference.
 */
import { repairMojibake } from '../src/text/mojibake.js';
import { decodeWindows1252 } from '../src/text/charset.js';
import { composeCorpus } from '../test/text/corpus/generate.js';

const TARGET_BYTES = 10 * 1024 * 1024;

function linesOf(bytes: number, make: (seed: number) => string[]): string[] {
  const lines: string[] = [];
  let size = 0;
  for (let seed = 1; size < bytes; seed++) {
    for (const line of make(seed)) {
      lines.push(line);
      size += Buffer.byteLength(line) + 1;
      if (size >= bytes) break;
    }
  }
  return lines;
}

function measure(label: string, lines: string[]): void {
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  for (const line of lines.slice(0, 2000)) repairMojibake(line); // warm up
  const start = process.hrtime.bigint();
  let changed = 0;
  for (const line of lines) if (repairMojibake(line) !== line) changed++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const mb = bytes / 1024 / 1024;
  console.log(
    `${label.padEnd(44)} ${mb.toFixed(1).padStart(5)} MB in ${seconds.toFixed(2).padStart(5)} s = ${(mb / seconds).toFixed(1).padStart(6)} MB/s` +
      `  (${lines.length.toLocaleString('en-US')} lines, ${changed.toLocaleString('en-US')} changed)`,
  );
}

const clean = linesOf(TARGET_BYTES, (seed) => composeCorpus(5000, seed));
measure('clean mixed text (corpus composer)', clean);

const japanese = clean.filter((line) => /[\u3040-\u30ff]/.test(line));
const utf8AsShiftJis = linesOf(TARGET_BYTES, (seed) => japanese.slice(seed * 997 % japanese.length).slice(0, 5000).map((l) => new TextDecoder('shift_jis').decode(Buffer.from(l))));
measure('mojibake: UTF-8 read as Shift_JIS', utf8AsShiftJis);
const utf8As1252 = linesOf(TARGET_BYTES, (seed) => japanese.slice(seed * 991 % japanese.length).slice(0, 5000).map((l) => decodeWindows1252(Buffer.from(l))));
measure('mojibake: UTF-8 read as windows-1252', utf8As1252);
