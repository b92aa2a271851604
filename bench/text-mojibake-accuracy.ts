/**
 * How much mojibake repair gets right: `npx tsx bench/text-mojibake-accuracy.ts`.
 * Texts: the test material plus 3,000 generated corpus lines with Japanese in them. Each is
 * corrupted through every path of formats.md §6.1. A case is "exactly recoverable" when the
 * corruption lost no byte (its exact inverse gives the text back); there the repair must give
 * the text back exactly. Elsewhere it may only repair what is certain: "invented" counts outputs
 * with a character that is neither in the original nor in the corrupted input.
 */
import { readFileSync } from 'node:fs';
import { repairMojibake } from '../src/text/mojibake.js';
import { CORPUS_PATH, composeCorpus } from '../test/text/corpus/generate.js';
import { HALFWIDTH_LINES, JAPANESE_SENTENCES, JAPANESE_TITLES } from '../test/text/corpus/material.js';
import { CORRUPTIONS } from '../test/text/corruptions.js';

const generated = composeCorpus(6000, 4242).filter((line) => /[\u3040-\u30ff\u4e00-\u9fff\uff61-\uff9f]/.test(line)).slice(0, 3000);
const texts = [...new Set([...JAPANESE_SENTENCES, ...JAPANESE_TITLES, ...HALFWIDTH_LINES, ...generated])];

let exactTotal = 0;
let exactRight = 0;
let lossyTotal = 0;
let lossyInvented = 0;
const japaneseCodecPaths = /Shift_JIS|EUC-JP|ISO-2022-JP/;
const latinPaths = /^UTF-8 read as (windows-1252|Latin-1)/;
const groups = { japanese: { right: 0, total: 0 }, latin: { right: 0, total: 0 } };

console.log(`${texts.length} texts × ${CORRUPTIONS.length} paths\n`);
console.log(`${'path'.padEnd(44)} ${'exactly recoverable: repaired'.padStart(32)}   lossy: invented`);
for (const path of CORRUPTIONS) {
  let right = 0;
  let total = 0;
  let lossy = 0;
  let invented = 0;
  for (const text of texts) {
    const corrupted = path.corrupt(text);
    if (corrupted === text) continue;
    const repaired = repairMojibake(corrupted);
    if (path.invert(corrupted) === text) {
      total++;
      if (repaired === text) right++;
    } else {
      lossy++;
      const allowed = new Set([...text, ...corrupted, '\uFFFD']);
      if ([...repaired].some((char) => !allowed.has(char))) invented++;
    }
  }
  exactTotal += total;
  exactRight += right;
  lossyTotal += lossy;
  lossyInvented += invented;
  const group = latinPaths.test(path.name) ? groups.latin : japaneseCodecPaths.test(path.name) ? groups.japanese : undefined;
  if (group) {
    group.right += right;
    group.total += total;
  }
  const share = total ? `${((100 * right) / total).toFixed(1)}% (${right}/${total})` : '—';
  console.log(`${path.name.padEnd(44)} ${share.padStart(32)}   ${lossy ? `${invented}/${lossy}` : '—'}`);
}

const corpus = readFileSync(CORPUS_PATH, 'utf8').split('\n').slice(0, -1);
const extra = composeCorpus(20000, 99);
const cleanChanged = [...corpus, ...extra].filter((line) => repairMojibake(line) !== line).length;
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}% (${a}/${b})`;
console.log(`\nexactly recoverable, Japanese-codec paths: ${pct(groups.japanese.right, groups.japanese.total)} repaired`);
console.log(`exactly recoverable, UTF-8 read as windows-1252/Latin-1 (incl. repeated): ${pct(groups.latin.right, groups.latin.total)} repaired`);
console.log(`exactly recoverable, all paths: ${pct(exactRight, exactTotal)} repaired`);
console.log(`lossy cases with an invented character: ${pct(lossyInvented, lossyTotal)}`);
console.log(`correct lines changed: ${cleanChanged} of ${corpus.length + extra.length} (committed corpus + 20,000 more generated lines)`);
