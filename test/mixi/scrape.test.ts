import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/text/charset.js';
import { fullSizeImage, isLoginPage, MixiLayoutError, scrapeDiaryList, scrapeDiaryPage, scrapeVoiceList } from '../../src/plugins/source/mixi/scrape.js';
import { FIXTURES } from './fake-mixi.js';

const page = (name: string) => decode(readFileSync(join(FIXTURES, name)), { kind: 'html' }).text;
const origin = (name: string) => ({ url: `https://mixi.jp/${name}`, where: name });

describe('mixi markup eras', () => {
  it.each([
    ['2007/list_diary.html', 'diaryList', '2007', 2],
    ['2007/new_friend_diary.html', 'friendDiaryList', '2007', 3],
    ['2010/list_diary.html', 'diaryList', '2010', 2],
  ] as const)('%s is read as a %s of the %s era', (file, kind, era, rows) => {
    const scraped = scrapeDiaryList(page(file), origin(file), kind);
    expect([scraped.era, scraped.value.length]).toEqual([era, rows]);
  });

  it.each([
    ['2007/view_diary_912345678.html', '2007', 2, 2],
    ['2007/view_diary_912300001.html', '2007', 0, 0],
    ['2010/view_diary_1701234567.html', '2010', 1, 1],
    ['2010/view_diary_1700000002.html', '2010', 0, 0],
  ] as const)('%s is a diary page of the %s era with %i comment(s) and %i photo(s)', (file, era, comments, photos) => {
    const scraped = scrapeDiaryPage(page(file), origin(file));
    expect([scraped.era, scraped.value.comments.length, scraped.value.photos.length]).toEqual([era, comments, photos]);
  });

  it('finds the diary and owner ids in the page itself (comment form, neighbour links)', () => {
    expect(scrapeDiaryPage(page('2007/view_diary_912300001.html'), origin('x')).value).toMatchObject({ diaryId: '912300001', ownerId: '123456' });
    expect(scrapeDiaryPage(page('2010/view_diary_1700000002.html'), origin('x')).value).toMatchObject({ diaryId: '1700000002', ownerId: '123456' });
  });

  it.each([
    ['2007/list_echo.html', '2007'],
    ['2010/list_voice.html', '2010'],
  ] as const)('%s holds echo/voice rows of the %s era', (file, era) => {
    const scraped = scrapeVoiceList(page(file), origin(file));
    expect([scraped.era, scraped.value.map((v) => v.postTime)]).toEqual([era, expect.arrayContaining([expect.stringMatching(/^\d{14}$/)])]);
  });

  it('refuses a page of the wrong kind, by name', () => {
    expect(() => scrapeDiaryPage(page('2007/list_diary.html'), origin('list_diary.pl'))).toThrow(
      new MixiLayoutError('list_diary.pl', 'no diary title, date and body'),
    );
    expect(() => scrapeDiaryList(page('2010/view_diary_1701234567.html'), origin('view_diary.pl'))).toThrow(
      'mixi: page layout not recognised at view_diary.pl (no diary rows)',
    );
    expect(() => scrapeVoiceList(page('unknown-layout.html'), origin('list_voice.pl'))).toThrow(
      'mixi: page layout not recognised at list_voice.pl (no echo or voice rows)',
    );
  });

  it('tells the login page from the others', () => {
    expect(isLoginPage(page('2007/login.html'))).toBe(true);
    expect(isLoginPage(page('2007/list_diary.html'))).toBe(false);
  });

  it('turns a thumbnail address into the full-size one', () => {
    expect(fullSizeImage('http://ic76.mixi.jp/p/3f2a9c/8b1e/diary/912345678_1s.jpg')).toBe('http://ic76.mixi.jp/p/3f2a9c/8b1e/diary/912345678_1.jpg');
    expect(fullSizeImage('https://photo.mixi.jp/diary/1701234567_2s.PNG?v=2')).toBe('https://photo.mixi.jp/diary/1701234567_2.PNG?v=2');
    expect(fullSizeImage('https://photo.mixi.jp/diary/full.jpg')).toBe('https://photo.mixi.jp/diary/full.jpg');
  });
});
