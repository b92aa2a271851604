import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import plugin from '../../src/plugins/source/twitter-archive.js';
import { openLocalFile } from '../../src/plugins/source/twitter/archive.js';
import type { Entry, Feed, Subscription } from '../../src/pipeline/model.js';
import { makeTestContext } from '../helpers/context.js';
import { zipFolder } from './zip-folder.js';
import yauzl from 'yauzl';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'twitter-archive');
const X2024 = join(FIXTURES, 'x-2024');
const X2020 = join(FIXTURES, 'x-2020');
const GRAILBIRD = join(FIXTURES, 'grailbird-2013');

type Config = z.input<typeof plugin.config>;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kakehashi-twitter-archive-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function importArchive(config: Config): Promise<Feed> {
  const parsed = plugin.config.parse(config);
  const { ctx, close } = await makeTestContext(parsed);
  try {
    const subscription: Subscription = { plugin: plugin.name, tags: [], config: parsed };
    const result = await plugin.fetch(subscription, ctx);
    return Array.isArray(result) ? result[0]! : result;
  } finally {
    await close();
  }
}

function byId(feed: Feed, id: string): Entry {
  const entry = feed.entries.find((candidate) => candidate.guid === id);
  if (!entry) throw new Error(`no tweet ${id} among ${feed.entries.map((e) => e.guid).join(', ')}`);
  return entry;
}

const utc = (...parts: [number, number, number, number, number, number]) => ({
  epochMs: Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]),
  kind: 'zoned',
  precision: 'second',
  offsetMinutes: 0,
});

describe('Source::TwitterArchive, data archive of 2024 (tweets.js + tweets-part1.js)', () => {
  let zip: string;
  let feed: Feed;
  beforeAll(async () => {
    zip = join(work, 'twitter-2024.zip');
    await zipFolder(X2024, zip);
    feed = await importArchive({ path: zip });
  });

  it('reads every tweet of both parts, with the account from the manifest', () => {
    expect(feed.entries.map((entry) => entry.guid)).toEqual([
      '1797192932520890437',
      '1797192680862650436',
      '1797059427824570435',
      '1796889432683450434',
      '1796883124450234433',
      '1105066473157562439',
      '1104578642047930438',
    ]);
    expect(feed.type).toBe('twitter');
    expect(feed.title).toBe('@taro on X');
    expect(feed.link).toBe('https://x.com/taro');
    expect(feed.meta.warnings).toEqual([]);
  });

  it('unescapes &amp; once, links the hashtag, and puts the expanded URL behind its display form after an emoji', () => {
    const entry = byId(feed, '1796883124450234433');
    expect(entry.id).toBe('twitter#1796883124450234433');
    expect(entry.title).toBe('梅雨入り & 傘 #梅雨 🎉taro.hatenablog.com/entry/2024/06…');
    expect(entry.link).toBe('https://x.com/taro/status/1796883124450234433');
    expect(entry.content).toBe(
      '<p>梅雨入り &amp; 傘 <a href="https://x.com/hashtag/%E6%A2%85%E9%9B%A8">#梅雨</a> 🎉' +
        '<a href="https://taro.hatenablog.com/entry/2024/06/01/213000">taro.hatenablog.com/entry/2024/06…</a></p>',
    );
    expect(entry.published).toEqual(utc(2024, 6, 1, 12, 34, 56));
    expect(entry.author).toBe('taro');
    expect(entry.tags).toEqual([]);
    expect(entry.enclosures).toEqual([]);
    expect(entry.source).toMatchObject({ plugin: 'Source::TwitterArchive', account: 'taro', service: 'twitter' });
    expect(entry.meta.twitter).toEqual({
      id: '1796883124450234433',
      kind: 'tweet',
      screen_name: 'taro',
      in_reply_to: null,
      self_thread: false,
      retweet: false,
      favorite_count: 2,
      retweet_count: 1,
      urls: [
        {
          url: 'https://t.co/AbCdEf1234',
          expanded_url: 'https://taro.hatenablog.com/entry/2024/06/01/213000',
          display_url: 'taro.hatenablog.com/entry/2024/06…',
        },
      ],
      hashtags: ['梅雨'],
      mentions: [],
      lang: 'ja',
      client: 'Twitter Web App',
    });
  });

  it('tags a reply to someone else and keeps who it answers', () => {
    const entry = byId(feed, '1796889432683450434');
    expect(entry.tags).toEqual(['reply']);
    expect(entry.title).toBe('@hanako そうですね <3 また明日');
    expect(entry.content).toBe('<p><a href="https://x.com/hanako">@hanako</a> そうですね &lt;3 また明日</p>');
    expect(entry.meta.twitter).toMatchObject({
      kind: 'reply',
      in_reply_to: { status_id: '1796874333189050448', user_id: '22222', screen_name: 'hanako' },
      mentions: ['hanako'],
    });
  });

  it('tags an old-style "RT @user:" as a retweet of that user', () => {
    const entry = byId(feed, '1797059427824570435');
    expect(entry.tags).toEqual(['retweet']);
    expect(entry.title).toBe('RT @hanako: 今日の東京は雨でした。');
    expect(entry.content).toBe(
      '<p>RT <a href="https://x.com/hanako">@hanako</a>: 今日の東京は雨でした。傘を忘れずに！ ' +
        '<a href="https://hanako.example.jp/diary/2024/06/02">hanako.example.jp/diary/2024/06/…</a></p>',
    );
    expect(entry.meta.twitter).toMatchObject({ kind: 'retweet', retweet: true, retweeted_user: 'hanako' });
  });

  it('turns a photo into an enclosure pointing at the file inside the zip, and drops its t.co link from the text', async () => {
    const entry = byId(feed, '1797192680862650436');
    expect(entry.title).toBe('新しい傘を買った');
    expect(entry.content).toBe('<p>新しい傘を買った</p><p><img src="https://pbs.twimg.com/media/GPaBcDeFgH1.jpg" alt="紺色の傘"></p>');
    expect(entry.enclosures).toEqual([
      {
        url: 'https://pbs.twimg.com/media/GPaBcDeFgH1.jpg',
        type: 'image/jpeg',
        localPath: `zip:${zip}!data/tweets_media/1797192680862650436-GPaBcDeFgH1.jpg`,
        title: '紺色の傘',
      },
    ]);
    const bytes: Buffer[] = [];
    for await (const chunk of await openLocalFile(entry.enclosures[0]!.localPath!)) bytes.push(chunk as Buffer);
    expect(Buffer.concat(bytes)).toEqual(readFileSync(join(X2024, 'data/tweets_media/1797192680862650436-GPaBcDeFgH1.jpg')));
    expect(entry.meta.twitter).toMatchObject({ favorite_count: 5, client: 'Twitter for iPhone' });
  });

  it('keeps a reply to the account itself with the tweets, tagged as a thread', () => {
    const entry = byId(feed, '1797192932520890437');
    expect(entry.tags).toEqual(['thread']);
    expect(entry.meta.twitter).toMatchObject({
      kind: 'tweet',
      self_thread: true,
      in_reply_to: { status_id: '1797192680862650436', user_id: '11111', screen_name: 'taro' },
    });
  });

  it('takes the best mp4 of a video, finds its file (readable from the zip), and notes a quoted tweet', async () => {
    const video = byId(feed, '1104578642047930438');
    expect(video.published).toEqual(utc(2019, 3, 10, 3, 4, 5));
    expect(video.title).toBe('動画テスト');
    expect(video.enclosures).toEqual([
      {
        url: 'https://video.twimg.com/ext_tw_video/1104578600000000000/pu/vid/1280x720/HiGhRaTe01.mp4?tag=8',
        type: 'video/mp4',
        localPath: `zip:${zip}!data/tweets_media/1104578642047930438-HiGhRaTe01.mp4`,
      },
    ]);
    expect(video.content).toContain(
      '<video src="https://video.twimg.com/ext_tw_video/1104578600000000000/pu/vid/1280x720/HiGhRaTe01.mp4?tag=8" ' +
        'poster="https://pbs.twimg.com/ext_tw_video_thumb/1104578600000000000/pu/img/AbCdEfGhIjKl.jpg" controls></video>',
    );
    const bytes: Buffer[] = [];
    for await (const chunk of await openLocalFile(video.enclosures[0]!.localPath!)) bytes.push(chunk as Buffer);
    expect(Buffer.concat(bytes)).toEqual(readFileSync(join(X2024, 'data/tweets_media/1104578642047930438-HiGhRaTe01.mp4')));
    await expect(openLocalFile(`zip:${zip}!data/tweets_media/no-such-file.jpg`)).rejects.toThrow(`${zip}: no file data/tweets_media/no-such-file.jpg in the zip`);
    const quote = byId(feed, '1105066473157562439');
    expect(quote.meta.twitter).toMatchObject({ quoted_status_id: '1105045698769850449', kind: 'tweet' });
    expect(quote.content).toBe(
      '<p>これ面白い <a href="https://twitter.com/hanako/status/1105045698769850449">twitter.com/hanako/status/…</a></p>',
    );
  });

  it('reads the same tweets from the unpacked folder, with media as plain file paths', async () => {
    const folderFeed = await importArchive({ path: X2024 });
    expect(folderFeed.entries.map((entry) => entry.guid)).toEqual(feed.entries.map((entry) => entry.guid));
    expect(folderFeed.entries.map((entry) => entry.content)).toEqual(feed.entries.map((entry) => entry.content));
    expect(byId(folderFeed, '1797192680862650436').enclosures[0]!.localPath).toBe(
      join(X2024, 'data', 'tweets_media', '1797192680862650436-GPaBcDeFgH1.jpg'),
    );
  });


  it('reads text written as \\u escapes, wholly or in part, as it reads the same text in UTF-8', async () => {
    const zip = join(work, 'escaped.zip');
    const original = readFileSync(join(X2024, 'data/tweets.js'), 'utf8');
    const escape = (text: string): string => [...text].map((character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const escaped = original
      // Escapes and UTF-8 in one string, and in one tweet.
      .replace('"(続き) 色は紺色です"', `"(${escape('続き')}) 色は紺色です"`)
      .replace('"text" : "梅雨"', `"text" : "${escape('梅雨')}"`)
      .replace('"taro.hatenablog.com/entry/2024/06…"', '"taro.hatenablog.com/entry/2024/06\\u2026"');
    expect(escaped).not.toBe(original);
    await zipFolder(X2024, zip, { replace: { 'data/tweets.js': escaped } });
    const escapedFeed = await importArchive({ path: zip });
    const shown = (entry: Entry) => ({ title: entry.title, content: entry.content, meta: entry.meta });
    expect(escapedFeed.entries.map(shown)).toEqual(feed.entries.map(shown));
    expect(byId(escapedFeed, '1797192932520890437').title).toBe('(続き) 色は紺色です');
  });
  it('finds the archive under a top folder when the user re-zipped it', async () => {
    const nested = join(work, 'nested.zip');
    await zipFolder(X2024, nested, { root: 'twitter-2024-06-10-abcdef/' });
    const nestedFeed = await importArchive({ path: nested });
    expect(nestedFeed.entries).toHaveLength(7);
    expect(byId(nestedFeed, '1797192680862650436').enclosures[0]!.localPath).toBe(
      `zip:${nested}!twitter-2024-06-10-abcdef/data/tweets_media/1797192680862650436-GPaBcDeFgH1.jpg`,
    );
  });

  it('keeps only the kinds the recipe includes', async () => {
    const own = await importArchive({ path: zip, include: ['tweets'] });
    expect(own.entries.map((entry) => entry.guid)).toEqual([
      '1797192932520890437',
      '1797192680862650436',
      '1796883124450234433',
      '1105066473157562439',
      '1104578642047930438',
    ]);
    const retweets = await importArchive({ path: zip, include: ['retweets'] });
    expect(retweets.entries.map((entry) => entry.guid)).toEqual(['1797059427824570435']);
  });

  it('gives every entry the one frozen empty list, so that 100,000 tweets do not carry 400,000 empty arrays', () => {
    const [first, second] = feed.entries as [Entry, Entry];
    expect(first.via).toEqual([]);
    expect(first.via).toBe(second.via);
    expect(first.parts).toBe(second.via);
    expect(Object.isFrozen(first.via)).toBe(true);
    // Pushing fails loudly: a plugin gives the entry a new list instead.
    expect(() => (first.via as unknown[]).push({})).toThrow(TypeError);
    expect(JSON.parse(JSON.stringify(first)).via).toEqual([]);
  });
});

describe('Source::TwitterArchive, older layouts', () => {
  it('reads the 2020 layout: tweet.js with YTD.tweet.part0, elements without the "tweet" wrapper, tweet_media/', async () => {
    const zip = join(work, 'twitter-2020.zip');
    await zipFolder(X2020, zip);
    const feed = await importArchive({ path: zip });
    expect(feed.entries.map((entry) => entry.guid)).toEqual(['1294899191608250441', '1294514154501050440']);
    const homework = byId(feed, '1294899191608250441');
    expect(homework.title).toBe('#夏休み の宿題 > 自由研究');
    expect(homework.content).toBe('<p><a href="https://x.com/hashtag/%E5%A4%8F%E4%BC%91%E3%81%BF">#夏休み</a> の宿題 &gt; 自由研究</p>');
    expect(homework.published).toEqual(utc(2020, 8, 16, 7, 30, 0));
    const fireworks = byId(feed, '1294514154501050440');
    expect(fireworks.link).toBe('https://x.com/taro/status/1294514154501050440');
    expect(fireworks.enclosures).toEqual([
      {
        url: 'https://pbs.twimg.com/media/EfTuVwXyZ12.png',
        type: 'image/png',
        localPath: `zip:${zip}!data/tweet_media/1294514154501050440-EfTuVwXyZ12.png`,
      },
    ]);
  });

  it('reads a Grailbird archive: monthly files, Grailbird dates, native retweets in full, pre-t.co links', async () => {
    const zip = join(work, 'grailbird.zip');
    await zipFolder(GRAILBIRD, zip);
    const feed = await importArchive({ path: zip });
    expect(feed.meta.twitterArchive).toMatchObject({ layout: 'grailbird', account: { screenName: 'taro', userId: '11111' } });
    expect(feed.entries.map((entry) => entry.guid)).toEqual(['822000000', '287578269283258451', '287016261907386450']);

    const first = byId(feed, '822000000');
    expect(first.published).toEqual(utc(2008, 5, 30, 12, 34, 56));
    expect(first.link).toBe('https://x.com/taro/status/822000000');
    expect(first.content).toBe(
      '<p>はじめてのついーと &amp; テスト <a href="http://d.hatena.ne.jp/taro/20080530/1212150896">http://d.hatena.ne.jp/taro/20080530/1212150896</a> です</p>',
    );

    const reply = byId(feed, '287578269283258451');
    expect(reply.tags).toEqual(['reply']);
    expect(reply.published).toEqual(utc(2013, 1, 5, 15, 16, 17));
    expect(reply.content).toBe(
      '<p><a href="https://x.com/hanako">@hanako</a> <a href="https://x.com/hashtag/%E6%96%B0%E5%B9%B4">#新年</a> あけましておめでとう！ 写真は ' +
        '<a href="http://taro.example.jp/2013/01/05/new-year.html">taro.example.jp/2013/01/05/new…</a></p>',
    );
    expect(reply.meta.twitter).toMatchObject({
      in_reply_to: { status_id: '287000000000000000', user_id: '22222', screen_name: 'hanako' },
      urls: [{ url: 'http://t.co/NeWyEaR13', expanded_url: 'http://taro.example.jp/2013/01/05/new-year.html' }],
      client: 'Twitter for iPhone',
    });

    const retweet = byId(feed, '287016261907386450');
    expect(retweet.tags).toEqual(['retweet']);
    expect(retweet.content).toBe(
      '<p>RT <a href="https://x.com/hanako">@hanako</a>: 今年の抱負：毎日日記を書く &amp; 早起きする。三日坊主にならないように頑張ります。みなさんも一緒にどうですか？ずっと続けられたらいいな。</p>',
    );
    expect(retweet.meta.twitter).toMatchObject({ retweeted_user: 'hanako', retweeted_status_id: '286955092177850450' });
  });
});

describe('Source::TwitterArchive, bad input', () => {
  it.each([
    ['sizes in the local headers', false],
    ['sizes after the data (data descriptors)', true],
  ])('reads a zip cut short from its start (%s): whole files kept, the cut file up to the cut, and says where', async (_label, streamed) => {
    const whole = join(work, `whole-${streamed}.zip`);
    await zipFolder(X2024, whole, { streamed });
    const zipfile = await yauzl.openPromise(whole, { lazyEntries: true });
    let cutAt = 0;
    for await (const member of zipfile.eachEntry()) {
      if (member.fileName === 'data/tweets.js') {
        cutAt = member.relativeOffsetOfLocalHeader + 30 + member.fileNameLength + Math.floor(member.compressedSize * 0.7);
      }
    }
    zipfile.close();
    const cut = join(work, `cut-${streamed}.zip`);
    await zipFolder(X2024, cut, { streamed, truncateTo: cutAt });
    const feed = await importArchive({ path: cut });
    const guids = feed.entries.map((entry) => entry.guid);
    // tweets-part1.js comes before tweets.js in the zip: it arrived whole.
    expect(guids.slice(-2)).toEqual(['1105066473157562439', '1104578642047930438']);
    const fromCutFile = guids.slice(0, -2);
    expect(fromCutFile.length).toBeGreaterThan(0);
    expect(fromCutFile).toEqual(
      ['1797192932520890437', '1797192680862650436', '1797059427824570435', '1796889432683450434'].slice(0, fromCutFile.length),
    );
    const warnings = feed.meta.warnings as string[];
    expect(warnings[0]).toMatch(
      new RegExp(
        `^${escapeRegExp(cut)}: not a complete zip file \\(${cutAt} bytes, no table of contents at the end\\): the download was probably cut short; ` +
          `read from its start instead: 6 files arrived, the last one \\(data/tweets\\.js\\) cut off after \\d+ of its bytes$`,
      ),
    );
    expect(warnings[1]).toMatch(
      new RegExp(
        `^${escapeRegExp(cut)}!data/tweets\\.js:\\d+:\\d+: cannot be read past this point \\(unexpected end of file\\) \\(${fromCutFile.length} items read before it\\)$`,
      ),
    );
    expect(warnings).toHaveLength(2);
  });

  it('fails with the path when a cut zip holds nothing readable', async () => {
    const cut = join(work, 'cut-early.zip');
    await zipFolder(X2024, cut, { truncateTo: 20 });
    await expect(importArchive({ path: cut })).rejects.toThrow(`${cut}: not a complete zip file (20 bytes, no table of contents at the end)`);
  });

  it('reads a tweets.js that lost its window.YTD prefix, and says so', async () => {
    const zip = join(work, 'no-prefix.zip');
    const original = readFileSync(join(X2024, 'data/tweets.js'), 'utf8');
    await zipFolder(X2024, zip, { replace: { 'data/tweets.js': original.slice(original.indexOf('[')) } });
    const feed = await importArchive({ path: zip });
    expect(feed.entries).toHaveLength(7);
    expect(feed.meta.warnings).toEqual([
      `${zip}!data/tweets.js:1:1: expected \`window.YTD.tweets.part0 = [\` at the start of the file; read it as a bare JSON array`,
    ]);
  });

  it('reports a file that is not an export (an HTML page) with its place, and keeps the other part', async () => {
    const zip = join(work, 'html-part.zip');
    await zipFolder(X2024, zip, { replace: { 'data/tweets-part1.js': '<!DOCTYPE html>\n<html><body>Rate limit exceeded</body></html>\n' } });
    const feed = await importArchive({ path: zip });
    expect(feed.entries).toHaveLength(5);
    expect(feed.meta.warnings).toEqual([
      `${zip}!data/tweets-part1.js:1:1: expected \`window.YTD.tweets.part1 = [\` at the start, found \`<!DOCTYPE html> <html><body>Rate limit e…\``,
    ]);
  });

  it('skips a malformed tweet object, naming the file and the item, and keeps the rest', async () => {
    const zip = join(work, 'malformed.zip');
    const original = readFileSync(join(X2024, 'data/tweets.js'), 'utf8');
    const broken = original
      .replace('"id_str" : "1797059427824570435"', '"id_str" : null')
      .replace('"id" : "1797059427824570435"', '"id" : "not-an-id"');
    await zipFolder(X2024, zip, { replace: { 'data/tweets.js': broken } });
    const feed = await importArchive({ path: zip });
    expect(feed.entries).toHaveLength(6);
    expect(feed.entries.some((entry) => entry.guid === '1797059427824570435')).toBe(false);
    expect(feed.meta.warnings).toEqual([`${zip}!data/tweets.js item 3: skipped, no usable "id_str" or "id" ("not-an-id")`]);
  });

  it('places a JSON syntax error by line and column, skips only that tweet and keeps all the others', async () => {
    const zip = join(work, 'syntax.zip');
    const original = readFileSync(join(X2024, 'data/tweets.js'), 'utf8');
    // Break the fourth tweet: a missing comma after `"retweeted" : false`.
    const fourth = original.indexOf('"id_str" : "1796889432683450434"');
    const at = original.lastIndexOf('"retweeted" : false,', fourth);
    const broken = original.slice(0, at) + '"retweeted" : false' + original.slice(at + '"retweeted" : false,'.length);
    // The missing comma is noticed at the next key, `"source"`, on the following line.
    const line = original.slice(0, at).split('\n').length + 1;
    const column = original.split('\n')[line - 1]!.indexOf('"source"') + 1;
    await zipFolder(X2024, zip, { replace: { 'data/tweets.js': broken } });
    const feed = await importArchive({ path: zip });
    expect(feed.entries.map((entry) => entry.guid)).toEqual([
      '1797192932520890437',
      '1797192680862650436',
      '1797059427824570435',
      '1796883124450234433',
      '1105066473157562439',
      '1104578642047930438',
    ]);
    expect(feed.meta.warnings).toEqual([`${zip}!data/tweets.js:${line}:${column}: item 4 skipped, JSON syntax error: expected ','`]);
  });

  it('keeps the tweets of a file cut off in the middle of an item', async () => {
    const zip = join(work, 'cut-file.zip');
    const original = readFileSync(join(X2024, 'data/tweets.js'), 'utf8');
    const cutAt = original.indexOf('"tweet"', original.indexOf('"id_str" : "1797059427824570435"'));
    await zipFolder(X2024, zip, { replace: { 'data/tweets.js': original.slice(0, cutAt) } });
    const feed = await importArchive({ path: zip });
    expect(feed.entries.map((entry) => entry.guid)).toEqual([
      '1797192932520890437',
      '1797192680862650436',
      '1797059427824570435',
      '1105066473157562439',
      '1104578642047930438',
    ]);
    // The place is the end of the JSON: the spaces after it are not read.
    const lines = original.slice(0, cutAt).trimEnd().split('\n');
    expect(feed.meta.warnings).toEqual([
      `${zip}!data/tweets.js:${lines.length}:${lines.at(-1)!.length + 1}: the file ends in the middle of an item: was it cut short? (3 items read before it)`,
    ]);
  });

  it('fails with the path when the file is not an archive of tweets at all', async () => {
    await expect(importArchive({ path: join(work, 'missing.zip') })).rejects.toThrow(`${join(work, 'missing.zip')}: cannot open the archive`);
    await expect(importArchive({ path: join(FIXTURES, 'x-2024', 'data', 'tweets_media') })).rejects.toThrow(
      'this is not a Twitter/X archive',
    );
  });
});
