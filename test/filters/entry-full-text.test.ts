import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import fullText from '../../src/plugins/filter/entry-full-text.js';
import { extractArticle } from '../../src/plugins/filter/entry-full-text/extract.js';
import { SITE_RULES } from '../../src/plugins/filter/entry-full-text/sites.js';
import type { Entry, Feed } from '../../src/pipeline/model.js';
import { makeTestContext } from '../helpers/context.js';
import { serveFiles, type TestServer } from '../helpers/server.js';
import { entryOf, feedOf } from '../rules/make.js';

const FIXTURES = new URL('../fixtures/fulltext/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));
const HTML = { 'content-type': 'text/html; charset=utf-8' };

let server: TestServer;
let stateDir: string;

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'kakehashi-fulltext-'));
  server = await serveFiles({
    '/entry/2008/05/30/213400': { body: fixture('hatenablog-entry.html'), headers: HTML },
    '/2008/05/why-feeds': { body: fixture('generic-article.html'), headers: { ...HTML, 'last-modified': 'Fri, 30 May 2008 12:00:00 GMT' } },
    '/members/only': { body: fixture('menu-only.html'), headers: HTML },
    '/diary/20030530.html': { body: fixture('sjis-diary.html'), headers: { 'content-type': 'text/html' } },
    '/photo.jpg': { body: Buffer.from([0xff, 0xd8, 0xff]), headers: { 'content-type': 'image/jpeg' } },
  });
});

afterEach(async () => {
  await server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

async function upgrade(entries: Entry[], config: Record<string, unknown> = {}): Promise<Feed> {
  const { ctx, close } = await makeTestContext(fullText.config.parse(config), { stateDir });
  try {
    return await fullText.feed!(feedOf('f', entries), ctx);
  } finally {
    await close();
  }
}

function text(html: string | undefined): string {
  return cheerio.load(html ?? '').text().replace(/\s+/g, ' ').trim();
}

describe('extractArticle', () => {
  it('uses the site rule for a Hatena Blog page and drops stars and share buttons', () => {
    const url = 'https://taro.hatenablog.com/entry/2008/05/30/213400';
    const article = extractArticle(fixture('hatenablog-entry.html').toString('utf8'), url, SITE_RULES)!;
    expect(article.method).toBe('site:hatenablog.com');
    expect(article.title).toBe('梅雨入りの京都を歩いた - 太郎の日記');
    expect(text(article.html)).toBe(
      '梅雨入りした京都を一日歩いた。鴨川の水が増えていて、傘を持つ手が冷たかった。 三条から四条まで、川沿いの道を下った。昨日の記事に書いた店にも寄った。 夜は雨が強くなった。明日は晴れるらしい。',
    );
    expect(article.html).toContain('<a href="https://taro.hatenablog.com/entry/2008/05/29/200000">昨日の記事</a>');
    expect(article.html).toContain('20080530123456.jpg');
  });

  it('guesses the article of an unknown site, leaving out menus, sidebars, comments and share links', () => {
    const article = extractArticle(fixture('generic-article.html').toString('utf8'), 'https://notes.example.com/2008/05/why-feeds', SITE_RULES)!;
    expect(article.method).toBe('generic');
    const body = text(article.html);
    expect(body).toMatch(/^Why feed readers still matter By Jane, 30 May 2008 Feeds let you follow a site/);
    expect(body).toMatch(/Here is how I set mine up\.$/);
    for (const noise of ['Recent posts', 'Great post', 'Share on', 'All rights reserved', 'Archive']) expect(body).not.toContain(noise);
    expect(article.html).toContain('<img src="https://notes.example.com/2008/05/images/reader.png"');
    expect(article.html).toContain('href="https://notes.example.com/2008/05/setup"');
  });

  it('finds nothing in a page without an article', () => {
    expect(extractArticle(fixture('menu-only.html').toString('utf8'), 'https://example.com/members/only', SITE_RULES)).toBeUndefined();
  });
});

describe('Filter::EntryFullText', () => {
  const excerpt = (id: string, path: string, fields: Partial<Entry> = {}) =>
    entryOf({ id, title: `entry ${id}`, link: `${server.url}${path}`, content: '<p>最初の一文だけ…</p>', ...fields });

  it('replaces an excerpt with the page\'s article and keeps the excerpt as the summary', async () => {
    const entry = excerpt('a', '/2008/05/why-feeds', { title: '' });
    const [out] = (await upgrade([entry])).entries;
    expect(text(out!.content)).toContain('They are also a contract');
    expect(out!.summary).toBe('<p>最初の一文だけ…</p>');
    expect(out!.title).toBe('Why feed readers still matter | Example Notes');
    // An entry without a date takes the page's Last-Modified.
    expect(out!.published?.epochMs).toBe(Date.UTC(2008, 4, 30, 12));
  });

  it('applies a site rule given in the recipe', async () => {
    const sites = [{ domain: '127.0.0.1', path: '/entry/', selector: '.entry-content', remove: ['.hatena-star-container', '.social-buttons'] }];
    const [out] = (await upgrade([excerpt('h', '/entry/2008/05/30/213400')], { sites })).entries;
    expect(text(out!.content)).toMatch(/^梅雨入りした京都を一日歩いた。.*明日は晴れるらしい。$/);
  });

  it('reads a Shift_JIS page through the shared decoder', async () => {
    const [out] = (await upgrade([excerpt('s', '/diary/20030530.html')])).entries;
    expect(text(out!.content)).toContain('夕方、古本屋で文庫本を三冊買った。');
    expect(text(out!.content)).not.toContain('お客様');
  });

  it('keeps the original when the page has no article, is missing or is not HTML, and goes on with the rest', async () => {
    const entries = [excerpt('menu', '/members/only'), excerpt('gone', '/no/such/page'), excerpt('jpg', '/photo.jpg'), excerpt('ok', '/2008/05/why-feeds')];
    const out = (await upgrade(entries)).entries;
    expect(out.slice(0, 3)).toEqual(entries.slice(0, 3));
    expect(text(out[3]!.content)).toContain('Feeds let you follow a site');
  });

  it('leaves complete bodies alone unless forced, and remembers pages per URL', async () => {
    const complete = excerpt('long', '/2008/05/why-feeds', { content: `<p>${'全文がある。'.repeat(100)}</p>` });
    expect((await upgrade([complete])).entries[0]).toBe(complete);
    expect(server.requests).toHaveLength(0);
    const forced = (await upgrade([complete], { force: true })).entries[0]!;
    expect(text(forced.content)).toContain('Feeds let you follow a site');
    expect(server.requests).toHaveLength(1);
    await upgrade([excerpt('again', '/2008/05/why-feeds'), excerpt('menu', '/members/only')]);
    await upgrade([excerpt('menu', '/members/only')]);
    // The article came from the cache; the page without one was asked once and then left alone.
    expect(server.requests.map((r) => r.url)).toEqual(['/2008/05/why-feeds', '/members/only']);
  });
});
