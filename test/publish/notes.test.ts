import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import notes from '../../src/plugins/publish/notes.js';
import { blogPost, feedOf, tweet } from './entries.js';
import { publishHarness } from './harness.js';

function items(xml: string) {
  const $ = cheerio.load(xml, { xml: true });
  return $('item')
    .toArray()
    .map((item) => ({
      title: $(item).children('title').text(),
      link: $(item).children('link').text(),
      guid: $(item).children('guid').text(),
      pubDate: $(item).children('pubDate').text(),
      body: $(item).children('content\\:encoded').text(),
    }));
}

describe('Publish::Notes', () => {
  const status = tweet('1797000000000000001', '梅雨入り &amp; 傘 ☔ <a href="/hashtag/梅雨">#梅雨</a>', '2024-06-01T12:34:56Z');

  it('writes a notes feed: a title on every note, full bodies with absolute URLs, a 原文 link, JST dates', async () => {
    const harness = await publishHarness(notes, { title: 'taroのノート' });
    try {
      const post = blogPost(1);
      const { result, failed } = await harness.run([feedOf([post, status])]);
      expect(failed).toEqual([]);
      const rssPath = join(harness.stateDir, 'out', 'notes.rss');
      expect(result && result.outputs).toEqual([rssPath, join(harness.stateDir, 'out', 'notes.atom')]);
      const rss = readFileSync(rssPath, 'utf8');
      expect(rss.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
      const [newest, older] = items(rss);
      expect(newest).toMatchObject({ title: '初詣に行った (1)', link: post.link, guid: post.id, pubDate: 'Thu, 01 Jan 2026 21:34:12 +0900' });
      expect(newest!.body).toContain('<a href="https://taro.hatenablog.com/entry/2025/12/31/235959">年越し</a>');
      expect(newest!.body).toContain('<img src="https://taro.hatenablog.com/images/omikuji-1.jpg" alt="おみくじ">');
      expect(newest!.body).toContain(`<p><a href="${post.link}">原文</a></p>`);
      // The tweet had no title of its own: the note's title is cut from its text.
      expect(older).toMatchObject({ title: '梅雨入り & 傘 ☔ #梅雨', pubDate: 'Sat, 01 Jun 2024 21:34:56 +0900' });
      expect(older!.body).toContain(`<a href="https://twitter.com/hashtag/${encodeURIComponent('梅雨')}">#梅雨</a>`);
      const atom = readFileSync(join(harness.stateDir, 'out', 'notes.atom'), 'utf8');
      expect(atom).toContain('<published>2026-01-01T21:34:12+09:00</published>');
      expect(atom).toContain('<title type="text">梅雨入り &amp; 傘 ☔ #梅雨</title>');
    } finally {
      await harness.close();
    }
  });

  it('keeps the notes of earlier runs in the feed, each once', async () => {
    const harness = await publishHarness(notes, {});
    try {
      await harness.run([feedOf([blogPost(1), blogPost(2)])]);
      await harness.run([feedOf([blogPost(2), blogPost(3)])]);
      const rss = readFileSync(join(harness.stateDir, 'out', 'notes.rss'), 'utf8');
      expect(items(rss).map((i) => i.title)).toEqual(['初詣に行った (3)', '初詣に行った (2)', '初詣に行った (1)']);
    } finally {
      await harness.close();
    }
  });

  it('writes one Markdown file per entry with front matter, for a static site', async () => {
    const harness = await publishHarness(notes, { feed: false, files: { dir: 'site/content/notes' } });
    try {
      const post = blogPost(2);
      const { result } = await harness.run([feedOf([post, status])]);
      const dir = join(harness.stateDir, 'site/content/notes');
      expect(result && result.outputs).toEqual([`${dir}/ (2 md files)`]);
      const files = readdirSync(dir).sort();
      expect(files).toHaveLength(2);
      expect(files[0]).toMatch(/^2024-06-01-[0-9a-f]{10}\.md$/);
      expect(files[1]).toMatch(/^2026-01-02-[0-9a-f]{10}\.md$/);
      const text = readFileSync(join(dir, files[1]!), 'utf8');
      const [, frontMatter, body] = /^---\n([\s\S]*?)---\n\n([\s\S]*)$/.exec(text)!;
      expect(parseYaml(frontMatter!)).toEqual({
        title: '初詣に行った (2)',
        date: '2026-01-02T21:34:12+09:00',
        original: post.link,
        id: post.id,
        author: 'taro',
        tags: ['日記'],
        source: 'hatena',
      });
      expect(body).toContain('近所の神社で[年越し](https://taro.hatenablog.com/entry/2025/12/31/235959)のあと、おみくじを引いた。');
      expect(body).toContain('![おみくじ](https://taro.hatenablog.com/images/omikuji-2.jpg)');
      expect(body!.trim().endsWith(`[原文](${post.link})`)).toBe(true);
    } finally {
      await harness.close();
    }
  });

  it('writes HTML files when asked, with the same front matter', async () => {
    const harness = await publishHarness(notes, { feed: false, files: { dir: 'notes-html', format: 'html' } });
    try {
      await harness.run([feedOf([status])]);
      const dir = join(harness.stateDir, 'notes-html');
      const [file] = readdirSync(dir);
      expect(file).toMatch(/^2024-06-01-[0-9a-f]{10}\.html$/);
      const text = readFileSync(join(dir, file!), 'utf8');
      const [, frontMatter] = /^---\n([\s\S]*?)---\n/.exec(text)!;
      expect(parseYaml(frontMatter!)).toMatchObject({ title: '梅雨入り & 傘 ☔ #梅雨', date: '2024-06-01T21:34:56+09:00' });
      expect(text).toContain('<p><a href="https://twitter.com/taro/status/1797000000000000001">原文</a></p>');
    } finally {
      await harness.close();
    }
  });
});
