/**
 * Where an empty-state run of bench/feed-path.ts spends its time: each stage of the path alone,
 * best of several rounds, on the same 5,000-item feed, and what that means for the ratio to
 * rss-parser's bare parse on this machine's cores.
 *   npx tsx bench/feed-path-stages.ts [items=5000] [rounds=5]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import RssParser from 'rss-parser';
import { feedToEntries, parseFeedDocument } from '../src/feed/parse.js';
import { renderAtom, renderJsonFeed, renderRss } from '../src/feed/render.js';
import { makeFeed, sortNewestFirst } from '../src/pipeline/model.js';
import { sanitizeEntry, sanitizeOnRead, sanitizeSimpleEntry, sanitizedFrom, settled } from '../src/plugins/filter/sanitize.js';
import { copyAtomically } from '../src/store/atomic-file.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { decode } from '../src/text/charset.js';
import { generateFeed } from './feed-fixture.js';

const count = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 5);
const bytes = Buffer.from(generateFeed(count), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'kakehashi-stages-'));
const stages: Array<{ name: string; ms: number; serial: boolean }> = [];

/** Best of `rounds` after one warm-up: the cost itself, with as little of the machine's noise as can be had. */
async function bestOf<T>(body: () => T | Promise<T>): Promise<{ result: T; ms: number }> {
  let result = await body();
  let ms = Infinity;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    result = await body();
    ms = Math.min(ms, performance.now() - started);
  }
  return { result, ms };
}

async function stage<T>(name: string, body: () => T | Promise<T>, serial = false): Promise<T> {
  const { result, ms } = await bestOf(body);
  stages.push({ name, ms, serial });
  return result;
}

try {
  const baselineMs = (await bestOf(() => new RssParser().parseString(bytes.toString('utf8')))).ms;
  const text = await stage('decode', () => decode(bytes, { kind: 'xml' }).text, true);
  const parsed = await stage('parse', () => parseFeedDocument(text, { defaultZone: 'Asia/Tokyo' }), true);
  const source = { plugin: 'Source::Feed', feedId: 'file:big.rss', feedTitle: 'ベンチマーク', feedUrl: 'big.rss', service: 'feed' };
  const entries = await stage('normalise', () => feedToEntries(parsed, source, 'feed:file:big.rss'), true);
  const options = { baseUrl: 'https://bench.example.jp/' };
  await stage('hash each entry (sanitizeOnRead)', () => entries.map((entry) => sanitizeOnRead(entry, options)));
  await stage('sanitize', () => entries.map((entry) => sanitizeSimpleEntry(entry, options) ?? sanitizeEntry(entry, options)));
  // Stored as a run stores them: each with the digest of what it was made from.
  const window = sortNewestFirst(entries.map((entry) => settled(sanitizeOnRead(entry, options))));
  let n = 0;
  await stage('store the window (SQLite, new file)', async () => {
    const store = openSqliteStore(join(work, `state-${n++}`, 'state.sqlite'));
    await store.saveRetained('big', window, sanitizedFrom);
    await store.close();
  });
  const feed = makeFeed({ id: 'big', type: 'smartfeed', title: 'big', entries: window });
  const renderOptions = { timezone: 'Asia/Tokyo', now: Date.now() };
  const rss = await stage('render RSS', () => renderRss(feed, renderOptions));
  const atom = await stage('render Atom', () => renderAtom(feed, renderOptions));
  const json = await stage('render JSON Feed', () => renderJsonFeed(feed, renderOptions));
  const rendered = await stage('renders to bytes', () => [rss, atom, json].map((body) => Buffer.from(body, 'utf8')));
  await stage('hash the renders (ETags)', () => rendered.map((body) => createHash('sha256').update(body).digest('hex')));
  // As a run does it: each render written to the store's blob file, then copied to its output.
  await stage('write renders, copy them to files', () =>
    Promise.all(rendered.map(async (body, i) => {
      await writeFile(join(work, `blob-${i}`), body);
      await copyAtomically(join(work, `blob-${i}`), join(work, `out-${i}`));
    })),
  );

  const total = stages.reduce((sum, s) => sum + s.ms, 0);
  const serial = stages.filter((s) => s.serial).reduce((sum, s) => sum + s.ms, 0);
  for (const s of stages) console.log(`${s.name.padEnd(40)} ${s.ms.toFixed(1).padStart(7)} ms${s.serial ? '  (before anything else can start)' : ''}`);
  console.log(`${'sum of stages'.padEnd(40)} ${total.toFixed(1).padStart(7)} ms`);
  console.log(`${'rss-parser bare parse'.padEnd(40)} ${baselineMs.toFixed(1).padStart(7)} ms`);
  const cores = availableParallelism();
  // Decode, parse and normalise come first; at best everything after them is spread evenly over the cores.
  const bestWall = serial + (total - serial) / cores;
  console.log(
    `best case on ${cores} cores, every later stage perfectly parallel: ${bestWall.toFixed(0)} ms, ratio ≤ ${(baselineMs / bestWall).toFixed(2)} (target 0.8 needs ≤ ${(baselineMs / 0.8).toFixed(0)} ms)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
