/**
 * Throughput of the two parts of issue 5 that meet large inputs:
 *  - mixi scraping: decode (EUC-JP) + era detection + scrape of a long diary list and of diary
 *    pages with many comments, per page;
 *  - a Clio archive: a zip of N entries beside megabytes of images, read (JSON files only) and
 *    converted to entries, with the peak memory.
 *   npx tsx bench/mixi-friendfeed.ts [rows=1000] [entries=20000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import iconv from 'iconv-lite';
import yazl from 'yazl';
import { decode } from '../src/text/charset.js';
import { scrapeDiaryList, scrapeDiaryPage } from '../src/plugins/source/mixi/scrape.js';
import { readClioArchive } from '../src/plugins/source/friendfeed/clio.js';
import { v2Entry, v2EntrySchema } from '../src/plugins/source/friendfeed/entries.js';

const rows = Number(process.argv[2] ?? 1000);
const entryCount = Number(process.argv[3] ?? 20000);
const work = mkdtempSync(join(tmpdir(), 'kakehashi-bench-mixi-ff-'));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function time<T>(label: string, runs: number, fn: () => T): T {
  let result!: T;
  const start = performance.now();
  for (let i = 0; i < runs; i++) result = fn();
  const ms = (performance.now() - start) / runs;
  console.log(`${label}: ${ms.toFixed(2)} ms per run`);
  return result;
}

// ─── mixi ───────────────────────────────────────────────────────────────────────────────────
const head = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-jp" /><title>[mixi] たろうの日記</title></head><body>';
const listHtml =
  head +
  Array.from({ length: rows }, (_, i) => {
    const id = 900000000 + i;
    return (
      `<div class="listDiaryBlock"><div class="listDiaryTitle"><dl><dt><a href="view_diary.pl?id=${id}&amp;owner_id=123456">梅雨入り ${i}</a></dt>` +
      `<dd>2008年05月${String((i % 28) + 1).padStart(2, '0')}日 21:34</dd></dl></div><p>雨。傘を忘れた。駅から走った&hellip;</p>` +
      `<div class="diaryEditMenu"><ul><li><a href="view_diary.pl?id=${id}&amp;owner_id=123456#comment">コメント(${i % 7})</a></li></ul></div></div>`
    );
  }).join('\n') +
  '</body></html>';
const listBytes = iconv.encode(listHtml, 'EUC-JP');
const viewHtml =
  head +
  '<div class="viewDiaryBox"><div class="listDiaryTitle"><dl><dt>梅雨入り<span>(友人まで公開)</span></dt><dd>2008年05月30日<br />21:34</dd></dl></div>' +
  `<div id="diary_body">${'雨。傘を忘れた。<br />駅から走った。髙島屋で①㈱。<br />'.repeat(60)}</div></div>` +
  Array.from(
    { length: 100 },
    (_, i) =>
      `<div class="diaryCommentbox"><dl class="commentList01"><dt><span class="commentTitleName"><a href="show_friend.pl?id=${i}">友人${i}</a></span>` +
      `<span class="commentTitleDate">2008年05月30日 22:${String(i % 60).padStart(2, '0')}</span></dt><dd>お大事に…<br />また今度</dd></dl></div>`,
  ).join('') +
  '</body></html>';
const viewBytes = iconv.encode(viewHtml, 'EUC-JP');
const origin = { url: 'https://mixi.jp/list_diary.pl?id=123456', where: 'bench' };

console.log(`mixi list: ${rows} rows, ${mb(listBytes.length)} EUC-JP`);
const list = time('  decode + scrape list', 10, () => scrapeDiaryList(decode(listBytes, { kind: 'html', contentType: 'text/html; charset=EUC-JP' }).text, origin));
console.log(`  → ${list.value.length} rows, era ${list.era}, ${(rows / 1).toFixed(0)} rows per list`);
console.log(`mixi diary page: 100 comments, ${mb(viewBytes.length)} EUC-JP`);
const page = time('  decode + scrape page', 50, () =>
  scrapeDiaryPage(decode(viewBytes, { kind: 'html', contentType: 'text/html; charset=EUC-JP' }).text, origin),
);
console.log(`  → ${page.value.comments.length} comments, era ${page.era}`);

// ─── Clio ───────────────────────────────────────────────────────────────────────────────────
const zip = new yazl.ZipFile();
zip.addBuffer(Buffer.from(JSON.stringify({ id: 'taro', name: 'Taro', type: 'user' })), 'taro/_json/data/feedinfo.js');
for (let i = 0; i < entryCount; i++) {
  const hex = i.toString(16).padStart(8, '0');
  const entry = {
    id: `e/${hex}${'0'.repeat(24)}`,
    url: `http://friendfeed.com/taro/${hex}/entry`,
    date: new Date(Date.UTC(2009, 0, 1) + i * 60_000).toISOString().replace('.000', ''),
    dateFriendly: '1 января 2009',
    body: `雨の日の記録 ${i} <a rel="nofollow" href="http://d.hatena.ne.jp/taro/${i}">http://d.hatena.ne.jp/taro/…</a>`,
    from: { id: 'taro', name: 'Taro', type: 'user' },
    via: { name: 'はてなダイアリー', url: 'http://d.hatena.ne.jp/taro/' },
    comments: [{ date: '2009-01-01T00:00:00Z', body: 'いいね', from: { id: 'hanako', name: 'Hanako' } }],
    likes: [{ date: '2009-01-01T00:00:00Z', from: { id: 'jiro', name: 'Jiro' } }],
  };
  zip.addBuffer(Buffer.from(JSON.stringify(entry)), `taro/_json/data/entries/${hex}.js`);
}
const image = Buffer.alloc(256 * 1024, 7);
for (let i = 0; i < 200; i++) zip.addBuffer(image, `taro/images/media/${i}.jpg`, { compress: false });
zip.end();
const chunks: Buffer[] = [];
for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
const zipPath = join(work, 'taro.zip');
writeFileSync(zipPath, Buffer.concat(chunks));
console.log(`Clio zip: ${entryCount} entries + 200 images, ${mb(readFileSync(zipPath).length)}`);
const before = process.memoryUsage().rss;
peakRss = before;
const start = performance.now();
const archive = await readClioArchive(zipPath);
const source = { plugin: 'Source::FriendFeed', feedId: 'friendfeed:taro', service: 'friendfeed' };
let converted = 0;
for (const file of archive.files) {
  if (file.kind !== 'entry') continue;
  const parsed = v2EntrySchema.safeParse(JSON.parse(file.bytes.toString('utf8')));
  if (parsed.success) {
    v2Entry(parsed.data, { source, renderComments: true });
    converted++;
  }
}
const ms = performance.now() - start;
console.log(`  read + convert: ${ms.toFixed(0)} ms, ${Math.round(converted / (ms / 1000))} entries/s, RSS +${mb(peakRss - before)} (peak ${mb(peakRss)})`);
clearInterval(sampler);
rmSync(work, { recursive: true, force: true });
