/**
 * Mojibake repair throughput: `npx tsx bench/text-repair.ts`.
 * Target: ≥ 20 MB/s on clean mixed text (repair runs on every title it is given, and most are
 * clean). Mojibake takes the slow path by nature; its figure is printed for reference. CPU
 * time is printed beside wall time because the machine is shared.
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

/** Best of `rounds` timed passes, after a warm-up on every 20th line (so that every path is compiled). */
function measure(label: string, lines: string[], rounds = 3): void {
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  for (let i = 0; i < lines.length; i += 20) repairMojibake(lines[i]!);
  let wall = Infinity;
  let cpu = Infinity;
  let changed = 0;
  for (let round = 0; round < rounds; round++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    changed = 0;
    for (const line of lines) if (repairMojibake(line) !== line) changed++;
    wall = Math.min(wall, Number(process.hrtime.bigint() - start) / 1e9);
    const used = process.cpuUsage(cpuStart);
    cpu = Math.min(cpu, (used.user + used.system) / 1e6);
  }
  const mb = bytes / 1024 / 1024;
  console.log(
    `${label.padEnd(40)} ${mb.toFixed(1).padStart(5)} MB: ${(mb / wall).toFixed(1).padStart(6)} MB/s wall, ${(mb / cpu).toFixed(1).padStart(6)} MB/s CPU` +
      `  (${lines.length.toLocaleString('en-US')} lines, ${changed.toLocaleString('en-US')} changed)`,
  );
}

const clean = linesOf(TARGET_BYTES, (seed) => composeCorpus(5000, seed));
measure('clean mixed text (corpus composer)', clean);

const japanese = clean.filter((line) => /[\u3040-\u30ff]/.test(line));
const utf8AsShiftJis = linesOf(TARGET_BYTES, (seed) => japanese.slice(seed * 997 % japanese.length).slice(0, 5000).map((l) => new TextDecoder('shift_jis').decode(Buffer.from(l))));
measure('mojibake: UTF-8 read as Shift_JIS', utf8AsShiftJis, 1);
const utf8As1252 = linesOf(TARGET_BYTES, (seed) => japanese.slice(seed * 991 % japanese.length).slice(0, 5000).map((l) => decodeWindows1252(Buffer.from(l))));
measure('mojibake: UTF-8 read as windows-1252', utf8As1252, 1);
