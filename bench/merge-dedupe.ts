/**
 * Merge and dedupe at scale: N generated entries from 50 sources with realistic crossposts (blog
 * posts announced by tweets with t.co links, FriendFeed mirrors with utm parameters, mixi copies
 * of the text), through the real Filter::Dedupe (SQLite state store) and SmartFeed::Merge.
 *
 *   npx tsx bench/merge-dedupe.ts            # 50k, 100k, 200k, each in its own process
 *   npx tsx bench/merge-dedupe.ts 100000     # one size
 *
 * Prints entries/s and the peak RSS of the process that did the work.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { PluginContext } from '../src/pipeline/context.js';
import { makeEntry, makeFeed, type Entry, type EntrySource, type Feed } from '../src/pipeline/model.js';
import { newReport } from '../src/pipeline/report.js';
import dedupe from '../src/plugins/filter/dedupe.js';
import { mergeFeeds } from '../src/plugins/smartfeed/merge/merge-entries.js';
import { openSqliteStore } from '../src/store/sqlite.js';

const SOURCES = { blog: 10, twitter: 20, friendfeed: 10, bookmarks: 5, mixi: 5 };
/** Syllables real enough that texts differ the way real posts do (a tiny vocabulary makes everything look alike). */
const SYLLABLES =
  'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽ日本語京都鴨川散歩写真珈琲書店文庫電車雨晴夕方夜朝仕事会議昼食麺友達映画音楽旅行温泉桜紅葉猫犬公園自転車記事今明昨思書読行食見'.split(
    '',
  );
/** Deterministic, so every size and every run sees the same kind of data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return (state >>> 8) / 0x1000000;
  };
}

function word(next: () => number): string {
  let text = '';
  for (let i = 1 + Math.floor(next() * 3); i >= 0; i--) text += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
  return text;
}

function sentence(next: () => number, words: number): string {
  return Array.from({ length: words }, () => word(next)).join('') + '。';
}

function generate(total: number): Feed[] {
  const next = random(20080530);
  const start = Date.UTC(2008, 0, 1);
  const sources: Record<string, EntrySource[]> = {};
  for (const [kind, count] of Object.entries(SOURCES)) {
    sources[kind] = Array.from({ length: count }, (_, i) => ({
      plugin: kind === 'twitter' ? 'Source::TwitterArchive' : 'Source::Feed',
      feedId: `${kind}:${i}`,
      feedUrl: kind === 'blog' ? `https://user${i}.hatenablog.com/feed` : `https://${kind}.example/${i}`,
      feedLink: kind === 'blog' ? `https://user${i}.hatenablog.com/` : `https://${kind}.example/${i}/`,
      service: kind,
    }));
  }
  const entries = new Map<string, Entry[]>();
  const add = (entry: Entry) => {
    const list = entries.get(entry.source.feedId);
    if (list) list.push(entry);
    else entries.set(entry.source.feedId, [entry]);
  };
  const pick = (kind: string) => sources[kind]![Math.floor(next() * sources[kind]!.length)]!;
  let made = 0;
  let n = 0;
  while (made < total) {
    n++;
    const time = start + n * 97_000;
    const when = { epochMs: time, kind: 'zoned' as const, precision: 'second' as const, offsetMinutes: 540 };
    const roll = next();
    if (roll < 0.25) {
      // A blog post, and the places it shows up again.
      const blog = pick('blog');
      const link = `${blog.feedLink}entry/${n}`;
      const body = Array.from({ length: 4 }, () => sentence(next, 12 + Math.floor(next() * 10))).join('');
      const title = sentence(next, 4);
      add(makeEntry({ id: `${blog.feedId}#${n}`, source: blog, title, link, content: `<p>${body}</p>`, published: when }));
      made++;
      if (next() < 0.6) {
        add(
          makeEntry({
            id: `tw#${n}`,
            source: pick('twitter'),
            title: `ブログ書いた: ${title} https://t.co/${n}`,
            link: `https://twitter.com/u/status/${n}`,
            content: `ブログ書いた: ${title} <a href="https://t.co/${n}">${link}</a>`,
            published: { ...when, epochMs: time + 60_000 },
            meta: { twitter: { urls: [{ url: `https://t.co/${n}`, expanded_url: link }] } },
          }),
        );
        made++;
      }
      if (next() < 0.3) {
        add(makeEntry({ id: `ff#${n}`, source: pick('friendfeed'), title, link: `${link}?utm_source=friendfeed&utm_medium=feed`, published: { ...when, epochMs: time + 120_000 } }));
        made++;
      }
      if (next() < 0.1) {
        add(makeEntry({ id: `mixi#${n}`, source: pick('mixi'), title, link: `https://mixi.jp/view_diary.pl?id=${n}`, content: body.replace(/。/g, '！'), published: { ...when, epochMs: time + 3_600_000 } }));
        made++;
      }
    } else if (roll < 0.85) {
      const tweet = sentence(next, 3 + Math.floor(next() * 8));
      add(makeEntry({ id: `tw#${n}`, source: pick('twitter'), title: tweet, content: tweet, link: `https://twitter.com/u/status/${n}`, published: when }));
      made++;
    } else {
      const page = `https://news${n % 997}.example.org/a/${n}`;
      add(makeEntry({ id: `hb#${n}`, source: pick('bookmarks'), title: sentence(next, 5), link: page, published: when }));
      made++;
    }
  }
  return [...entries].map(([id, list]) => makeFeed({ id, entries: list.reverse() }));
}

async function measure(total: number): Promise<void> {
  const feeds = generate(total);
  const count = feeds.reduce((sum, feed) => sum + feed.entries.length, 0);
  const stateDir = mkdtempSync(join(tmpdir(), 'kakehashi-bench-'));
  const store = openSqliteStore(join(stateDir, 'state.sqlite'));
  const ctx = {
    config: dedupe.config.parse({}),
    store,
    clock: { now: () => Date.UTC(2009, 0, 1) },
    log: pino({ level: 'silent' }),
    pluginName: 'Filter::Dedupe',
    global: { timezone: 'Asia/Tokyo', stateDir, outputDir: stateDir, baseDir: stateDir },
    report: newReport('bench', Date.now()),
  } as unknown as PluginContext<ReturnType<typeof dedupe.config.parse>>;

  // Garbage-collection pauses of this thread while timed: a sixth to a fifth of the wall time at 100,000
  // entries, so worth seeing next to it (and a full collection of the generated data may land here).
  let gcMs = 0;
  let timing = false;
  const gcObserver = new PerformanceObserver((list) => {
    if (timing) for (const entry of list.getEntries() as PerformanceEntry[]) gcMs += entry.duration;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  timing = true;
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const deduped = await dedupe.feeds(feeds, ctx);
  const dedupedAt = performance.now();
  const dedupeCpu = process.cpuUsage(cpuStarted);
  const { feeds: merged, merged: mergedCount } = mergeFeeds(deduped);
  const finished = performance.now();
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // GC entries are delivered after the fact: let the ones from the timed part arrive.
  await new Promise((resolve) => setTimeout(resolve, 0));
  timing = false;
  gcObserver.disconnect();
  // A second run over the same input: every entry is now seen before.
  const rerunStarted = performance.now();
  const again = await dedupe.feeds(feeds, ctx);
  const rerun = performance.now() - rerunStarted;

  const seconds = (finished - started) / 1000;
  const out = merged.reduce((sum, feed) => sum + feed.entries.length, 0);
  const left = again.reduce((sum, feed) => sum + feed.entries.length, 0);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${String(count).padStart(7)} entries: dedupe ${(dedupedAt - started).toFixed(0).padStart(5)} ms, merge ${(finished - dedupedAt).toFixed(0).padStart(5)} ms, ` +
      `(CPU ${((dedupeCpu.user + dedupeCpu.system) / 1000).toFixed(0)} ms dedupe), total ${(seconds * 1000).toFixed(0).padStart(5)} ms = ${Math.round(count / seconds).toLocaleString('en-US').padStart(8)} entries/s ` +
      `(CPU ${(cpuSeconds * 1000).toFixed(0)} ms = ${Math.round(count / cpuSeconds).toLocaleString('en-US')} entries/s of CPU); ` +
      `GC pauses ${gcMs.toFixed(0)} ms; ${mergedCount} copies merged → ${out} entries; re-run dedupe ${rerun.toFixed(0)} ms (${left} left); ` +
      `peak RSS ${rssMb.toFixed(0)} MB; load ${loadavg()[0]!.toFixed(1)}`,
  );
  await store.close();
  rmSync(stateDir, { recursive: true, force: true });
}

const size = Number(process.argv[2]);
if (size > 0) {
  await measure(size);
} else {
  console.log(
    `merge + dedupe, ${Object.values(SOURCES).reduce((a, b) => a + b)} sources, Node ${process.version}, ` +
      `${availableParallelism()} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
  for (const total of [50_000, 100_000, 200_000]) {
    await new Promise<void>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), [String(total)], { execArgv: process.execArgv, stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`size ${total} exited with ${code}`))));
    });
  }
}
