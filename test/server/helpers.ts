/**
 * Fixtures for the server tests: a lifestream of generated entries (several services, a digest,
 * a merged crosspost, hostile HTML) published into a real store the way Publish::Feed does it —
 * the same renderers, the same `render` records, the same retained entries.
 */
import type { Store } from '../../src/pipeline/context.js';
import type { Entry, EntrySource, When } from '../../src/pipeline/model.js';
import { makeEntry, makeFeed, sortNewestFirst } from '../../src/pipeline/model.js';
import { renderAtom, renderJsonFeed, renderRss } from '../../src/feed/render.js';
import { renderInputs, storeRender, type RenderedFeed } from '../../src/plugins/publish/feed/output.js';
import { openSqliteStore } from '../../src/store/sqlite.js';

export const HOUR = 3_600_000;
/** 2026-01-15 12:00 JST, a fixed "now" for the fixtures. */
export const NOW = Date.UTC(2026, 0, 15, 3, 0, 0);

export function zoned(epochMs: number): When {
  return { epochMs, kind: 'zoned', precision: 'second', offsetMinutes: 540 };
}

const SOURCES: Record<string, EntrySource> = {
  hatena: { plugin: 'Source::HatenaBookmark', feedId: 'hatena:taro', feedTitle: 'はてなブックマーク - taro', feedLink: 'https://b.hatena.ne.jp/taro/', service: 'hatena', account: 'taro' },
  twitter: { plugin: 'Source::TwitterArchive', feedId: 'twitter:taro', feedTitle: 'Twitter / taro', service: 'twitter', account: 'taro' },
  mixi: { plugin: 'Source::Mixi', feedId: 'mixi:1', feedTitle: 'mixi日記', service: 'mixi' },
  friendfeed: { plugin: 'Source::FriendFeed', feedId: 'ff:taro', feedTitle: 'FriendFeed', service: 'friendfeed' },
  feed: { plugin: 'Source::Feed', feedId: 'https://blog.example.jp/feed', feedTitle: '太郎の日記', feedLink: 'https://blog.example.jp/', service: 'feed' },
};

export const SERVICES = Object.keys(SOURCES);

/**
 * `count` plain entries, one hour apart going back from NOW, round-robin over the services, plus
 * (when `withGroups`) a digest of three bookmarks and a crosspost merged from two services.
 * The aggregated view has `count + 2` entries, the everything view `count + 5`.
 */
export function lifestreamEntries(count: number, { withGroups = true } = {}): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const service = SERVICES[i % SERVICES.length] as string;
    entries.push(
      makeEntry({
        id: `${service}:${i}`,
        title: `エントリー ${i} (${service})`,
        link: `https://example.jp/${service}/${i}`,
        content: `<p>本文 ${i} です。<strong>太字</strong> と <a href="https://example.jp/x/${i}">リンク</a>。</p>`,
        author: 'taro',
        published: zoned(NOW - (i + 1) * HOUR),
        tags: i % 4 === 0 ? ['日記', `tag${i}`] : [],
        source: SOURCES[service] as EntrySource,
      }),
    );
  }
  if (withGroups) {
    const bookmarks = [0, 1, 2].map((k) =>
      makeEntry({
        id: `hatena:digest-part-${k}`,
        title: `まとめたブックマーク ${k}`,
        link: `https://example.jp/bookmark/${k}`,
        published: zoned(NOW - 30 * 60_000 - k * 60_000),
        source: SOURCES['hatena'] as EntrySource,
      }),
    );
    entries.push(
      makeEntry({
        id: 'digest:hatena:2026-01-15',
        title: 'はてなブックマーク 3 件',
        content: '<ul><li>まとめたブックマーク 0</li><li>まとめたブックマーク 1</li><li>まとめたブックマーク 2</li></ul>',
        published: zoned(NOW - 30 * 60_000),
        source: SOURCES['hatena'] as EntrySource,
        parts: bookmarks,
        meta: { digest: { feeds: bookmarks.map(() => 'hatena:taro') } },
      }),
    );
    const tweet = makeEntry({
      id: 'twitter:crosspost',
      title: '同じ投稿を二か所に',
      link: 'https://twitter.com/taro/status/1',
      content: '<p>同じ投稿を二か所に</p>',
      published: zoned(NOW - 10 * 60_000),
      source: SOURCES['twitter'] as EntrySource,
    });
    const echo = makeEntry({
      id: 'mixi:crosspost',
      title: '同じ投稿を二か所に',
      link: 'https://mixi.jp/view_echo.pl?id=1',
      content: '<p>同じ投稿を二か所に</p>',
      published: zoned(NOW - 9 * 60_000),
      source: SOURCES['mixi'] as EntrySource,
    });
    entries.push({
      ...tweet,
      id: 'merged:crosspost',
      via: [{ entryId: echo.id, link: echo.link as string, source: echo.source }],
      parts: [tweet, echo],
    });
  }
  return entries;
}

/** Entries whose text tries every trick to run script on the page. */
export function hostileEntries(): Entry[] {
  const payloads = [
    '<script>window.__xss = "script"</script><p>script tag</p>',
    '<img src="x" onerror="window.__xss=\'onerror\'">',
    '<a href="javascript:window.__xss=\'href\'">click</a>',
    '<svg><script>window.__xss="svg"</script></svg>',
    '<iframe src="javascript:parent.__xss=\'iframe\'"></iframe>',
    '<p style="background:url(javascript:window.__xss=1)">style</p><style>body{display:none}</style>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=\'mxss\'"></style></mglyph></table></mtext></math>',
    '<form action="javascript:window.__xss=\'form\'"><button>go</button></form>',
  ];
  return payloads.map((content, i) =>
    makeEntry({
      id: `hostile:${i}`,
      title: `<img src=x onerror="window.__xss='title${i}'">危険 ${i}`,
      link: i === 0 ? 'javascript:window.__xss="link"' : `https://evil.example/${i}`,
      content,
      published: zoned(NOW - (i + 1) * 60_000),
      source: { plugin: 'Source::Feed', feedId: 'evil', feedTitle: '<b onmouseover="window.__xss=1">evil</b>', service: 'feed' },
    }),
  );
}

export interface PublishOptions {
  title?: string;
  link?: string;
  now?: number;
  timezone?: string;
}

const RENDERERS = {
  rss: { render: renderRss, contentType: 'application/rss+xml; charset=utf-8' },
  atom: { render: renderAtom, contentType: 'application/atom+xml; charset=utf-8' },
  json: { render: renderJsonFeed, contentType: 'application/feed+json; charset=utf-8' },
} as const;

/** Store a feed exactly as Publish::Feed stores it: retained entries plus one render per format. */
export async function publish(store: Store, name: string, given: Entry[], options: PublishOptions = {}): Promise<Record<'rss' | 'atom' | 'json', RenderedFeed>> {
  const now = options.now ?? NOW;
  // Publish::Feed retains newest first, and renders in that order.
  const entries = sortNewestFirst(given);
  await store.saveRetained(name, entries);
  const feed = makeFeed({ id: name, type: 'smartfeed', title: options.title ?? `${name} のライフストリーム`, entries, ...(options.link ? { link: options.link } : {}) });
  const out = {} as Record<'rss' | 'atom' | 'json', RenderedFeed>;
  for (const [format, { render, contentType }] of Object.entries(RENDERERS) as Array<[keyof typeof RENDERERS, (typeof RENDERERS)[keyof typeof RENDERERS]]>) {
    const body = render(feed, { timezone: options.timezone ?? 'Asia/Tokyo', now });
    const digest = await storeRender({ store }, `${name}.${format}`, { inputs: renderInputs(body), render: () => body, contentType, entries: entries.length, now });
    out[format] = { body, contentType, etag: `"${digest}"`, lastModified: now, entries: entries.length };
  }
  return out;
}

export function memoryStore(): Store {
  return openSqliteStore(':memory:');
}
