/**
 * Reading Hatena's export files at the size a long-time user has: a ten-year diary export in
 * EUC-JP (Hatena notation rendered to HTML), a Hatena Blog Movable Type export, and a Hatena
 * Bookmark dump.htm. Each is generated, written to a temp dir, then read by the plugin as a recipe
 * would (decode → parse → entries), each in its own process so that its peak RSS is its own;
 * prints entries/s, MB/s and the peak RSS.
 *   npx tsx bench/hatena-exports.ts [diaryDays=3650] [blogEntries=5000] [bookmarks=50000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { PluginContext } from '../src/pipeline/context.js';
import type { Feed } from '../src/pipeline/model.js';
import type { SourcePlugin } from '../src/pipeline/plugin.js';
import { createLogger } from '../src/pipeline/run.js';
import diary from '../src/plugins/source/hatena-diary.js';
import blog from '../src/plugins/source/hatena-blog.js';
import bookmark from '../src/plugins/source/hatena-bookmark.js';

const child = process.argv[2] === '--one';
const diaryDays = Number(process.argv[2] ?? 3650);
const blogEntries = Number(process.argv[3] ?? 5000);
const bookmarkCount = Number(process.argv[4] ?? 50000);
const work = child ? process.argv[4]! : mkdtempSync(join(tmpdir(), 'kakehashi-bench-hatena-'));
const DAY_MS = 86_400_000;
const START = Date.UTC(2008, 0, 1) - 9 * 3_600_000;

function isoDay(index: number): string {
  return new Date(START + index * DAY_MS + 9 * 3_600_000).toISOString().slice(0, 10);
}

function diaryExport(days: number): Buffer {
  const parts = ['<?xml version="1.0" encoding="EUC-JP"?>', '<diary>'];
  for (let d = 0; d < days; d++) {
    const epoch = Math.floor((START + d * DAY_MS) / 1000) + 12 * 3600;
    parts.push(`<day date="${isoDay(d)}" title="">`, '<body>');
    parts.push(`*${epoch}*[日記][京都]鴨川の夕焼け ${d}`, '三条大橋から四条大橋まで歩いた((夕方六時ごろ))。', '- 鴨川', '- 三条大橋', '-- 四条大橋', '');
    parts.push(`*${epoch + 3600}*[技術]ポインタの話`, '&gt;|c|', 'int x = 1;', '*ptr = &amp;x;', '||&lt;', '[http://www.example.com/c:title=ポインタ入門]を読んだ。', '');
    parts.push(`*${epoch + 7200}*引用`, '&gt;&gt;', '引用文 &lt;b&gt;raw HTML&lt;/b&gt; も書ける', '&lt;&lt;', `[f:id:taro:${isoDay(d).replace(/-/g, '')}120000j:image]`);
    parts.push('</body>');
    parts.push('<comments><comment><username>hanako</username><body>いいね</body>' + `<timestamp>${epoch + 9000}</timestamp></comment></comments>`);
    parts.push('</day>');
  }
  parts.push('</diary>', '');
  return iconv.encode(parts.join('\n'), 'EUC-JP');
}

function mtExport(entries: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < entries; i++) {
    const date = new Date(START + i * DAY_MS / 2 + 9 * 3_600_000);
    const mt = `${String(date.getUTCMonth() + 1).padStart(2, '0')}/${String(date.getUTCDate()).padStart(2, '0')}/${date.getUTCFullYear()} 21:34:12`;
    parts.push(
      'AUTHOR: taro',
      `TITLE: 記事 ${i} &amp; その続き`,
      `BASENAME: entry-${i}`,
      i % 10 === 0 ? 'STATUS: Draft' : 'STATUS: Publish',
      'ALLOW COMMENTS: 1',
      'CONVERT BREAKS: 0',
      `DATE: ${mt}`,
      'CATEGORY: 日記',
      'CATEGORY: 京都',
      `IMAGE: https://cdn-ak.f.st-hatena.com/images/fotolife/t/taro/20260105/${i}.jpg`,
      '-----',
      'BODY:',
      '<p>神社は混んでいた。おみくじは<strong>大吉</strong>。</p>'.repeat(6),
      '-----',
      'COMMENT:',
      'AUTHOR: hanako',
      'DATE: 01/06/2026 08:00:00',
      'よかったね',
      '-----',
      '--------',
    );
  }
  return Buffer.from(parts.join('\n'), 'utf8');
}

function bookmarkDump(count: number): Buffer {
  const parts = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed version="0.3" xmlns="http://purl.org/atom/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="ja">',
    '<title>taroのブックマーク</title>',
  ];
  for (let i = 0; i < count; i++) {
    const issued = new Date(START + i * 3_600_000 + 9 * 3_600_000).toISOString().replace('.000Z', '+09:00');
    parts.push(
      '<entry>',
      `<title>記事その${i}</title>`,
      `<link rel="related" type="text/html" href="https://news.example.com/articles/${i}?ref=b&amp;x=1" />`,
      `<link rel="alternate" type="text/html" href="https://b.hatena.ne.jp/taro/20080101#bookmark-${i}" />`,
      '<author><name>taro</name></author>',
      `<issued>${issued}</issued>`,
      `<id>tag:hatena.ne.jp,2005:bookmark-taro-${i}</id>`,
      `<summary type="text/plain"> [tech][memo]あとで読む ${i}</summary>`,
      '<dc:subject>news</dc:subject>',
      '</entry>',
    );
  }
  parts.push('</feed>', '');
  return Buffer.from(parts.join('\n'), 'utf8');
}

/** What a recipe hands the plugin for a local file: its config, a logger and path resolution. */
function fileContext<C>(config: C): PluginContext<C> {
  return {
    config,
    log: createLogger('silent'),
    resolvePath: (path: string) => path,
    global: { timezone: 'Asia/Tokyo', stateDir: work, outputDir: work, baseDir: work },
  } as PluginContext<C>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function measure(name: string, plugin: SourcePlugin<any>, rawConfig: Record<string, unknown>, bytes: number): Promise<void> {
  const config = plugin.config.parse(rawConfig) as Record<string, unknown>;
  const started = process.hrtime.bigint();
  const feed = (await plugin.fetch({ plugin: plugin.name, tags: [], config }, fileContext(config))) as Feed;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const entries = feed.entries.length;
  console.log(
    `${name.padEnd(28)} ${String(entries).padStart(7)} entries  ${(bytes / 1e6).toFixed(1).padStart(6)} MB  ` +
      `${seconds.toFixed(2).padStart(6)} s  ${Math.round(entries / seconds).toLocaleString('en').padStart(8)} entries/s  ` +
      `${(bytes / 1e6 / seconds).toFixed(1).padStart(5)} MB/s  peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  );
}

const KINDS = {
  diary: { plugin: diary, file: 'diary.xml', label: (n: number) => `diary export (${n} days)` },
  blog: { plugin: blog, file: 'blog.txt', label: (n: number) => `MT export (${n} entries)` },
  bookmark: { plugin: bookmark, file: 'dump.htm', label: (n: number) => `bookmark dump (${n})` },
} as const;
type Kind = keyof typeof KINDS;

if (child) {
  // Child: read one file, so the peak RSS printed is this reader's alone.
  const [, , , kind, , size, bytes] = process.argv as string[];
  const { plugin, file, label } = KINDS[kind as Kind];
  await measure(label(Number(size)), plugin, { user: 'taro', file: join(work, file) }, Number(bytes));
} else {
  try {
    const files: Array<[Kind, number, Buffer]> = [
      ['diary', diaryDays, diaryExport(diaryDays)],
      ['blog', blogEntries, mtExport(blogEntries)],
      ['bookmark', bookmarkCount, bookmarkDump(bookmarkCount)],
    ];
    console.log(`Node ${process.version}; generated files in ${work}`);
    for (const [kind, size, bytes] of files) {
      writeFileSync(join(work, KINDS[kind].file), bytes);
      const script = fileURLToPath(import.meta.url);
      const run = spawnSync(process.execPath, [...process.execArgv, script, '--one', kind, work, String(size), String(bytes.length)], { encoding: 'utf8' });
      process.stdout.write(run.stdout);
      if (run.status !== 0) process.stderr.write(run.stderr);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
