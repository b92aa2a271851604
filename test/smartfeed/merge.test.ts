import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Entry, EntrySource, Feed } from '../../src/pipeline/model.js';
import { DEFAULT_MERGE_OPTIONS, mergeFeeds } from '../../src/plugins/smartfeed/merge/merge-entries.js';
import { expandEntries, expandFeeds } from '../../src/plugins/smartfeed/expand.js';
import { BLOG, entryOf, feedOf, FRIENDFEED, TWITTER, when } from '../rules/make.js';

const POST_URL = 'https://taro.hatenablog.com/entry/2008/05/30/213400';
const TWEET_URL = 'https://twitter.com/taro/status/824000001';

const post = entryOf({
  id: 'blog#1',
  title: '梅雨入りの京都を歩いた',
  link: POST_URL,
  content: '<p>梅雨入りした京都を一日歩いた。鴨川の水が増えていて、傘を持つ手が冷たかった。</p>',
  published: when('2008-05-30T21:34:00+09:00'),
  tags: ['日記'],
});
const tweet = entryOf(
  {
    id: 'twitter#824000001',
    title: 'ブログ書いた: 梅雨入りの京都を歩いた https://t.co/AbCdEf1234',
    link: TWEET_URL,
    content: 'ブログ書いた: 梅雨入りの京都を歩いた <a href="https://t.co/AbCdEf1234">taro.hatenablog.com/entry/2008/05…</a>',
    published: when('2008-05-30T21:40:00+09:00'),
    tags: ['blog'],
    meta: {
      twitter: {
        urls: [{ url: 'https://t.co/AbCdEf1234', expanded_url: POST_URL, display_url: 'taro.hatenablog.com/entry/2008/05…' }],
      },
    },
  },
  TWITTER,
);
const friendfeedOfTweet = entryOf(
  {
    id: 'friendfeed#e1',
    title: 'ブログ書いた: 梅雨入りの京都を歩いた',
    link: TWEET_URL.replace('https://twitter.com', 'http://twitter.com'),
    published: when('2008-05-30T21:41:00+09:00'),
    meta: { friendfeed: { via: { name: 'Twitter', url: 'https://twitter.com/' } } },
  },
  FRIENDFEED,
);
const friendfeedOfPost = entryOf(
  {
    id: 'friendfeed#e2',
    title: '梅雨入りの京都を歩いた',
    link: `${POST_URL}?utm_source=friendfeed&utm_medium=feed`,
    published: when('2008-05-30T21:45:00+09:00'),
    meta: { friendfeed: { via: { name: 'Blog', url: 'https://taro.hatenablog.com/' } } },
  },
  FRIENDFEED,
);
const unrelatedTweet = entryOf(
  {
    id: 'twitter#824000002',
    title: '@hanako 傘を忘れた',
    link: 'https://twitter.com/taro/status/824000002',
    published: when('2008-05-30T22:00:00+09:00'),
  },
  TWITTER,
);

function feedsOf(...entries: Entry[]): Feed[] {
  const bySource = new Map<string, Entry[]>();
  for (const entry of entries) bySource.set(entry.source.feedId, [...(bySource.get(entry.source.feedId) ?? []), entry]);
  return [...bySource].map(([id, list]) => feedOf(id, list));
}

function allEntries(feeds: Feed[]): Entry[] {
  return feeds.flatMap((feed) => feed.entries);
}

describe('SmartFeed::Merge', () => {
  it('merges a blog post, the tweet announcing it with a t.co link, and FriendFeed copies of both', () => {
    const { feeds, merged } = mergeFeeds(feedsOf(post, tweet, friendfeedOfTweet, friendfeedOfPost, unrelatedTweet));
    const out = allEntries(feeds);
    expect(merged).toBe(3);
    expect(out.map((e) => e.id)).toEqual(['blog#1', 'twitter#824000002']);
    const one = out[0]!;
    // The blog leads: its feed is on the permalink's domain.
    expect(one.link).toBe(POST_URL);
    expect(one.title).toBe(post.title);
    expect(one.content).toBe(post.content);
    expect(one.via.map((v) => v.source.service)).toEqual(['twitter', 'friendfeed', 'friendfeed']);
    expect(one.via.map((v) => v.entryId)).toEqual(['twitter#824000001', 'friendfeed#e1', 'friendfeed#e2']);
    expect(one.via[0]!.link).toBe(TWEET_URL);
    expect(one.parts).toEqual([post, tweet, friendfeedOfTweet, friendfeedOfPost]);
    expect(one.tags).toEqual(['日記', 'blog']);
  });

  it('merges the same URL with and without utm parameters', () => {
    const bookmark = entryOf(
      { id: 'hb#1', title: '梅雨入りの京都を歩いた', link: `http://taro.hatenablog.com/entry/2008/05/30/213400/?utm_source=hatena&fbclid=x`, published: when('2008-05-31T09:00:00+09:00') },
      { plugin: 'Source::Feed', feedId: 'https://b.hatena.ne.jp/taro/rss', feedLink: 'https://b.hatena.ne.jp/taro/', service: 'hatena-bookmark' },
    );
    const { feeds } = mergeFeeds(feedsOf(bookmark, post));
    const out = allEntries(feeds);
    expect(out).toHaveLength(1);
    // Even listed first and carrying more text, the bookmark does not lead: the blog owns the page.
    expect(out[0]!.id).toBe('blog#1');
    expect(out[0]!.via.map((v) => v.entryId)).toEqual(['hb#1']);
  });

  it('gives a merged entry led by a mirror its link without campaign parameters', () => {
    const bookmark = entryOf(
      { id: 'hb#2', title: '梅雨入りの京都を歩いた', link: `${POST_URL}?fbclid=x&utm_source=hatena`, published: when('2008-05-31T09:00:00+09:00') },
      { plugin: 'Source::Feed', feedId: 'https://b.hatena.ne.jp/taro/rss', feedLink: 'https://b.hatena.ne.jp/taro/', service: 'hatena-bookmark' },
    );
    const { feeds } = mergeFeeds(feedsOf(friendfeedOfPost, bookmark));
    const [merged] = allEntries(feeds);
    expect(merged!.via).toHaveLength(1);
    expect(merged!.link).toBe(POST_URL);
    // The copies keep their links as they came.
    expect(merged!.parts.map((part) => part.link)).toEqual(expect.arrayContaining([friendfeedOfPost.link, bookmark.link]));
  });

  it('without a URL in common, merges near-duplicate text from another source and nothing else', () => {
    const mixiCopy = entryOf(
      {
        id: 'mixi#1',
        title: '梅雨入りの京都を歩いた',
        link: 'https://mixi.jp/view_diary.pl?id=1&owner_id=2',
        // Same text, other markup, full-width punctuation, one word changed.
        content: '梅雨入りした京都を一日歩いた！ 鴨川の水が増えていて、傘を持つ手が冷たかったです。',
        published: when('2008-05-31T07:00:00+09:00'),
      },
      { plugin: 'Source::Mixi', feedId: 'mixi:taro', feedLink: 'https://mixi.jp/', service: 'mixi' },
    );
    const otherDay = { ...post, id: 'blog#2', link: `${POST_URL}-2`, content: '<p>晴れた京都で鴨川沿いを走った。汗をかいて気持ちよかった一日だった。</p>' };
    const { feeds } = mergeFeeds(feedsOf(post, otherDay, mixiCopy));
    const out = allEntries(feeds);
    expect(out.map((e) => e.id)).toEqual(['blog#1', 'blog#2']);
    expect(out[0]!.via.map((v) => v.entryId)).toEqual(['mixi#1']);
    expect(out[0]!.meta.merge).toMatchObject({ matchedBy: ['text'] });
  });

  it('does not merge one source repeating itself, texts too short, or copies far apart in time', () => {
    const morning = (id: string, day: string, source: EntrySource = TWITTER) =>
      entryOf({ id, title: 'おはようございます。今日も一日がんばりましょう。天気は晴れ、気温は二十度の予報です。', published: when(`${day}T07:00:00+09:00`) }, source);
    const { merged } = mergeFeeds(feedsOf(morning('t1', '2008-05-30'), morning('t2', '2008-05-31')));
    expect(merged).toBe(0);
    const short = (id: string, source: EntrySource) => entryOf({ id, title: 'おはよう', published: when('2008-05-30T07:00:00+09:00') }, source);
    expect(mergeFeeds(feedsOf(short('a', TWITTER), short('b', FRIENDFEED))).merged).toBe(0);
    expect(mergeFeeds(feedsOf(morning('c', '2008-05-01'), morning('d', '2008-05-30', FRIENDFEED))).merged).toBe(0);
    expect(mergeFeeds(feedsOf(morning('e', '2008-05-30'), morning('f', '2008-05-30', FRIENDFEED))).merged).toBe(1);
  });

  it('without an owner, the older copy leads, then the longer body', () => {
    const source = (name: string): EntrySource => ({ plugin: 'Source::Feed', feedId: `https://${name}.example/feed`, service: name });
    const link = 'https://news.example.org/a/1';
    const older = entryOf({ id: 'older', title: 'a', link, content: 'short', published: when('2008-05-30T10:00:00Z') }, source('one'));
    const newer = entryOf({ id: 'newer', title: 'b', link, content: 'a much longer body', published: when('2008-05-30T11:00:00Z') }, source('two'));
    expect(allEntries(mergeFeeds(feedsOf(newer, older)).feeds)[0]!.id).toBe('older');
    const sameTime = { ...newer, published: older.published };
    expect(allEntries(mergeFeeds(feedsOf(older, sameTime)).feeds)[0]!.id).toBe('newer');
  });

  it('leaves feeds untouched when nothing matches', () => {
    const feeds = feedsOf(post, unrelatedTweet);
    const result = mergeFeeds(feeds);
    expect(result.merged).toBe(0);
    expect(result.feeds).toBe(feeds);
  });
});

describe('SmartFeed::Expand undoes a merge', () => {
  it('gives back each copy in its own feed', () => {
    const feeds = feedsOf(post, tweet, friendfeedOfTweet, friendfeedOfPost, unrelatedTweet);
    const expanded = expandFeeds(mergeFeeds(feeds).feeds);
    expect(expanded.map((f) => f.id)).toEqual(feeds.map((f) => f.id));
    for (const [i, feed] of expanded.entries()) {
      expect(sortById(feed.entries)).toEqual(sortById(feeds[i]!.entries));
    }
    expect(sortById(expandEntries(allEntries(mergeFeeds(feeds).feeds)))).toEqual(sortById(allEntries(feeds)));
  });

  it('expand(merge(x)) gives back x for any mix of links, tracking parameters and copied text', () => {
    const sources: EntrySource[] = [BLOG, TWITTER, FRIENDFEED, { plugin: 'Source::Feed', feedId: 'https://b.hatena.ne.jp/taro/rss', service: 'hatena-bookmark' }];
    const pages = ['https://taro.hatenablog.com/entry/1', 'https://news.example.org/a', 'https://example.com/p?id=3'];
    const texts = [
      '梅雨入りした京都を一日歩いた。鴨川の水が増えていて、傘を持つ手が冷たかった。',
      '梅雨入りした京都を一日歩いた! 鴨川の水が増えていて、傘を持つ手が冷たかった',
      'Walked around Kyoto all day in the rain; the Kamo river was high and my hands were cold.',
      'おはよう',
    ];
    const entryArbitrary = fc.record({
      source: fc.integer({ min: 0, max: sources.length - 1 }),
      page: fc.option(fc.integer({ min: 0, max: pages.length - 1 }), { nil: undefined }),
      variant: fc.constantFrom('', '?utm_source=x', '/', '#top'),
      tweetsPage: fc.option(fc.integer({ min: 0, max: pages.length - 1 }), { nil: undefined }),
      text: fc.integer({ min: 0, max: texts.length - 1 }),
      minute: fc.integer({ min: 0, max: 60 * 24 * 5 }),
    });
    fc.assert(
      fc.property(fc.array(entryArbitrary, { maxLength: 25 }), (specs) => {
        const entries = specs.map((spec, i) =>
          entryOf(
            {
              id: `e${i}`,
              title: texts[spec.text]!,
              content: `<p>${texts[spec.text]!}</p>`,
              ...(spec.page !== undefined ? { link: `${pages[spec.page]}${spec.variant}` } : {}),
              published: { epochMs: Date.UTC(2008, 4, 30) + spec.minute * 60_000, kind: 'zoned', precision: 'second', offsetMinutes: 0 },
              ...(spec.tweetsPage !== undefined
                ? { meta: { twitter: { urls: [{ url: `https://t.co/x${i}`, expanded_url: pages[spec.tweetsPage] }] } } }
                : {}),
            },
            sources[spec.source]!,
          ),
        );
        const feeds = feedsOf(...entries);
        const snapshot = structuredClone(feeds);
        const merged = mergeFeeds(feeds, { ...DEFAULT_MERGE_OPTIONS, minTextLength: 10 }).feeds;
        // Merging never loses or invents an entry, and never changes the originals.
        expect(sortById(expandEntries(allEntries(merged)))).toEqual(sortById(allEntries(snapshot)));
        expect(feeds).toEqual(snapshot);
        const expanded = expandFeeds(merged);
        for (const [i, feed] of expanded.entries()) expect(sortById(feed.entries)).toEqual(sortById(snapshot[i]!.entries));
      }),
      { numRuns: 200 },
    );
  });
});

function sortById(entries: Entry[]): Entry[] {
  return [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
