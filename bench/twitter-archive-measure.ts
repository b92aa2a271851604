/**
 * The measured half of bench/twitter-archive.ts: one archive through Source::TwitterArchive into
 * a real SQLite store. Run by that script (compiled, on plain node): `node … ZIP COUNT`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import plugin from '../src/plugins/source/twitter-archive.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { newReport } from '../src/pipeline/report.js';
import { MemoryQueue } from '../src/queue/memory.js';
import type { HttpClient, PluginContext } from '../src/pipeline/context.js';

const [zipPath, expectedText] = process.argv.slice(2);
if (!zipPath) throw new Error('usage: node twitter-archive-measure.mjs ARCHIVE.zip COUNT');
const expected = Number(expectedText);
const baselineMb = process.memoryUsage().rss / 1024 / 1024;

const stateDir = join(dirname(zipPath), 'state');
rmSync(stateDir, { recursive: true, force: true });
mkdirSync(stateDir, { recursive: true });
const store = openSqliteStore(join(stateDir, 'state.sqlite'));
const log = pino({ level: 'silent' });
const queue = new MemoryQueue();
const config = plugin.config.parse({ path: zipPath });
// An archive import never goes online; the bench leaves the HTTP client (and its modules) out.
const offline: HttpClient = {
  fetch: () => Promise.reject(new Error('no network in this benchmark')),
  request: () => Promise.reject(new Error('no network in this benchmark')),
};
const ctx: PluginContext<typeof config> = {
  global: { timezone: 'Asia/Tokyo', stateDir, outputDir: join(stateDir, 'out'), baseDir: stateDir },
  http: offline,
  store,
  queue,
  log,
  clock: { now: () => Date.now() },
  report: newReport('bench', Date.now()),
  signal: new AbortController().signal,
  config,
  rule: { always: true, description: 'always', test: () => true },
  pluginName: plugin.name,
  resolvePath: (path) => path,
  enqueue: () => Promise.resolve(),
};

const cpuBefore = process.cpuUsage();
const started = performance.now();
const result = await plugin.fetch({ plugin: plugin.name, tags: [], config }, ctx);
const feed = Array.isArray(result) ? result[0]! : result;
const read = performance.now();
const readCpu = process.cpuUsage(cpuBefore);
const peakAfterRead = process.resourceUsage().maxRSS / 1024;
await store.saveRetained('twitter-archive-bench', feed.entries);
const stored = performance.now();
const cpu = process.cpuUsage(cpuBefore);
await store.close();
await queue.close();
if (feed.entries.length !== expected) throw new Error(`expected ${expected} entries, got ${feed.entries.length}`);

const seconds = (stored - started) / 1000;
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const readCpuSeconds = (readCpu.user + readCpu.system) / 1e6;
console.log(`tweets:              ${feed.entries.length}`);
console.log(
  `read + convert:      ${((read - started) / 1000).toFixed(2)} s (${Math.round(feed.entries.length / ((read - started) / 1000))} tweets/s), ` +
    `${readCpuSeconds.toFixed(2)} CPU s (${Math.round(feed.entries.length / readCpuSeconds)} tweets per CPU second)`,
);
console.log(`saveRetained:        ${((stored - read) / 1000).toFixed(2)} s`);
console.log(`throughput:          ${Math.round(feed.entries.length / seconds)} tweets/s into the store, wall clock (target ≥ 20000)`);
console.log(`                     ${Math.round(feed.entries.length / cpuSeconds)} tweets per CPU second (inflating runs on other threads)`);
console.log(
  `peak RSS:            ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (after reading ${peakAfterRead.toFixed(0)} MB; at start ${baselineMb.toFixed(0)} MB) (target ≤ 300)`,
);
console.log(`load average:        ${loadavg().map((load) => load.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
