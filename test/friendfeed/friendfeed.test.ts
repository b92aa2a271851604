import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import friendfeed from '../../src/plugins/source/friendfeed.js';
import type { Entry, Feed } from '../../src/pipeline/model.js';
import type { FriendFeedMeta } from '../../src/plugins/source/friendfeed/entries.js';
import { makeTestContext } from '../helpers/context.js';
import { startServer, type TestServer } from '../helpers/server.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/friendfeed');
const CLIO = join(FIXTURES, 'clio');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const UTC = (y: number, mo: number, d: number, h: number, mi: number, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s);
const zoned = (epochMs: number) => ({ epochMs, kind: 'zoned', precision: 'second', offsetMinutes: 0 });

let server: TestServer | undefined;
const cleanup: string[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-ff-'));
  cleanup.push(dir);
  return dir;
}

async function fetchFriendFeed(config: Record<string, unknown>): Promise<Feed[]> {
  const parsed = friendfeed.config.parse(config);
  const { ctx, close } = await makeTestContext(parsed, { now: UTC(2026, 1, 5, 0, 0) });
  try {
    const result = await friendfeed.fetch({ plugin: friendfeed.name, tags: [], config: parsed as Record<string, unknown> }, ctx);
    return Array.isArray(result) ? result : [result];
  } finally {
    await close();
  }
}

const ff = (entry: Entry) => entry.meta.friendfeed as FriendFeedMeta;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** The v2 API: pages by `start`, as friendfeed-api.com served them. */
async function startV2(pages: Record<string, { status?: number; body: Buffer | string; headers?: Record<string, string> }>): Promise<TestServer> {
  return startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const page = url.pathname === '/v2/feed/taro' ? pages[url.searchParams.get('start') ?? '0'] : undefined;
    if (!page) {
      res.writeHead(404, JSON_HEADERS);
      res.end('{"errorCode": "feed-not-found"}');
      return;
    }
    res.writeHead(page.status ?? 200, page.headers ?? JSON_HEADERS);
    res.end(page.body);
  });
}

describe('Source::FriendFeed, v2 API', () => {
  it('pages with start/num until a short page, and converts every field', async () => {
    server = await startV2({ '0': { body: fixture('v2/taro-start0.json') }, '3': { body: fixture('v2/taro-start3.json') } });
    const [feed] = await fetchFriendFeed({ user: 'taro', base_url: server.url, num: 3, pages: 5, delay: 0 });

    expect(server.requests.map((r) => r.url)).toEqual([
      '/v2/feed/taro?start=0&num=3&maxcomments=&maxlikes=',
      '/v2/feed/taro?start=3&num=3&maxcomments=&maxlikes=',
    ]);
    expect(feed!.id).toBe('friendfeed:taro');
    expect(feed!.title).toBe('Taro Yamada on FriendFeed');
    expect(feed!.link).toBe('https://friendfeed.com/taro');
    expect(feed!.entries.map((e) => e.guid)).toEqual([
      'e/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796',
      'e/0f9e8d7c6b5a49382716f5e4d3c2b1a0',
      'e/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      'e/9a8b7c6d5e4f30211203f4e5d6c7b8a9',
    ]);
    // The entry without a date is named and skipped; the rest are kept.
    expect(feed!.meta.warnings).toEqual([
      `friendfeed: ${server.url}/v2/feed/taro?start=3&num=3&maxcomments=&maxlikes=: entry 2 (id e/1111222233334444555566667777aaaa) skipped: date: Invalid input: expected string, received undefined`,
    ]);

    const [ajisai, tweet, blog] = feed!.entries;
    expect(ajisai!.id).toBe('friendfeed#e/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796');
    expect(ajisai!.title).toBe('紫陽花が咲いた & 雨もやんだ');
    expect(ajisai!.link).toBe('http://friendfeed.com/taro/5c1f0e2a/ajisai-ga-saita');
    expect(ajisai!.author).toBe('Taro Yamada');
    expect(ajisai!.published).toEqual(zoned(UTC(2009, 6, 1, 3, 4, 5)));
    expect(ajisai!.content).toBe(
      '紫陽花が咲いた &amp; 雨もやんだ\n<p class="friendfeed-thumbnails"><a href="http://m.friendfeed-media.com/f0e1d2c3b4a5968778695a4b3c2d1e0f98765432">' +
        '<img src="http://m.friendfeed-media.com/7a1b2c3d4e5f60718293a4b5c6d7e8f901234567" alt="" width="175" height="131" /></a></p>',
    );
    expect(ajisai!.enclosures).toEqual([
      { url: 'http://m.friendfeed-media.com/def4567890abcdef4567890abcdef4567890abcd', type: 'image/jpeg', length: 48213, title: 'ajisai.jpg' },
    ]);
    expect(ajisai!.source).toEqual({
      plugin: 'Source::FriendFeed',
      feedId: 'friendfeed:taro',
      feedTitle: 'Taro Yamada on FriendFeed',
      feedUrl: `${server.url}/v2/feed/taro?start=0&num=3&maxcomments=&maxlikes=`,
      feedLink: 'https://friendfeed.com/taro',
      account: 'taro',
      service: 'friendfeed',
    });
    expect(ff(ajisai!)).toEqual({
      id: 'e/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796',
      url: 'http://friendfeed.com/taro/5c1f0e2a/ajisai-ga-saita',
      from: { id: 'taro', name: 'Taro Yamada' },
      comments: [
        {
          id: 'c/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796/1a2b3c4d',
          date: zoned(UTC(2009, 6, 1, 3, 30)),
          body: 'きれい！ <a rel="nofollow" href="http://hanako.example.jp/">うちのも</a>',
          from: { id: 'hanako', name: 'Hanako' },
        },
        { id: 'c/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796/5e6f7a8b', date: zoned(UTC(2009, 6, 1, 4, 0)), body: 'ありがとう', from: { id: 'taro', name: 'Taro Yamada' } },
      ],
      likes: [
        { date: zoned(UTC(2009, 6, 1, 3, 10)), from: { id: 'hanako', name: 'Hanako' } },
        { date: zoned(UTC(2009, 6, 1, 5, 0)), from: { id: 'jiro', name: 'Jiro' } },
      ],
      thumbnails: [
        { url: 'http://m.friendfeed-media.com/7a1b2c3d4e5f60718293a4b5c6d7e8f901234567', link: 'http://m.friendfeed-media.com/f0e1d2c3b4a5968778695a4b3c2d1e0f98765432' },
      ],
      format: 'v2',
    });

    // Mirrored from Twitter: the entry links to the tweet, so that a merge can join the two copies.
    expect(tweet!.link).toBe('http://twitter.com/taro/statuses/824500123');
    expect(tweet!.title).toBe('梅雨入りしたらしい。');
    expect(tweet!.published).toEqual(zoned(UTC(2008, 5, 30, 12, 34, 56)));
    expect(ff(tweet!).via).toEqual({ name: 'Twitter', url: 'http://twitter.com/taro/statuses/824500123' });
    expect(ff(tweet!).url).toBe('http://friendfeed.com/taro/0f9e8d7c/tsuyu-iri-shita-rashii');

    // Mirrored from a blog: the link in the body on the blog's host is the original post.
    expect(blog!.link).toBe('http://d.hatena.ne.jp/taro/20080530/1212150896');
    expect(ff(blog!).via).toEqual({ name: 'はてなダイアリー', url: 'http://d.hatena.ne.jp/taro/20080530/1212150896' });
    expect(blog!.title).toBe('梅雨入り - http://d.hatena.ne.jp/taro/2008...');
  });

  it('stops at the pages and max_entries caps', async () => {
    server = await startV2({ '0': { body: fixture('v2/taro-start0.json') }, '3': { body: fixture('v2/taro-start3.json') } });
    const [onePage] = await fetchFriendFeed({ user: 'taro', base_url: server.url, num: 3, pages: 1, delay: 0 });
    expect(onePage!.entries).toHaveLength(3);
    expect(server.requests).toHaveLength(1);
    const [capped] = await fetchFriendFeed({ user: 'taro', base_url: server.url, num: 3, pages: 5, max_entries: 2, delay: 0 });
    expect(capped!.entries.map((e) => e.guid)).toEqual(['e/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796', 'e/0f9e8d7c6b5a49382716f5e4d3c2b1a0']);
    expect(server.requests).toHaveLength(2);
  });

  it('stops when the API repeats a page it already gave', async () => {
    server = await startV2({ '0': { body: fixture('v2/taro-start0.json') }, '3': { body: fixture('v2/taro-start0.json') }, '6': { body: fixture('v2/taro-start3.json') } });
    const [feed] = await fetchFriendFeed({ user: 'taro', base_url: server.url, num: 3, pages: 5, delay: 0 });
    expect(feed!.entries).toHaveLength(3);
    expect(server.requests).toHaveLength(2);
    expect(feed!.meta.warnings).toEqual([`friendfeed: ${server.url}/v2/feed/taro?start=3&num=3&maxcomments=&maxlikes= repeated entries already read; paging stopped`]);
  });

  it('renders likes and comments into the content when asked', async () => {
    server = await startV2({ '0': { body: fixture('v2/taro-start0.json') } });
    const [feed] = await fetchFriendFeed({ user: 'taro', base_url: server.url, num: 3, delay: 0, render_comments: true });
    expect(feed!.entries[0]!.content).toContain(
      '<p class="friendfeed-likes">♥ Hanako, Jiro</p>\n<ul class="friendfeed-comments">' +
        '<li><b>Hanako</b>: きれい！ <a rel="nofollow" href="http://hanako.example.jp/">うちのも</a></li>' +
        '<li><b>Taro Yamada</b>: ありがとう</li></ul>',
    );
    // An entry with neither gets nothing appended.
    expect(feed!.entries[1]!.content).toBe('梅雨入りしたらしい。傘がない。');
  });

  it('waits the delay between pages', async () => {
    const arrivals: number[] = [];
    server = await startServer((req, res) => {
      arrivals.push(performance.now());
      const start = new URL(req.url ?? '/', 'http://x').searchParams.get('start');
      res.writeHead(200, JSON_HEADERS);
      res.end(fixture(start === '0' ? 'v2/taro-start0.json' : 'v2/taro-start3.json'));
    });
    await fetchFriendFeed({ user: 'taro', base_url: server.url, num: 3, pages: 2, delay: 0.15 });
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(145);
  });
});

describe('Source::FriendFeed errors', () => {
  it('throws with the URL and the errorCode of a JSON error body', async () => {
    server = await startV2({ '0': { status: 401, body: fixture('v2/error-unauthorized.json') } });
    await expect(fetchFriendFeed({ user: 'taro', base_url: server.url, delay: 0 })).rejects.toThrow(
      `friendfeed: ${server.url}/v2/feed/taro?start=0&num=100&maxcomments=&maxlikes= answered HTTP 401: errorCode "unauthorized" (a private feed: give remote_key, or read your Clio archive with \`archive:\`)`,
    );
  });

  it('keeps the pages read before a page that fails', async () => {
    server = await startV2({
      '0': { body: fixture('v2/taro-start0.json') },
      '3': { status: 200, body: '{"errorCode": "limit-exceeded"}' },
    });
    const [feed] = await fetchFriendFeed({ user: 'taro', base_url: server.url, num: 3, pages: 3, delay: 0 });
    expect(feed!.entries).toHaveLength(3);
    expect(feed!.meta.warnings).toEqual([
      `friendfeed: ${server.url}/v2/feed/taro?start=3&num=3&maxcomments=&maxlikes= answered HTTP 200: errorCode "limit-exceeded" (rate limited: raise \`delay\` or lower \`pages\`); kept the 3 entries of the pages before`,
    ]);
  });

  it('says what came back when the answer is not JSON', async () => {
    server = await startV2({
      '0': { status: 200, body: '<!DOCTYPE html><html><body>FriendFeed is down for maintenance</body></html>', headers: { 'content-type': 'text/html; charset=utf-8' } },
    });
    await expect(fetchFriendFeed({ user: 'taro', base_url: server.url, delay: 0 })).rejects.toThrow(
      `friendfeed: ${server.url}/v2/feed/taro?start=0&num=100&maxcomments=&maxlikes=: not JSON; the body starts with "<!DOCTYPE html><html><body>FriendFeed is down for maintenanc"`,
    );
  });

  it('asks for a user or an archive', () => {
    expect(() => friendfeed.config.parse({})).toThrow('give `user` (read the API) or `archive` (a Clio zip or folder)');
  });
});

describe('Source::FriendFeed, v1 API', () => {
  it('reads the v1 JSON, with the ids the v2 API gives the same entries', async () => {
    server = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(fixture('v1/taro.json'));
    });
    const [feed] = await fetchFriendFeed({ user: 'taro', api: 'v1', base_url: server.url, remote_key: 'kiwi42', delay: 0 });
    expect(server.requests[0]!.url).toBe('/api/feed/user/taro?format=json&start=0&num=100');
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('taro:kiwi42').toString('base64')}`);
    expect(feed!.title).toBe('Taro Yamada on FriendFeed');

    const [tweet, video] = feed!.entries;
    expect(tweet!.id).toBe('friendfeed#e/0f9e8d7c6b5a49382716f5e4d3c2b1a0');
    expect(tweet!.title).toBe('梅雨入りしたらしい。傘がない。');
    expect(tweet!.link).toBe('http://twitter.com/taro/statuses/824500123');
    expect(tweet!.author).toBe('Taro Yamada');
    expect(tweet!.published).toEqual(zoned(UTC(2008, 5, 30, 12, 34, 56)));
    expect(ff(tweet!).via).toEqual({ name: 'Twitter', url: 'http://twitter.com/taro/statuses/824500123' });

    expect(video!.guid).toBe('e/e7c0bdf4b54d4f3a9c2e1d0a9b8c7d6e');
    expect(video!.link).toBe('http://www.youtube.com/watch?v=AbCdEfGhIjK');
    expect(video!.updated).toEqual(zoned(UTC(2008, 7, 25, 16, 0)));
    expect(video!.content).toBe(
      '<a href="http://www.youtube.com/watch?v=AbCdEfGhIjK">雨の日の動画</a>\n<p class="friendfeed-thumbnails">' +
        '<a href="http://www.youtube.com/v/AbCdEfGhIjK"><img src="http://i.ytimg.com/vi/AbCdEfGhIjK/default.jpg" alt="" /></a></p>',
    );
    expect(video!.enclosures).toEqual([{ url: 'http://www.youtube.com/v/AbCdEfGhIjK', type: 'application/x-shockwave-flash', title: '雨の日の動画' }]);
    expect(ff(video!).comments).toEqual([
      { id: '3c2b1a09-8f7e-4d6c-5b4a-392817160504', date: zoned(UTC(2008, 7, 25, 16, 10)), body: 'いい雨', from: { id: 'hanako', name: 'Hanako' } },
    ]);
    expect(ff(video!).likes).toEqual([{ date: zoned(UTC(2008, 7, 25, 16, 20)), from: { id: 'hanako', name: 'Hanako' } }]);
  });
});

/** Zips a fixture folder as Clio did: `taro/_json/data/...` with the images beside. */
async function zipFolder(folder: string, order?: (a: string, b: string) => number): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(folder);
  for (const file of order ? files.sort(order) : files) zip.addBuffer(readFileSync(file), relative(folder, file));
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('Source::FriendFeed, Clio archive', () => {
  const expectClioEntries = (feed: Feed) => {
    expect(feed.id).toBe('friendfeed:taro');
    expect(feed.title).toBe('Taro Yamada on FriendFeed');
    // Newest first; `date` read, Clio's `dateFriendly` (wrong zone) ignored.
    expect(feed.entries.map((e) => [e.id, e.published?.epochMs, e.link])).toEqual([
      ['friendfeed#e/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796', UTC(2009, 6, 1, 3, 4, 5), 'http://friendfeed.com/taro/5c1f0e2a/ajisai-ga-saita'],
      ['friendfeed#e/0a1b2c3d4e5f60718293a4b5c6d7e8f9', UTC(2008, 5, 30, 12, 35, 10), 'http://d.hatena.ne.jp/taro/20080530/1212150896'],
      ['friendfeed#e/0f9e8d7c6b5a49382716f5e4d3c2b1a0', UTC(2008, 5, 30, 12, 34, 56), 'http://twitter.com/taro/statuses/824500123'],
    ]);
    expect(ff(feed.entries[0]!).comments).toHaveLength(2);
    expect(feed.entries[0]!.source).toMatchObject({ account: 'taro', service: 'friendfeed' });
  };

  it('reads the unzipped folder and names the file it cannot parse', async () => {
    const [feed] = await fetchFriendFeed({ archive: CLIO });
    expectClioEntries(feed!);
    const broken = join(CLIO, 'taro/_json/data/entries/deadbeef.js');
    expect(feed!.meta.warnings).toEqual([expect.stringMatching(new RegExp(`^friendfeed: ${broken}: not JSON \\(.*\\); skipped$`))]);
  });

  it('reads the zip', async () => {
    const dir = tempDir();
    const zipPath = join(dir, 'taro.zip');
    writeFileSync(zipPath, await zipFolder(CLIO));
    const [feed] = await fetchFriendFeed({ archive: zipPath });
    expectClioEntries(feed!);
    expect(feed!.meta.warnings).toEqual([expect.stringMatching(new RegExp(`^friendfeed: ${zipPath}:taro/_json/data/entries/deadbeef\\.js: not JSON`))]);
  });

  it('keeps what a truncated zip still holds, and names the zip and where it was cut', async () => {
    const dir = tempDir();
    const zipPath = join(dir, 'taro-partial.zip');
    const whole = await zipFolder(CLIO);
    // Cut in the middle of the third entry file: the central directory and that file are lost.
    const third = whole.indexOf(Buffer.from('taro/_json/data/entries/5c1f0e2a.js'));
    writeFileSync(zipPath, whole.subarray(0, third + 60));
    const [feed] = await fetchFriendFeed({ archive: zipPath });
    expect(feed!.entries.map((e) => e.guid)).toEqual(['e/0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'e/0f9e8d7c6b5a49382716f5e4d3c2b1a0']);
    // feedinfo.js came after the cut: the feed is named after its folder.
    expect(feed!.id).toBe('friendfeed:taro');
    expect(feed!.meta.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^friendfeed: ${zipPath} is damaged or truncated \\(.*\\); read 2 file\\(s\\) from their local headers, the rest is lost from taro/_json/data/entries/5c1f0e2a\\.js on$`,
        ),
      ),
    ]);
  });

  it('throws, naming the file, when nothing can be read from it', async () => {
    const dir = tempDir();
    const notZip = join(dir, 'taro.zip');
    writeFileSync(notZip, '<!DOCTYPE html><html><body>Download expired</body></html>');
    await expect(fetchFriendFeed({ archive: notZip })).rejects.toThrow(
      new RegExp(`^friendfeed: ${notZip} is not a readable zip archive \\(.*\\) and no complete entry could be salvaged$`),
    );
    await expect(fetchFriendFeed({ archive: join(dir, 'missing.zip') })).rejects.toThrow(`friendfeed: cannot read ${join(dir, 'missing.zip')}: ENOENT`);
  });
});
