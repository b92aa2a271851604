/**
 * Entries as sources produce them: a blog post with relative URLs, tweets whose title is cut from
 * their text (`text` is HTML, as in the archive: `&amp;` for &).
 */
import type { Entry, Feed, When } from '../../src/pipeline/model.js';
import { makeEntry, makeFeed } from '../../src/pipeline/model.js';
import { deriveTitle, htmlToText } from '../../src/text/html.js';

export function at(iso: string): When {
  // Test data written as UTC instants; the feed renders them in JST.
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(iso);
  if (!match) throw new Error(`test date ${iso}`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return { epochMs: Date.UTC(y!, mo! - 1, d!, h!, mi!, s!), kind: 'zoned', precision: 'second', offsetMinutes: 0 };
}

export function blogPost(n = 1): Entry {
  return makeEntry({
    id: `hatenablog://entry/68024183983000000${n}`,
    title: `初詣に行った (${n})`,
    link: `https://taro.hatenablog.com/entry/2026/01/0${n}/213412`,
    content:
      `<p>近所の神社で<a href="/entry/2025/12/31/235959">年越し</a>のあと、おみくじを引いた。</p>` +
      `<p><img src="/images/omikuji-${n}.jpg" alt="おみくじ"></p>`,
    published: at(`2026-01-0${n}T12:34:12Z`),
    tags: ['日記'],
    author: 'taro',
    source: { plugin: 'Source::Feed', feedId: 'https://taro.hatenablog.com/feed', feedTitle: 'taroの日記', service: 'hatena' },
  });
}

export function tweet(id: string, text: string, iso: string): Entry {
  return makeEntry({
    id: `twitter:${id}`,
    guid: id,
    title: deriveTitle(htmlToText(text)),
    link: `https://twitter.com/taro/status/${id}`,
    content: `<p>${text}</p>`,
    published: at(iso),
    author: 'taro',
    source: { plugin: 'Source::TwitterArchive', feedId: 'twitter:taro', service: 'twitter', account: 'taro' },
  });
}

export function feedOf(entries: Entry[], title = 'taroのライフストリーム'): Feed {
  return makeFeed({ id: 'lifestream', title, link: 'https://taro.hatenablog.com/', entries });
}

/** `count` short tweets, one minute apart, oldest first. */
export function tweets(count: number, start = Date.UTC(2024, 5, 1, 3, 0, 0)): Entry[] {
  return Array.from({ length: count }, (_, i) => {
    const when = new Date(start + i * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return tweet(String(1797000000000000000n + BigInt(i)), `梅雨入り ${i + 1} 回目のつぶやき &amp; 傘 ☔`, when);
  });
}
