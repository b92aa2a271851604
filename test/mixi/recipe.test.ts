import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/pipeline/run.js';
import type { RunReport } from '../../src/pipeline/report.js';
import { scratch } from '../helpers/tmp.js';
import { FIXTURES, OWNER_ID, startFakeMixi, type FakeMixi } from './fake-mixi.js';

interface JsonItem {
  id: string;
  url?: string;
  title: string;
  content_html?: string;
  summary?: string;
  date_published?: string;
  authors?: Array<{ name: string }>;
  attachments?: Array<{ url: string; mime_type?: string }>;
  _kakehashi: { source: Record<string, unknown> };
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { title: string; items: JsonItem[] };
const JST = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h - 9, mi);

describe('recipes/mixi.yaml against a local mixi (2010 era, UTF-8)', () => {
  const work = scratch();
  let site: FakeMixi;
  let first: RunReport;
  let afterExpiry: RunReport;
  let firstJson: ReturnType<typeof readJson>;
  let firstRss: string;
  const env = () => ({ MIXI_BASE_URL: site.url, MIXI_OWNER_ID: OWNER_ID, MIXI_COOKIES: join(FIXTURES, 'cookies.txt'), MIXI_DELAY: '0' });
  const options = () => ({ env: env(), now: () => JST(2011, 4, 25, 12, 0), stateDir: work.path('state'), outputDir: work.path('out') });

  beforeAll(async () => {
    site = await startFakeMixi({ era: '2010' });
    first = await runRecipe('recipes/mixi.yaml', options());
    firstJson = readJson(work.path('out/mixi.json'));
    firstRss = readFileSync(work.path('out/mixi.rss'), 'utf8');
    site.expireSessions();
    afterExpiry = await runRecipe('recipes/mixi.yaml', options());
  });
  afterAll(async () => {
    await site.close();
    work.cleanup();
  });

  it('reads the diary and the voice without a warning', () => {
    expect(first.sources.map((s) => [s.plugin, s.target, s.ok, s.entries, s.warnings])).toEqual([
      ['Source::Mixi', `${site.url}list_diary.pl`, true, 4, []],
    ]);
    expect(first.failures).toEqual([]);
  });

  it('publishes the entries newest first with JST dates, field by field', () => {
    expect(firstJson.title).toBe('たろうのmixi');
    expect(firstJson.items.map((i) => [i.title, i.date_published])).toEqual([
      ['>>はなこ また来年ね', '2011-04-20T23:15:00+09:00'],
      ['花見', '2011-04-20T22:05:00+09:00'],
      ['花見なう。', '2011-04-20T19:30:12+09:00'],
      ['聖夜', '2010-12-24T20:00:00+09:00'],
    ]);
    const hanami = firstJson.items[1]!;
    expect(hanami.id).toBe('mixi#diary/1701234567');
    expect(hanami.url).toBe(`${site.url}view_diary.pl?id=1701234567&owner_id=123456`);
    expect(hanami.authors).toEqual([{ name: 'たろう' }]);
    expect(hanami.content_html).toBe(
      '上野の桜が満開だった。<br />人が多すぎて、結局ビールだけ飲んで帰った。' +
        '<p><a href="https://photo.mixi.jp/diary/98/76/1701234567_1.jpg" rel="nofollow noopener noreferrer"><img src="https://photo.mixi.jp/diary/98/76/1701234567_1.jpg" alt="" /></a></p>',
    );
    expect(hanami.summary).toBe('上野の桜が満開だった。人が多すぎて…');
    expect(hanami.attachments).toEqual([{ url: 'https://photo.mixi.jp/diary/98/76/1701234567_1.jpg', mime_type: 'image/jpeg' }]);
    expect(hanami._kakehashi.source).toMatchObject({ plugin: 'Source::Mixi', service: 'mixi', account: '123456' });
    const voice = firstJson.items[2]!;
    expect(voice.url).toBe(`${site.url}view_voice.pl?owner_id=123456&post_time=20110420193012`);
    expect(voice.content_html).toBe('花見なう。ビールがうまい');
    expect(firstRss).toContain('<pubDate>Wed, 20 Apr 2011 22:05:00 +0900</pubDate>');
  });

  it('fails with "session expired" when the session is gone, and leaves the published feed as it was', () => {
    expect(afterExpiry.sources).toHaveLength(1);
    expect(afterExpiry.sources[0]!.ok).toBe(false);
    expect(afterExpiry.sources[0]!.error).toBe(
      `mixi: session expired; export a new cookies.txt (${site.url}list_diary.pl?id=123456 redirected to the login page; the cookies came from ${join(FIXTURES, 'cookies.txt')})`,
    );
    expect(readJson(work.path('out/mixi.json')).items.map((i) => i.id)).toEqual(firstJson.items.map((i) => i.id));
  });
});

describe('recipes/mixi-archive.yaml on the saved pages in examples/', () => {
  const work = scratch();
  let report: RunReport;

  beforeAll(async () => {
    report = await runRecipe('recipes/mixi-archive.yaml', { stateDir: work.path('state'), outputDir: work.path('out') });
  });
  afterAll(() => work.cleanup());

  it('imports every saved diary into one feed', () => {
    expect(report.sources.map((s) => [s.plugin, s.ok, s.entries, s.warnings])).toEqual([['Source::MixiArchive', true, 3, []]]);
    const json = readJson(work.path('out/mixi-archive.json'));
    expect(json.items.map((i) => [i.id, i.title, i.url, i.date_published])).toEqual([
      ['mixi#diary/1701234567', '花見', 'https://mixi.jp/view_diary.pl?id=1701234567&owner_id=123456', '2011-04-20T22:05:00+09:00'],
      ['mixi#diary/912345678', '梅雨入り', 'http://mixi.jp/view_diary.pl?id=912345678&owner_id=123456', '2008-05-30T21:34:00+09:00'],
      ['mixi#diary/912300001', '新しい傘①', 'https://mixi.jp/view_diary.pl?id=912300001&owner_id=123456', '2008-05-28T08:05:00+09:00'],
    ]);
    // Saved thumbnails are local files: not offered to feed readers as attachments.
    expect(json.items[1]!.attachments).toEqual([{ url: 'http://img1.mixi.jp/photo/diary/99/12/912345678_2.jpg', mime_type: 'image/jpeg' }]);
  });
});
