import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import diary from '../../../src/plugins/source/hatena-diary.js';
import { serveFiles, type TestServer } from '../../helpers/server.js';
import { scratch } from '../../helpers/tmp.js';
import { FIXTURES, runSource, warningsOf } from './run-source.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const JST_MIDNIGHT = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day) - 9 * 3_600_000;

describe('Source::HatenaDiary: the RSS 1.0 feed', () => {
  it('reads the EUC-JP feed as served, one entry per section', async () => {
    server = await serveFiles({
      // The XML declaration is the only place that says EUC-JP, as on the old diary servers.
      '/taro/rss': { file: join(FIXTURES, 'diary-rss.euc-jp.rdf'), headers: { 'content-type': 'application/rss+xml' } },
    });
    const feed = await runSource(diary, { user: 'taro', base_url: server.url });
    expect(server.requests.map((r) => r.url)).toEqual(['/taro/rss']);
    expect(feed).toMatchObject({ id: `${server.url}/taro/rss`, type: 'hatena-diary', title: 'taroの日記', link: 'http://d.hatena.ne.jp/taro/', author: 'taro' });
    expect(feed.meta.encoding).toMatch(/euc-jp/i);
    expect(feed.entries).toHaveLength(3);
    const [pointer, rain, sunny] = feed.entries;

    expect(pointer).toMatchObject({
      id: 'hatena-diary#taro/20080530/1212156000',
      title: 'ポインタの話',
      link: 'http://d.hatena.ne.jp/taro/20080530/1212156000',
      tags: ['技術'],
      author: 'taro',
      summary: 'C のポインタ。 int x = 1; *ptr = &x;',
      source: { plugin: 'Source::HatenaDiary', service: 'hatena', account: 'taro', feedTitle: 'taroの日記' },
      meta: { hatenaDiary: { date: '2008-05-30', anchor: '1212156000' } },
    });
    expect(pointer!.content).toBe('<div class="section"><p>C のポインタ。</p><pre class="syntax-highlight">int x = 1;\n*ptr = &amp;x;</pre></div>');
    expect(pointer!.published?.epochMs).toBe(Date.UTC(2008, 4, 30, 14, 0, 0));

    // dc:date says only the day; the link's epoch is the section's creation time.
    expect(rain).toMatchObject({ id: 'hatena-diary#taro/20080530/1212150896', title: '梅雨入り', tags: ['日記', '雨'] });
    expect(rain!.published).toMatchObject({ epochMs: 1212150896000, precision: 'second' });
    // The keyword link stays percent-encoded in EUC-JP and nothing tries to decode it.
    expect(rain!.content).toContain('<a class="keyword" href="http://d.hatena.ne.jp/keyword/%a4%cf%a4%c6%a4%ca">はてな</a>に行く途中で傘を忘れた。');

    // An untimed section keeps day precision in Japan time, not UTC midnight.
    expect(sunny).toMatchObject({ id: 'hatena-diary#taro/20080529/p1', title: '晴れ', link: 'http://d.hatena.ne.jp/taro/20080529#p1', tags: [] });
    expect(sunny!.published).toEqual({ epochMs: JST_MIDNIGHT(2008, 5, 29), kind: 'date', precision: 'day', zone: 'Asia/Tokyo' });
    expect(warningsOf(feed)).toEqual([]);
  });

  it('asks again with the ETag and still yields the entries on 304 Not Modified', async () => {
    server = await serveFiles({
      '/taro/rss': {
        file: join(FIXTURES, 'diary-rss.euc-jp.rdf'),
        headers: { 'content-type': 'application/rss+xml', etag: '"rss-20080530"' },
      },
    });
    const work = scratch();
    try {
      const first = await runSource(diary, { user: 'taro', base_url: server.url }, { stateDir: work.dir });
      const second = await runSource(diary, { user: 'taro', base_url: server.url }, { stateDir: work.dir });
      expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, '"rss-20080530"']);
      expect([first.meta.notModified, second.meta.notModified]).toEqual([false, true]);
      expect(second.entries.map((e) => e.title)).toEqual(first.entries.map((e) => e.title));
    } finally {
      work.cleanup();
    }
  });

  it('fails with the URL and the page title when an HTML page is served instead', async () => {
    server = await serveFiles({
      '/taro/rss': { file: join(FIXTURES, 'maintenance.html'), headers: { 'content-type': 'text/html; charset=utf-8' } },
    });
    await expect(runSource(diary, { user: 'taro', base_url: server.url })).rejects.toThrow(
      `${server.url}/taro/rss: an HTML page was served where a feed was expected (title: "ただいまメンテナンス中です - はてな")`,
    );
  });

  it('names the URL and status on a server error', async () => {
    server = await serveFiles({ '/taro/rss': { status: 503, body: 'busy', headers: { 'content-type': 'text/plain' } } });
    await expect(runSource(diary, { user: 'taro', base_url: server.url })).rejects.toThrow(`${server.url}/taro/rss: HTTP 503`);
  });
});

describe('Source::HatenaDiary: the XML export', () => {
  const file = join(FIXTURES, 'diary-export.euc-jp.xml');

  it('splits days into entries, renders the notation and dates them', async () => {
    const feed = await runSource(diary, { user: 'taro', file: 'diary-export.euc-jp.xml' });
    expect(feed).toMatchObject({ id: `file:${file}`, title: 'taroの日記', link: 'https://d.hatena.ne.jp/taro/', author: 'taro' });
    expect(feed.meta.encoding).toMatch(/euc-jp/i);
    expect(feed.entries.map((e) => [e.id, e.title, e.link])).toEqual([
      ['hatena-diary#taro/20080530/1212150896', '梅雨入り', 'https://d.hatena.ne.jp/taro/20080530/1212150896'],
      ['hatena-diary#taro/20080530/1212156000', 'ポインタの話', 'https://d.hatena.ne.jp/taro/20080530/1212156000'],
      ['hatena-diary#taro/20061223/1169835868', 'あとから書いた日記', 'https://d.hatena.ne.jp/taro/20061223/1169835868'],
      ['hatena-diary#taro/20040820', 'はじめての日記', 'https://d.hatena.ne.jp/taro/20040820'],
      ['hatena-diary#taro/20080601/p1', '一つ目の見出し', 'https://d.hatena.ne.jp/taro/20080601#p1'],
      ['hatena-diary#taro/20080601/summer', '名前付きの見出し', 'https://d.hatena.ne.jp/taro/20080601/summer'],
    ]);
    const [rain, pointer, backdated, untitled, first] = feed.entries;

    expect(rain).toMatchObject({
      tags: ['日記', '雨'],
      author: 'taro',
      source: { plugin: 'Source::HatenaDiary', service: 'hatena', account: 'taro' },
      published: { epochMs: 1212150896000, precision: 'second' },
    });
    expect(rain!.content).toBe(
      '<p>雨。傘を忘れた<span class="footnote"><a href="#f-20080530-1212150896-1" title="コンビニで買った" id="fn-20080530-1212150896-1">*1</a></span>。</p>\n' +
        '<ul><li>傘</li><li>長靴<ul><li>ゴム製</li></ul></li></ul>\n' +
        '<div class="footnote"><p class="footnote"><a href="#fn-20080530-1212150896-1" id="f-20080530-1212150896-1">*1</a>: コンビニで買った</p></div>',
    );
    expect(rain!.meta.hatenaDiary).toEqual({ date: '2008-05-30', anchor: '1212150896' });

    // "*ptr" inside >|c| is code, not a heading; the private memo is not published.
    expect(pointer!.content).toBe(
      '<p>C のポインタ。</p>\n<pre class="code lang-c">int x = 1;\n*ptr = &amp;x;\nif (a &lt; b &amp;&amp; c) {}</pre>\n' +
        '<p><a href="http://www.example.com/c/pointer">ポインタ入門</a>を読んだ。</p>',
    );
    expect(pointer!.content).not.toContain('非公開');
    // The day's comments go with its last section, where Hatena showed them.
    expect(pointer!.meta.hatenaDiary).toEqual({
      date: '2008-05-30',
      anchor: '1212156000',
      comments: [
        { author: 'hanako', body: 'お大事に', published: { epochMs: 1212159600000, kind: 'zoned', precision: 'second', offsetMinutes: 0 } },
        { author: 'jiro', body: '傘は大事 <3', published: { epochMs: 1212163200000, kind: 'zoned', precision: 'second', offsetMinutes: 0 } },
      ],
    });

    // Back-dated: written 2007-01-27 (the epoch) on the page of 2006-12-23 (the day); both kept.
    expect(backdated!.published?.epochMs).toBe(1169835868000);
    expect(backdated!.meta.hatenaDiary).toEqual({ date: '2006-12-23', anchor: '1169835868' });
    expect(backdated!.content).toBe(
      '<blockquote><p>引用文 <b>raw HTML</b> も書ける</p>\n' +
        '<blockquote cite="http://www.example.org/quote"><p>入れ子の引用</p>\n<cite><a href="http://www.example.org/quote">出典</a></cite></blockquote></blockquote>\n' +
        '<p><a href="https://f.hatena.ne.jp/taro/20061223120000" class="hatena-fotolife"><img src="https://cdn-ak.f.st-hatena.com/images/fotolife/t/taro/20061223/20061223120000.jpg" alt="f:id:taro:20061223120000j:image" /></a></p>',
    );

    // No heading: the day's title, day precision, &#65535; and the raw U+001C removed.
    expect(untitled!.published).toEqual({ epochMs: JST_MIDNIGHT(2004, 8, 20), kind: 'date', precision: 'day', zone: 'Asia/Tokyo' });
    expect(untitled!.content).toBe('<p>今日から日記を書く。</p>\n<p><a href="https://profile.hatena.ne.jp/hanako/">id:hanako</a> さんに教わった。</p>');
    expect(first!.published).toMatchObject({ epochMs: JST_MIDNIGHT(2008, 6, 1), kind: 'date' });

    expect(warningsOf(feed)).toEqual([`${file}:48: removed 2 character(s) that XML forbids (such as &#65535; or control bytes)`]);
  });

  it('gives a section the same id from the export as from the old feed', async () => {
    server = await serveFiles({
      '/taro/rss': { file: join(FIXTURES, 'diary-rss.euc-jp.rdf'), headers: { 'content-type': 'application/rss+xml' } },
    });
    const fromFeed = await runSource(diary, { user: 'taro', base_url: server.url });
    const fromExport = await runSource(diary, { user: 'taro', file: 'diary-export.euc-jp.xml' });
    const exportIds = new Set(fromExport.entries.map((e) => e.id));
    expect(fromFeed.entries.filter((e) => exportIds.has(e.id)).map((e) => e.title)).toEqual(['ポインタの話', '梅雨入り']);
  });

  it('links to where the diary moved when blog_url is given', async () => {
    const feed = await runSource(diary, { user: 'taro', file: 'diary-export.euc-jp.xml', blog_url: 'https://taro.hatenadiary.jp' });
    expect(feed.entries.map((e) => e.link)).toEqual([
      'https://taro.hatenadiary.jp/entry/20080530/1212150896',
      'https://taro.hatenadiary.jp/entry/20080530/1212156000',
      'https://taro.hatenadiary.jp/entry/20061223/1169835868',
      'https://taro.hatenadiary.jp/archive/2004/08/20',
      'https://taro.hatenadiary.jp/entry/20080601/p1',
      'https://taro.hatenadiary.jp/entry/20080601/summer',
    ]);
    // Ids do not depend on the host.
    expect(feed.entries[0]!.id).toBe('hatena-diary#taro/20080530/1212150896');
  });

  it('keeps every readable day of a broken export and says where each problem is', async () => {
    const broken = join(FIXTURES, 'diary-export-broken.xml');
    const feed = await runSource(diary, { user: 'taro', file: broken });
    expect(feed.entries.map((e) => [e.title, e.content])).toEqual([
      ['あけまして', '<p>おめでとう。</p>'],
      ['四日目', '<pre class="code">*ptr は閉じられないコード\n*次の見出しに見えるがコードの中</pre>'],
    ]);
    expect(warningsOf(feed)).toEqual([
      `${broken}:13:7: malformed XML (unexpected close tag); this record is skipped`,
      `${broken}:15: <day date="2010-01-3"> is not a date (YYYY-MM-DD); this day is skipped`,
      `${broken}:23: day 2010-01-04: >|| is never closed by ||<; every later line of the day is taken as part of it`,
      `${broken}:28:1: the file ends (line 32) inside this <day>: the file looks truncated; skipped`,
    ]);
  });

  it('fails, naming the file and position, when not one day can be read', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'hatena-')), 'cut.xml');
    writeFileSync(path, '<?xml version="1.0" encoding="UTF-8"?>\n<diary>\n<day date="2010-01-01" title="">\n<body>\n途中');
    await expect(runSource(diary, { user: 'taro', file: path })).rejects.toThrow(
      `${path}:3:1: the file ends (line 5) inside this <day>: the file looks truncated; skipped`,
    );
  });

  it('names the file when it cannot be read', async () => {
    await expect(runSource(diary, { user: 'taro', file: 'no-such-export.xml' })).rejects.toThrow(
      `${join(FIXTURES, 'no-such-export.xml')}: cannot read the export file (ENOENT)`,
    );
  });

  it('refuses an export without the user it belongs to, and a zone that does not exist', () => {
    expect(() => diary.config.parse({ file: 'x.xml' })).toThrow(/an export file needs user/);
    expect(() => diary.config.parse({ user: 'taro', timezone: 'Asia/Tokio' })).toThrow(/an IANA time zone such as Asia\/Tokyo/);
  });
});

describe('Source::HatenaDiary: subscriptions', () => {
  it('claims diary feed URLs and only those', () => {
    expect(diary.claims!('http://d.hatena.ne.jp/taro/rss')).toBe(true);
    expect(diary.claims!('https://d.hatena.ne.jp/taro/rss2')).toBe(true);
    expect(diary.claims!('http://d.hatena.ne.jp/keyword/rss')).toBe(false);
    expect(diary.claims!('https://taro.hatenablog.com/feed')).toBe(false);
    expect(diary.claims!('https://d.hatena.ne.jp/taro/20080530')).toBe(false);
    expect(diary.configFromUrl!('http://d.hatena.ne.jp/taro/rss')).toEqual({ url: 'http://d.hatena.ne.jp/taro/rss', user: 'taro' });
  });
});
