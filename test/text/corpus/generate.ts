/**
 * Writes test/fixtures/charset/clean-corpus.txt: 6,000 lines of correct text composed from
 * ./material.ts with a fixed seed, so that the file is the same on every run.
 *
 *   npx tsx test/text/corpus/generate.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CODE_LINES, EMOJI, HALFWIDTH_LINES, JAPANESE_SENTENCES, JAPANESE_TITLES, URLS, WESTERN_LINES } from './material.js';

export const CORPUS_PATH = fileURLToPath(new URL('../../fixtures/charset/clean-corpus.txt', import.meta.url));
const LINES = 6000;

/** mulberry32: a small seeded generator, so that the corpus never changes between runs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function composeCorpus(lines = LINES, seed = 20080530): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const sentence = () => pick(JAPANESE_SENTENCES);
  const maybeEmoji = (text: string) => (random() < 0.3 ? `${text}${pick(EMOJI)}` : text);
  const composers: Array<[number, () => string]> = [
    [30, () => maybeEmoji(sentence())],
    [8, () => `${sentence()}${sentence()}`],
    [10, () => pick([`【${pick(JAPANESE_TITLES)}】${pick(JAPANESE_TITLES)} | たろうの日記`, `${pick(JAPANESE_TITLES)} - はなこのブログ`, `Re: ${pick(JAPANESE_TITLES)}`])],
    [10, () => `${sentence()} ${pick(URLS)} #${pick(JAPANESE_TITLES).replace(/\s/g, '')} ${pick(EMOJI)}`],
    [6, () => `${pick(HALFWIDTH_LINES)} ${sentence()}`],
    [10, () => pick(WESTERN_LINES)],
    [8, () => pick(CODE_LINES)],
    [4, () => pick(URLS)],
    [6, () => `New post: ${pick(JAPANESE_TITLES)} (${pick(URLS)}) ${pick(WESTERN_LINES)}`],
    [4, () => `${2000 + Math.floor(random() * 26)}年${1 + Math.floor(random() * 12)}月${1 + Math.floor(random() * 28)}日(金) 21:34 ～ 22:00　¥${Math.floor(random() * 9000 + 1000).toLocaleString('en-US')}（税込）`],
    [4, () => `①${pick(JAPANESE_TITLES)} ②${pick(JAPANESE_TITLES)} ③${pick(JAPANESE_TITLES)}〜`],
  ];
  const total = composers.reduce((sum, [weight]) => sum + weight, 0);
  const out: string[] = [];
  while (out.length < lines) {
    let roll = random() * total;
    const [, compose] = composers.find(([weight]) => (roll -= weight) < 0) ?? composers[0]!;
    out.push(...compose().split('\n'));
  }
  return out.slice(0, lines);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const corpus = composeCorpus();
  writeFileSync(CORPUS_PATH, `${corpus.join('\n')}\n`);
  console.log(`wrote ${corpus.length} lines to ${CORPUS_PATH}`);
}
