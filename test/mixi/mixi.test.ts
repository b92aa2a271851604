import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mixi, { delayMs } from '../../src/plugins/source/mixi.js';
import type { Feed } from '../../src/pipeline/model.js';
import type { MixiMeta } from '../../src/plugins/source/mixi/entries.js';
import { makeTestContext } from '../helpers/context.js';
import { BROWSER_SESSION, FIXTURES, LOGIN, OWNER_ID, startFakeMixi, type FakeMixi } from './fake-mixi.js';

const JST = (y: number, mo: number, d: number, h: number, mi: number, s = 0) => Date.UTC(y, mo - 1, d, h - 9, mi, s);
const COOKIES = join(FIXTURES, 'cookies.txt');

let stateDir: string;
let site: FakeMixi | undefined;

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'kakehashi-mixi-'));
});
afterEach(async () => {
  await site?.close();
  site = undefined;
  rmSync(stateDir, { recursive: true, force: true });
});

async function fetchMixi(config: Record<string, unknown>, now: number, logLines?: string[]): Promise<Feed[]> {
  const parsed = mixi.config.parse(config);
  const { ctx, close } = await makeTestContext(parsed, { now, stateDir });
  if (logLines) ctx.log = pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) });
  try {
    const result = await mixi.fetch({ plugin: mixi.name, tags: [], config: parsed as Record<string, unknown> }, ctx);
    return Array.isArray(result) ? result : [result];
  } finally {
    await close();
  }
}

const meta = (feed: Feed, index: number) => feed.entries[index]!.meta.mixi as MixiMeta;

describe('Source::Mixi, 2007 era (EUC-JP), with a browser cookies.txt', () => {
  it('reads the diary list and each diary page, field by field', async () => {
    site = await startFakeMixi({ era: '2007' });
    const [feed] = await fetchMixi({ base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0 }, JST(2008, 6, 1, 12, 0));

    expect(feed!.title).toBe('たろうの日記');
    expect(feed!.link).toBe(`${site.url}list_diary.pl?id=123456`);
    expect(feed!.entries).toHaveLength(2);
    const [rainy, umbrella] = feed!.entries;

    expect(rainy!.id).toBe('mixi#diary/912345678');
    expect(rainy!.title).toBe('梅雨入り');
    expect(rainy!.link).toBe(`${site.url}view_diary.pl?id=912345678&owner_id=123456`);
    expect(rainy!.author).toBe('たろう');
    expect(rainy!.published).toEqual({ epochMs: JST(2008, 5, 30, 21, 34), kind: 'assumed', precision: 'minute', zone: 'Asia/Tokyo' });
    expect(rainy!.summary).toBe('雨。傘を忘れた。駅から走った…');
    expect(rainy!.content).toContain('雨。傘を忘れた。<br>');
    expect(rainy!.content).toContain('<a href="http://www.jma.go.jp/">気象庁</a>');
    // A link inside the body is made absolute against the page.
    expect(rainy!.content).toContain(`<a href="${site.url}view_diary.pl?id=912300001&amp;owner_id=123456">前の日記</a>`);
    expect(rainy!.content).toContain('<img src="http://ic76.mixi.jp/p/3f2a9c/8b1e/diary/912345678_1.jpg"');
    expect(rainy!.enclosures).toEqual([
      { url: 'http://ic76.mixi.jp/p/3f2a9c/8b1e/diary/912345678_1.jpg', type: 'image/jpeg' },
      { url: 'http://img1.mixi.jp/photo/diary/99/12/912345678_2.jpg', type: 'image/jpeg' },
    ]);
    expect(rainy!.source).toMatchObject({ plugin: 'Source::Mixi', feedId: 'mixi:diary:123456', feedTitle: 'たろうの日記', account: '123456', service: 'mixi' });
    expect(meta(feed!, 0)).toMatchObject({ kind: 'diary', era: '2007', diaryId: '912345678', ownerId: '123456', commentCount: 2 });
    expect(meta(feed!, 0).comments).toEqual([
      {
        author: 'はなこ',
        authorLink: `${site.url}show_friend.pl?id=234567`,
        published: { epochMs: JST(2008, 5, 30, 22, 1), kind: 'assumed', precision: 'minute', zone: 'Asia/Tokyo' },
        content: 'お大事に…',
      },
      {
        author: 'たろう',
        authorLink: `${site.url}show_friend.pl?id=123456`,
        published: { epochMs: JST(2008, 5, 30, 22, 15), kind: 'assumed', precision: 'minute', zone: 'Asia/Tokyo' },
        content: 'ありがとう！<br>明日は晴れるといいな',
      },
    ]);

    // NEC and IBM specials in EUC-JP (row 13, 0xFCE2) decode to the characters the writer typed.
    expect(umbrella!.title).toBe('新しい傘①');
    expect(umbrella!.content).toBe('髙島屋で傘を買った。㈱の字が入った紙袋に入れてくれた。<br>\n値段は¥3,150。');
    expect(umbrella!.published!.epochMs).toBe(JST(2008, 5, 28, 8, 5));
    expect(umbrella!.enclosures).toEqual([]);

    // The broken third row is reported by name and does not stop the others.
    expect(feed!.meta.warnings).toEqual([`${site.url}list_diary.pl?id=123456: row 3 has no date; skipped`]);
  });

  it('sends every cookie of the cookies.txt, HttpOnly ones included', async () => {
    site = await startFakeMixi({ era: '2007' });
    await fetchMixi({ base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0, fetch_body: false }, JST(2008, 6, 1, 12, 0));
    const cookie = site.server.requests[0]!.headers.cookie;
    expect(cookie).toContain(`BF_SESSION=${BROWSER_SESSION}`);
    expect(cookie).toContain('BF_STAMP=7f8e9d0c1b2a');
    expect(cookie).toContain('mixi_view_mode=pc');
  });

  it('reads echo rows with their yyyymmddhhmmss times', async () => {
    site = await startFakeMixi({ era: '2007' });
    const [feed] = await fetchMixi(
      { base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0, feed_type: ['Echo'] },
      JST(2008, 6, 1, 12, 0),
    );
    expect(feed!.id).toBe('mixi:echo:123456');
    expect(feed!.title).toBe('たろうのエコー');
    expect(feed!.entries.map((e) => [e.id, e.title, e.link, e.author, e.published?.epochMs, e.content])).toEqual([
      [
        'mixi#voice/123456/20080530213456',
        '梅雨入りしたらしい。',
        `${site.url}view_echo.pl?id=123456&post_time=20080530213456`,
        'たろう',
        JST(2008, 5, 30, 21, 34, 56),
        '梅雨入りしたらしい。傘がない。',
      ],
      [
        'mixi#voice/123456/20080531081500',
        '>>はなこ 傘を貸してくれてありがとう',
        `${site.url}view_echo.pl?id=123456&post_time=20080531081500`,
        'たろう',
        JST(2008, 5, 31, 8, 15),
        '&gt;&gt;はなこ 傘を貸してくれてありがとう',
      ],
    ]);
    expect(meta(feed!, 1)).toEqual({ kind: 'voice', memberId: '123456', postTime: '20080531081500', replyTo: 'はなこ' });
    expect(feed!.entries[0]!.published).toMatchObject({ kind: 'assumed', precision: 'second', zone: 'Asia/Tokyo' });
  });

  it("lists friends' diaries with year-less dates, skipping outside blogs and leaving no footprints", async () => {
    site = await startFakeMixi({ era: '2007' });
    const [feed] = await fetchMixi(
      { base_url: site.url, cookies: COOKIES, delay: 0, feed_type: 'FriendDiary' },
      JST(2008, 6, 1, 0, 30),
    );
    expect(feed!.entries.map((e) => [e.title, e.author, e.link, e.published?.epochMs, e.published?.inferred])).toEqual([
      ['雨上がりの散歩', 'はなこ', `${site.url}view_diary.pl?id=913000001&owner_id=234567`, JST(2008, 5, 31, 9, 12), ['year']],
      // 12月31日 seen on 1 June 2008 is in the future for 2008: it was last year.
      ['大晦日', 'じろう', `${site.url}view_diary.pl?id=905000001&owner_id=345678`, JST(2007, 12, 31, 23, 59), ['year']],
    ]);
    expect(feed!.entries[0]!.source.account).toBe('234567');
    expect(meta(feed!, 0).fromListOnly).toBe(true);
    expect(site.requestsTo('/view_diary.pl')).toBe(0);
  });
});

describe('Source::Mixi, 2010 era (UTF-8)', () => {
  it('reads the year-less list and the diary pages of the newer markup', async () => {
    site = await startFakeMixi({ era: '2010' });
    const [feed] = await fetchMixi({ base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0 }, JST(2011, 4, 25, 12, 0));
    const [hanami, xmas] = feed!.entries;
    expect(hanami!.title).toBe('花見');
    // The diary page carries the year: nothing inferred.
    expect(hanami!.published).toEqual({ epochMs: JST(2011, 4, 20, 22, 5), kind: 'assumed', precision: 'minute', zone: 'Asia/Tokyo' });
    expect(hanami!.content).toBe(
      '上野の桜が満開だった。<br>人が多すぎて、結局ビールだけ飲んで帰った。' +
        '<p><a href="https://photo.mixi.jp/diary/98/76/1701234567_1.jpg"><img src="https://photo.mixi.jp/diary/98/76/1701234567_1.jpg" alt="" /></a></p>',
    );
    expect(meta(feed!, 0)).toMatchObject({ era: '2010', commentCount: 1 });
    expect(meta(feed!, 0).comments).toEqual([
      {
        author: 'はなこ',
        authorLink: `${site.url}show_friend.pl?id=234567`,
        published: { epochMs: JST(2011, 4, 20, 23, 10), kind: 'assumed', precision: 'minute', zone: 'Asia/Tokyo' },
        content: 'いいなあ、行きたかった',
      },
    ]);
    expect(xmas!.title).toBe('聖夜');
    expect(xmas!.published!.epochMs).toBe(JST(2010, 12, 24, 20, 0));
    expect(meta(feed!, 1).comments).toEqual([]);
  });

  it('infers the year of list dates from the fetch time when bodies are not fetched', async () => {
    site = await startFakeMixi({ era: '2010' });
    const [feed] = await fetchMixi(
      { base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0, fetch_body: false },
      JST(2011, 4, 25, 12, 0),
    );
    expect(feed!.entries.map((e) => [e.title, e.published, e.summary, e.content])).toEqual([
      ['花見', { epochMs: JST(2011, 4, 20, 22, 5), kind: 'assumed', precision: 'minute', zone: 'Asia/Tokyo', inferred: ['year'] }, '上野の桜が満開だった。人が多すぎて…', undefined],
      ['聖夜', { epochMs: JST(2010, 12, 24, 20, 0), kind: 'assumed', precision: 'minute', zone: 'Asia/Tokyo', inferred: ['year'] }, 'ケーキを買って帰った。', undefined],
    ]);
    // Thumbnails of the list become full-size enclosures even without the page.
    expect(feed!.entries[0]!.enclosures).toEqual([{ url: 'https://photo.mixi.jp/diary/98/76/1701234567_1.jpg', type: 'image/jpeg' }]);
    expect(site.requestsTo('/view_diary.pl')).toBe(0);
  });

  it('reads voice rows', async () => {
    site = await startFakeMixi({ era: '2010' });
    const [feed] = await fetchMixi(
      { base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0, feed_type: ['voice'] },
      JST(2011, 4, 25, 12, 0),
    );
    expect(feed!.title).toBe('たろうのボイス');
    expect(feed!.entries.map((e) => [e.title, e.link, e.published?.epochMs, (e.meta.mixi as MixiMeta).replyTo])).toEqual([
      ['花見なう。', `${site.url}view_voice.pl?owner_id=123456&post_time=20110420193012`, JST(2011, 4, 20, 19, 30, 12), undefined],
      ['>>はなこ また来年ね', `${site.url}view_voice.pl?owner_id=123456&post_time=20110420231500`, JST(2011, 4, 20, 23, 15), 'はなこ'],
    ]);
  });
});

describe('Source::Mixi etiquette', () => {
  it('never fetches a diary page again while its list row is unchanged', async () => {
    site = await startFakeMixi({ era: '2007' });
    const config = { base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0 };
    const now = JST(2008, 6, 1, 12, 0);
    const first = await fetchMixi(config, now);
    expect(site.requestsTo('/view_diary.pl')).toBe(2);

    const second = await fetchMixi(config, now);
    expect(site.requestsTo('/list_diary.pl')).toBe(2);
    expect(site.requestsTo('/view_diary.pl')).toBe(2);
    // The entries are the same, body and comments included, without the pages.
    expect(second[0]!.entries).toEqual(first[0]!.entries);

    // A new comment changes the row; the page cache (12 h) still answers within the window …
    site.override['/list_diary.pl?id=123456'] = { file: join(FIXTURES, 'etiquette/list_diary_3_comments.html'), charset: 'EUC-JP' };
    await fetchMixi(config, now);
    expect(site.requestsTo('/view_diary.pl')).toBe(2);
    // … and without the cache only the changed diary is fetched again.
    await fetchMixi({ ...config, cache_hours: 0 }, now);
    expect(site.arrivals.filter((a) => a.path.startsWith('/view_diary.pl')).map((a) => a.path).slice(2)).toEqual([
      '/view_diary.pl?id=912345678&owner_id=123456',
    ]);
  });

  it('waits the configured delay between one response and the next request', async () => {
    site = await startFakeMixi({ era: '2007' });
    await fetchMixi({ base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0.2 }, JST(2008, 6, 1, 12, 0));
    expect(site.arrivals).toHaveLength(3);
    const gaps = site.arrivals.slice(1).map((a, i) => a.at - site!.arrivals[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(195);
  });

  it("waits 2 s by default, takes Plagger's fetch_body_interval, and caches pages 12 h", () => {
    const base = { cookies: COOKIES };
    expect(delayMs(mixi.config.parse(base))).toBe(2000);
    expect(delayMs(mixi.config.parse({ ...base, fetch_body_interval: 1.5 }))).toBe(1500);
    expect(delayMs(mixi.config.parse({ ...base, delay: 0.25, fetch_body_interval: 1.5 }))).toBe(250);
    expect(mixi.config.parse(base).cache_hours).toBe(12);
  });
});

describe('Source::Mixi sessions', () => {
  it('logs in with the login form when no cookies are given, once, and keeps the session for the next run', async () => {
    site = await startFakeMixi({ era: '2007', liveSessions: [] });
    const config = { base_url: site.url, owner_id: OWNER_ID, email: LOGIN.email, password: LOGIN.password, delay: 0, fetch_body: false };
    const log: string[] = [];
    const [feed] = await fetchMixi(config, JST(2008, 6, 1, 12, 0), log);
    expect(log.join('')).toContain('mixi: logging in');
    expect(log.join('')).not.toContain(LOGIN.password);
    expect(log.join('')).not.toContain(LOGIN.email);
    expect(feed!.entries.map((e) => e.title)).toEqual(['梅雨入り', '新しい傘①']);

    const post = site.server.requests.find((r) => r.method === 'POST')!;
    expect(post.url).toBe('/login.pl');
    expect(post.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(post.body.toString()))).toEqual({
      email: LOGIN.email,
      password: LOGIN.password,
      next_url: '/list_diary.pl?id=123456',
      sticky: 'on',
    });
    expect(site.server.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'GET /list_diary.pl',
      'POST /login.pl',
      'GET /list_diary.pl',
    ]);
    expect(site.server.requests[2]!.headers.cookie).toContain('BF_SESSION=issued_9z8y7x');

    await fetchMixi(config, JST(2008, 6, 1, 12, 0));
    expect(site.server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('says the login was refused when the password is wrong', async () => {
    site = await startFakeMixi({ era: '2007', liveSessions: [] });
    await expect(
      fetchMixi({ base_url: site.url, owner_id: OWNER_ID, email: LOGIN.email, password: 'wrong', delay: 0 }, JST(2008, 6, 1, 12, 0)),
    ).rejects.toThrow(`mixi: login refused at ${site.url}login.pl (HTTP 200); check the email and password`);
  });

  it('throws "session expired" when mixi redirects the browser session to the login page', async () => {
    site = await startFakeMixi({ era: '2007', liveSessions: ['someone-else'] });
    await expect(
      fetchMixi({ base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0 }, JST(2008, 6, 1, 12, 0)),
    ).rejects.toThrow(
      `mixi: session expired; export a new cookies.txt (${site.url}list_diary.pl?id=123456 redirected to the login page; the cookies came from ${COOKIES})`,
    );
  });

  it('throws "session expired" without asking mixi when every cookie in the file has expired', async () => {
    site = await startFakeMixi({ era: '2007' });
    const expired = join(FIXTURES, 'cookies-expired.txt');
    await expect(
      fetchMixi({ base_url: site.url, owner_id: OWNER_ID, cookies: expired, delay: 0 }, JST(2008, 6, 1, 12, 0)),
    ).rejects.toThrow(`mixi: session expired; export a new cookies.txt (${expired} has no unexpired cookie for 127.0.0.1`);
    expect(site.server.requests).toHaveLength(0);
  });
});

describe('Source::Mixi bad pages', () => {
  it('throws "page layout not recognised" with the URL when the list matches no era', async () => {
    site = await startFakeMixi({ era: '2010', override: { '/list_diary.pl': { file: join(FIXTURES, 'unknown-layout.html'), charset: 'UTF-8' } } });
    await expect(
      fetchMixi({ base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0 }, JST(2011, 4, 25, 12, 0)),
    ).rejects.toThrow(`mixi: page layout not recognised at ${site.url}list_diary.pl?id=123456 (no diary rows)`);
  });

  it('throws "page layout not recognised" with the URL when a diary page matches no era', async () => {
    site = await startFakeMixi({
      era: '2010',
      override: { '/view_diary.pl?id=1700000002&owner_id=123456': { file: join(FIXTURES, 'unknown-layout.html'), charset: 'UTF-8' } },
    });
    await expect(
      fetchMixi({ base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0 }, JST(2011, 4, 25, 12, 0)),
    ).rejects.toThrow(`mixi: page layout not recognised at ${site.url}view_diary.pl?id=1700000002&owner_id=123456`);
  });

  it('reads a page whose bytes contradict its declared charset, and says so', async () => {
    site = await startFakeMixi({
      era: '2007',
      override: { '/view_diary.pl?id=912345678&owner_id=123456': { file: join(FIXTURES, 'wrong-encoding/view_diary_912345678.sjis.html'), charset: 'EUC-JP' } },
    });
    const [feed] = await fetchMixi({ base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0 }, JST(2008, 6, 1, 12, 0));
    expect(feed!.entries[0]!.title).toBe('梅雨入り');
    expect(feed!.entries[0]!.content).toContain('駅から<a href="http://www.jma.go.jp/">気象庁</a>の予報を見ながら走った。');
    expect(feed!.meta.warnings).toContain(
      `${site.url}view_diary.pl?id=912345678&owner_id=123456: HTTP charset "EUC-JP" overridden: the bytes are not valid in it; read as shift_jis`,
    );
  });

  it('keeps the list row when a diary page is damaged or gone, names the URL, and tries again next run', async () => {
    site = await startFakeMixi({
      era: '2007',
      override: {
        '/view_diary.pl?id=912345678&owner_id=123456': { file: join(FIXTURES, 'saved/聖夜.html'), charset: 'UTF-8' },
        '/view_diary.pl?id=912300001&owner_id=123456': { status: 404 },
      },
    });
    const config = { base_url: site.url, owner_id: OWNER_ID, cookies: COOKIES, delay: 0 };
    const [feed] = await fetchMixi(config, JST(2008, 6, 1, 12, 0));
    expect(feed!.entries.map((e) => [e.title, e.published?.epochMs, e.summary, e.content, (e.meta.mixi as MixiMeta).fromListOnly])).toEqual([
      ['梅雨入り', JST(2008, 5, 30, 21, 34), '雨。傘を忘れた。駅から走った…', undefined, true],
      ['新しい傘①', JST(2008, 5, 28, 8, 5), '髙島屋で傘を買った。㈱の字が入った紙袋…', undefined, true],
    ]);
    const warnings = feed!.meta.warnings as string[];
    expect(warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(`^mixi: ${escapeRegExp(site.url)}view_diary\\.pl\\?id=912345678&owner_id=123456 is not valid in any Japanese encoding .*; entry kept from the list row only$`),
      ),
    );
    expect(warnings).toContain(`mixi: ${site.url}view_diary.pl?id=912300001&owner_id=123456 answered HTTP 404; entry kept from the list row only`);

    await fetchMixi(config, JST(2008, 6, 1, 12, 0));
    expect(site.requestsTo('/view_diary.pl')).toBe(4);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
