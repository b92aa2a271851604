import { readFileSync } from 'node:fs';
import RssParser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/pipeline/run.js';
import type { RunReport } from '../../src/pipeline/report.js';
import { assertWellFormed } from '../helpers/xml.js';
import { scratch } from '../helpers/tmp.js';

// The bundled demo, exactly as `npm run demo` runs it, into a scratch state and output directory.
const work = scratch();
let report: RunReport;
const read = (name: string) => readFileSync(work.path(`out/${name}`), 'utf8');

beforeAll(async () => {
  report = await runRecipe('recipes/lifestream.yaml', { env: {}, stateDir: work.path('state'), outputDir: work.path('out') });
});
afterAll(() => work.cleanup());

describe('recipes/lifestream.yaml', () => {
  it('reads all seven sample sources without a failure', () => {
    expect(report.sources.map((s) => [s.target.replace(/^.*examples\//, ''), s.ok, s.entries])).toEqual(
      expect.arrayContaining([
        ['blog.rss', true, 2],
        ['hatena-diary.rdf', true, 2],
        ['old-blog-sjis.rss', true, 1],
        ['photos.atom', true, 1],
        ['bookmarks.json', true, 2],
        ['twitter', true, 7],
        ['friendfeed/clio/taro', true, 3],
      ]),
    );
    expect(report.failures).toEqual([]);
    expect(report.entriesIn).toBe(18);
  });

  it('writes RSS, Atom and JSON Feed that are well-formed and re-parse', async () => {
    assertWellFormed(read('lifestream.rss'));
    assertWellFormed(read('lifestream.atom'));
    const rss = await new RssParser().parseString(read('lifestream.rss'));
    const atom = await new RssParser().parseString(read('lifestream.atom'));
    const json = JSON.parse(read('lifestream.json')) as { items: unknown[] };
    expect(rss.items).toHaveLength(11);
    expect(atom.items).toHaveLength(11);
    expect(json.items).toHaveLength(11);
    assertWellFormed(read('everything.rss'));
  });

  it('has every entry newest first with JST dates, right text from EUC-JP and Shift_JIS, digests in place of tweets', async () => {
    const rss = await new RssParser({ customFields: { item: ['pubDate'] } }).parseString(read('lifestream.rss'));
    expect(rss.items.map((i) => [i.title, i.pubDate])).toEqual([
      ['紫陽花が咲いた & 雨もやんだ', 'Mon, 01 Jun 2009 12:04:05 +0900'],
      ['Twitter: 2008-05-31 のつぶやき (1)', 'Sat, 31 May 2008 12:00:00 +0900'],
      ['Kakehashi を作った', 'Sat, 31 May 2008 09:15:00 +0900'],
      ['[日記]京都で髙橋さんと①', 'Fri, 30 May 2008 21:34:56 +0900'],
      ['Twitter: 2008-05-30 のつぶやき (3)', 'Fri, 30 May 2008 21:34:50 +0900'],
      ['鴨川の夕焼け & 三条大橋', 'Fri, 30 May 2008 19:00:00 +0900'],
      ['Feeds are back', 'Fri, 30 May 2008 14:20:00 +0900'],
      ['Why JST matters', 'Thu, 29 May 2008 17:00:00 +0900'],
      ['ﾃｽﾄ投稿～半角カナと①②', 'Thu, 29 May 2008 12:00:00 +0900'],
      ['雨の日', 'Thu, 29 May 2008 00:00:00 +0900'],
      ['R&D メモ', 'Wed, 28 May 2008 23:05:00 +0900'],
    ]);
  });

  it('keeps links, tags, enclosures and content field by field', () => {
    const json = JSON.parse(read('lifestream.json')) as { items: Array<Record<string, unknown>> };
    const diary = json.items.find((i) => i.title === '[日記]京都で髙橋さんと①')!;
    expect(diary).toMatchObject({
      url: 'http://d.hatena.ne.jp/taro/20080530/1212150896',
      date_published: '2008-05-30T21:34:56+09:00',
      tags: ['日記', '京都'],
      authors: [{ name: 'taro' }],
    });
    expect(diary.content_html).toContain('㈱はてなの前も通った');
    const photo = json.items.find((i) => i.title === '鴨川の夕焼け & 三条大橋')!;
    expect(photo).toMatchObject({
      url: 'https://photos.example.jp/taro/42',
      attachments: [{ url: 'https://photos.example.jp/taro/img/42.jpg', mime_type: 'image/jpeg', size_in_bytes: 52311 }],
    });
    expect(photo.content_html).toBe('<p><img src="https://photos.example.jp/taro/img/42.jpg" alt="夕焼け" /></p>');
    const blog = json.items.find((i) => i.title === 'Kakehashi を作った')!;
    expect(blog.content_html).toContain('<a href="https://taro.example.jp/about"');
    const bookmark = json.items.find((i) => i.title === 'Why JST matters')!;
    expect(bookmark.date_published).toBe('2008-05-29T17:00:00+09:00');
  });

  it('uses stable ids that do not depend on where the checkout lives', () => {
    const json = JSON.parse(read('lifestream.json')) as { items: Array<{ id: string }> };
    expect(json.items.map((i) => i.id)).toContain('feed:file:../examples/blog.rss#https://taro.example.jp/entry/2008/05/31/kakehashi');
    expect(json.items.every((i) => !i.id.includes(process.cwd()))).toBe(true);
  });
});
