import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import bookmark from '../../../src/plugins/source/hatena-bookmark.js';
import { serveFiles, type TestServer } from '../../helpers/server.js';
import { FIXTURES, runSource, warningsOf } from './run-source.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };

describe('Source::HatenaBookmark: the user feed', () => {
  it('pages with ?of= until the last page, reading comments, tags and counts', async () => {
    server = await serveFiles({
      '/taro/rss?of=20': { file: join(FIXTURES, 'bookmark-rss-of20.rdf'), headers: RSS },
      '/taro/rss': { file: join(FIXTURES, 'bookmark-rss.rdf'), headers: RSS },
    });
    const feed = await runSource(bookmark, { user: 'taro', base_url: server.url, pages: 5 });
    // 23 bookmarks in all: page 2 holds the last 3, so there is no third request.
    expect(server.requests.map((r) => r.url)).toEqual(['/taro/rss', '/taro/rss?of=20']);
    expect(feed).toMatchObject({ id: `${server.url}/taro/rss`, type: 'hatena-bookmark', title: 'taroのブックマーク', link: 'https://b.hatena.ne.jp/taro/', author: 'taro' });
    expect(feed.entries).toHaveLength(23);
    expect(warningsOf(feed)).toEqual([]);

    const [newest] = feed.entries;
    expect(newest).toMatchObject({
      id: 'hatena-bookmark#taro:https://example.jp/post/42',
      title: '静的サイトの作り方',
      link: 'https://example.jp/post/42',
      summary: 'あとで読む',
      tags: ['web', 'あとで読む'],
      author: 'taro',
      source: { plugin: 'Source::HatenaBookmark', service: 'hatena', account: 'taro', feedTitle: 'taroのブックマーク' },
      meta: { hatenaBookmark: { comment: 'あとで読む', count: 128 } },
    });
    expect(newest!.published).toEqual({ epochMs: Date.UTC(2026, 0, 10, 23, 20), kind: 'zoned', precision: 'second', offsetMinutes: 540 });
    expect(newest!.content).toBe(
      '<p>あとで読む</p>\n<blockquote cite="https://example.jp/post/42" title="静的サイトの作り方"><cite><img src="https://cdn-ak.favicon.st-hatena.com/?url=https%3A%2F%2Fexample.jp%2Fpost%2F42" alt="" /> <a href="https://example.jp/post/42">静的サイトの作り方</a></cite></blockquote>',
    );

    const [typescript, keyword, ekiden] = feed.entries.slice(20);
    // Three dc:subject tags plus the old "[tag]comment" form; the comment keeps only its text.
    expect(typescript).toMatchObject({
      title: 'TypeScript 6.0 の変更点 & 移行ガイド',
      link: 'https://dev.example.org/ts6?utm_source=hatena&ref=b',
      summary: '移行は来月',
      tags: ['typescript', 'programming', 'あとで読む', 'TypeScript'],
      meta: { hatenaBookmark: { comment: '移行は来月', count: 512 } },
    });
    // A keyword page percent-encoded in EUC-JP, titled by its URL: shown decoded, linked as it was.
    expect(keyword).toMatchObject({
      title: 'http://d.hatena.ne.jp/keyword/はてな',
      link: 'http://d.hatena.ne.jp/keyword/%a4%cf%a4%c6%a4%ca',
      content: '<p>懐かしいキーワードページ</p>',
      tags: ['hatena'],
      meta: { hatenaBookmark: { comment: '懐かしいキーワードページ', count: 3 } },
    });
    // No comment and no tags: nothing invented.
    expect(ekiden).toMatchObject({ title: '箱根駅伝 往路結果', tags: [], meta: { hatenaBookmark: { comment: '', count: 1 } } });
    expect(ekiden!.content).toBeUndefined();
    expect(ekiden!.summary).toBeUndefined();
  });

  it('stops at `pages`', async () => {
    server = await serveFiles({ '/taro/rss': { file: join(FIXTURES, 'bookmark-rss.rdf'), headers: RSS } });
    const feed = await runSource(bookmark, { user: 'taro', base_url: server.url });
    expect(server.requests.map((r) => r.url)).toEqual(['/taro/rss']);
    expect(feed.entries).toHaveLength(20);
  });

  it('fails with the URL when an HTML page is served instead of the feed', async () => {
    server = await serveFiles({ '/taro/rss': { file: join(FIXTURES, 'maintenance.html'), headers: { 'content-type': 'text/html; charset=utf-8' } } });
    await expect(runSource(bookmark, { user: 'taro', base_url: server.url })).rejects.toThrow(
      `${server.url}/taro/rss: an HTML page was served where a feed was expected`,
    );
  });
});

describe('Source::HatenaBookmark: the Atom 0.3 export (dump.htm)', () => {
  const file = join(FIXTURES, 'bookmark-export.atom.htm');

  it('reads issued dates, related links, comments and tags', async () => {
    const feed = await runSource(bookmark, { file: 'bookmark-export.atom.htm' });
    expect(feed).toMatchObject({ id: `file:${file}`, title: 'taroのブックマーク', author: 'taro', link: 'https://b.hatena.ne.jp/taro/' });
    expect(feed.entries.map((e) => [e.title, e.link, e.tags])).toEqual([
      ['静的サイトの作り方', 'https://example.jp/post/42', ['web', 'あとで読む']],
      ['正規表現の基礎', 'https://regex.example.net/basics?lang=ja&page=2', ['regex', 'memo']],
      ['はてなダイアリーのキーワード', 'http://d.hatena.ne.jp/keyword/%a4%cf%a4%c6%a4%ca', ['hatena']],
    ]);
    const [site, regex, keyword] = feed.entries;
    // Same bookmark, same id as from the feed.
    expect(site).toMatchObject({
      id: 'hatena-bookmark#taro:https://example.jp/post/42',
      guid: 'tag:hatena.ne.jp,2005:bookmark-taro-4780000000000000020',
      content: '<p>あとで読む</p>',
      summary: 'あとで読む',
      author: 'taro',
      source: { plugin: 'Source::HatenaBookmark', service: 'hatena', account: 'taro' },
      meta: {
        hatenaBookmark: {
          comment: 'あとで読む',
          permalink: 'https://b.hatena.ne.jp/taro/20260111#bookmark-4780000000000000020',
          bookmarkId: 'tag:hatena.ne.jp,2005:bookmark-taro-4780000000000000020',
        },
      },
    });
    expect(site!.published).toEqual({ epochMs: Date.UTC(2026, 0, 10, 23, 20), kind: 'zoned', precision: 'second', offsetMinutes: 540 });
    // " [regex][memo]comment": the leading space and the bracket tags come off the comment.
    expect(regex).toMatchObject({ summary: '後方参照の説明がわかりやすい', content: '<p>後方参照の説明がわかりやすい</p>' });
    expect(regex!.published?.epochMs).toBe(Date.UTC(2017, 11, 6, 6, 52, 16));
    expect(keyword!.content).toBeUndefined();
    expect(warningsOf(feed)).toEqual([]);
  });

  it('keeps the entries before a cut and says where the file ends', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const text = readFileSync(file, 'utf8');
    const path = join(mkdtempSync(join(tmpdir(), 'hatena-')), 'dump.htm');
    writeFileSync(path, text.slice(0, text.indexOf('<issued>2017')));
    const feed = await runSource(bookmark, { user: 'taro', file: path });
    expect(feed.entries.map((e) => e.title)).toEqual(['静的サイトの作り方']);
    expect(warningsOf(feed)).toEqual([`${path}:23:3: the file ends (line 31) inside this <entry>: the file looks truncated; skipped`]);
  });
});

describe('Source::HatenaBookmark: subscriptions', () => {
  it('claims user feeds on b.hatena.ne.jp, not the service pages', () => {
    expect(bookmark.claims!('https://b.hatena.ne.jp/taro/rss')).toBe(true);
    expect(bookmark.claims!('https://b.hatena.ne.jp/taro/bookmark.rss')).toBe(true);
    expect(bookmark.claims!('http://b.hatena.ne.jp/taro/')).toBe(true);
    expect(bookmark.claims!('https://b.hatena.ne.jp/hotentry/rss')).toBe(false);
    expect(bookmark.claims!('https://b.hatena.ne.jp/entry/rss')).toBe(false);
    expect(bookmark.claims!('https://taro.hatenablog.com/rss')).toBe(false);
    expect(bookmark.configFromUrl!('https://b.hatena.ne.jp/taro/rss')).toEqual({ user: 'taro', url: 'https://b.hatena.ne.jp/taro/rss' });
    expect(bookmark.configFromUrl!('http://b.hatena.ne.jp/taro/')).toEqual({ user: 'taro' });
  });
});
