import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import mixiArchive from '../../src/plugins/source/mixi-archive.js';
import type { Feed } from '../../src/pipeline/model.js';
import type { MixiMeta } from '../../src/plugins/source/mixi/entries.js';
import { makeTestContext } from '../helpers/context.js';
import { FIXTURES } from './fake-mixi.js';

const JST = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h - 9, mi);
const SAVED = join(FIXTURES, 'saved');
const cleanup: string[] = [];

afterEach(() => {
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function importSaved(config: Record<string, unknown>): Promise<Feed> {
  const parsed = mixiArchive.config.parse(config);
  const { ctx, close } = await makeTestContext(parsed, { now: JST(2026, 1, 5, 12, 0) });
  try {
    return (await mixiArchive.fetch({ plugin: mixiArchive.name, tags: [], config: parsed as Record<string, unknown> }, ctx)) as Feed;
  } finally {
    await close();
  }
}

describe('Source::MixiArchive', () => {
  it('imports saved diary pages in EUC-JP and UTF-8, with and without meta charset, with the ids Source::Mixi gives', async () => {
    const feed = await importSaved({ path: SAVED });
    const byTitle = new Map(feed.entries.map((e) => [e.title, e]));
    expect([...byTitle.keys()].sort()).toEqual(['新しい傘①', '梅雨入り', '花見']);
    expect(feed.title).toBe('たろうの日記 (saved pages)');
    expect(feed.link).toBe('https://mixi.jp/list_diary.pl?id=123456');

    const rainy = byTitle.get('梅雨入り')!;
    expect(rainy.id).toBe('mixi#diary/912345678');
    // The address the browser wrote into the saved copy.
    expect(rainy.link).toBe('http://mixi.jp/view_diary.pl?id=912345678&owner_id=123456');
    expect(rainy.published).toEqual({ epochMs: JST(2008, 5, 30, 21, 34), kind: 'assumed', precision: 'minute', zone: 'Asia/Tokyo' });
    expect(rainy.author).toBe('たろう');
    expect(rainy.content).toContain('<a href="http://mixi.jp/view_diary.pl?id=912300001&amp;owner_id=123456">前の日記</a>');
    const thumbnail = join(SAVED, '梅雨入り_files', '912345678_1s.jpg');
    expect(rainy.enclosures).toEqual([
      // Only the thumbnail was saved: it is the enclosure, and it is on disk.
      { url: pathToFileURL(thumbnail).href, type: 'image/jpeg', localPath: thumbnail },
      // The popup named the full-size image: that address is kept, nothing local claimed for it.
      { url: 'http://img1.mixi.jp/photo/diary/99/12/912345678_2.jpg', type: 'image/jpeg' },
    ]);
    expect((rainy.meta.mixi as MixiMeta).comments?.map((c) => [c.author, c.published?.epochMs])).toEqual([
      ['はなこ', JST(2008, 5, 30, 22, 1)],
      ['たろう', JST(2008, 5, 30, 22, 15)],
    ]);
    expect(rainy.source).toMatchObject({ plugin: 'Source::MixiArchive', service: 'mixi', account: '123456' });

    const hanami = byTitle.get('花見')!;
    expect(hanami.id).toBe('mixi#diary/1701234567');
    expect(hanami.link).toBe('https://mixi.jp/view_diary.pl?id=1701234567&owner_id=123456');
    expect(hanami.published!.epochMs).toBe(JST(2011, 4, 20, 22, 5));
    expect(hanami.content).toContain('上野の桜が満開だった。');
    expect((hanami.meta.mixi as MixiMeta).era).toBe('2010');

    // Saved without its address: the comment form names the diary.
    const umbrella = byTitle.get('新しい傘①')!;
    expect(umbrella.id).toBe('mixi#diary/912300001');
    expect(umbrella.link).toBe('https://mixi.jp/view_diary.pl?id=912300001&owner_id=123456');
    expect(umbrella.content).toBe('髙島屋で傘を買った。㈱の字が入った紙袋に入れてくれた。<br>\n値段は¥3,150。');
  });

  it('names each file it could not read and keeps the rest', async () => {
    const feed = await importSaved({ path: SAVED });
    const warnings = feed.meta.warnings as string[];
    expect(warnings).toContain(`mixi: page layout not recognised at ${join(SAVED, 'home.html')} (no diary title, date and body); file skipped`);
    expect(warnings).toContainEqual(
      expect.stringContaining(`mixi: ${join(SAVED, '聖夜.html')} is not valid in any Japanese encoding (HTML meta "UTF-8" overridden`),
    );
    expect(feed.entries).toHaveLength(3);
  });

  it('throws, naming the folder and every reason, when no saved page can be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kakehashi-mixi-saved-'));
    cleanup.push(dir);
    copyFileSync(join(SAVED, 'home.html'), join(dir, 'home.html'));
    copyFileSync(join(SAVED, '聖夜.html'), join(dir, '聖夜.html'));
    await expect(importSaved({ path: dir })).rejects.toThrow(
      new RegExp(`^mixi: none of the 2 saved page\\(s\\) in ${dir} could be read: mixi: page layout not recognised at ${dir}/home\\.html .*; mixi: ${dir}/聖夜\\.html is not valid`),
    );
  });

  it('says so when the folder is missing or holds no pages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kakehashi-mixi-empty-'));
    cleanup.push(dir);
    await expect(importSaved({ path: dir })).rejects.toThrow(`mixi: no saved pages (.html, .htm) in ${dir}`);
    await expect(importSaved({ path: join(dir, 'nothing-here') })).rejects.toThrow(`mixi: cannot read ${join(dir, 'nothing-here')}: ENOENT`);
  });

  it('reads a single saved file', async () => {
    const feed = await importSaved({ path: join(SAVED, '花見.html') });
    expect(feed.entries.map((e) => e.title)).toEqual(['花見']);
  });
});
