/**
 * Source::HatenaBookmark: a user's bookmarks from the RSS 1.0 feed (`/USER/rss`, 20 per page,
 * paged with `?of=OFFSET`), or from the export file (`dump.htm`, an Atom 0.3 feed). An entry is
 * the bookmarked page: its title and URL, the user's comment, tags and the bookmark count.
 */
import { z } from 'zod';
import type { PluginContext } from '../../pipeline/context.js';
import type { Entry, EntrySource, Feed } from '../../pipeline/model.js';
import { makeEntry, makeFeed } from '../../pipeline/model.js';
import { feedFromParsed } from '../../feed/parse.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { canonicalLink, entryId } from '../../pipeline/ids.js';
import { parseDate } from '../../text/dates.js';
import { escapeHtml } from '../../text/html.js';
import * as cheerio from 'cheerio';
import {
  HATENA_SERVICE,
  HATENA_USER,
  hatenaZone,
  decodePercentEncoded,
  readExportFile,
  reportProblems,
  splitBookmarkComment,
  trimBase,
} from './hatena/common.js';
import { parseBookmarkExport } from './hatena/bookmark-export.js';
import { fetchFeedPages, type FeedPage } from './hatena/feed-pages.js';
import type { InputProblem } from './hatena/xml-records.js';

const PLUGIN = 'Source::HatenaBookmark';
const NAMESPACE = 'hatena-bookmark';
const ITEMS_PER_PAGE = 20;
/** First path segments of b.hatena.ne.jp that are pages of the service, not users. */
const SERVICE_PATHS = new Set(['entry', 'hotentry', 'entrylist', 'site', 'search', 'q', 't', 'help', 'guide', 'my', 'register', 'api', 'bookmarklet', 'articles', 'ranking', 'keyword', 'tag', 'login', 'logout', 'settings']);
const USER_FEED = /^https?:\/\/b\.hatena\.ne\.jp\/([A-Za-z][\w-]{1,31})\/(?:rss|bookmark\.rss|bookmark)?\/?(?:\?.*)?$/;

const config = z
  .object({
    user: z.string().regex(HATENA_USER, 'a Hatena id: a letter, then letters, digits, _ or -').optional(),
    /** The feed; default `<base_url>/<user>/rss`. */
    url: z.url().optional(),
    /** The export file (`dump.htm`, Atom 0.3), relative to the recipe; read instead of the feed. */
    file: z.string().min(1).optional(),
    base_url: z.url().default('https://b.hatena.ne.jp'),
    /** How many pages of 20 to read, following `?of=` offsets. */
    pages: z.number().int().min(1).max(500).default(1),
    timezone: hatenaZone,
    title: z.string().optional(),
  })
  .strict()
  .refine((c) => Boolean(c.user || c.url || c.file), { message: 'give user, url or file' });

type BookmarkConfig = z.output<typeof config>;

export default definePlugin({
  name: PLUGIN,
  aliases: ['CustomFeed::HatenaBookmark', 'Source::Hatena::Bookmark'],
  description: "A user's Hatena Bookmarks: the RSS feed with ?of= paging, or the Atom 0.3 export (dump.htm).",
  phase: 'source',
  config,
  subscriptions(c) {
    if (c.file) return [{ tags: [], ...(c.title ? { title: c.title } : {}) }];
    return [{ url: feedUrl(c), tags: [], ...(c.title ? { title: c.title } : {}) }];
  },
  claims(url) {
    const user = USER_FEED.exec(url)?.[1];
    return Boolean(user && !SERVICE_PATHS.has(user.toLowerCase()));
  },
  configFromUrl(url) {
    const user = USER_FEED.exec(url)![1]!;
    return /\/(?:rss|bookmark\.rss)\/?(?:\?.*)?$/.test(url) ? { user, url } : { user };
  },
  async fetch(subscription, ctx) {
    const c = ctx.config;
    if (c.file) return fetchExport(c, ctx.resolvePath(c.file), ctx, subscription.title);
    return fetchFeed(c, ctx, subscription.title);
  },
});

function feedUrl(c: BookmarkConfig): string {
  return c.url ?? `${trimBase(c.base_url)}/${c.user}/rss`;
}

/** Metadata a bookmark carries in `meta.hatenaBookmark`. */
export interface HatenaBookmarkMeta {
  /** The user's comment, plain text, without the `[tag]` prefix. */
  comment: string;
  /** How many users bookmarked the page (feed only). */
  count?: number;
  /** The bookmark on Hatena (`https://b.hatena.ne.jp/USER/20171206#bookmark-351108256`). */
  permalink?: string;
  /** The export's `tag:hatena.ne.jp,2005:bookmark-USER-NNN`. */
  bookmarkId?: string;
}

function bookmarkEntryId(user: string | undefined, url: string | undefined, fallback: { title: string; content?: string }): string {
  // One bookmark per user and page: the same id from the feed and from the export.
  if (url) return entryId(NAMESPACE, { guid: `${user ?? ''}:${canonicalLink(url)}` });
  return entryId(NAMESPACE, fallback);
}

/** The page title, or the decoded URL where Hatena had none (it then shows the URL itself). */
function displayTitle(title: string, url: string | undefined): string {
  if (title.trim() && title.trim() !== url) return title.trim();
  return url ? decodePercentEncoded(url) : title.trim();
}

function bookmarkContent(comment: string, card: string | undefined): string | undefined {
  const parts = [comment ? `<p>${escapeHtml(comment)}</p>` : '', card ?? ''].filter(Boolean);
  return parts.length ? parts.join('\n') : undefined;
}

function pageInfo(page: FeedPage): { start?: number; perPage?: number; total?: number } {
  const $ = cheerio.load(page.text, { xml: true });
  const number = (name: string): number | undefined => {
    const text = $(`opensearch\\:${name}`).first().text().trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  const info: { start?: number; perPage?: number; total?: number } = {};
  const start = number('startIndex');
  const perPage = number('itemsPerPage');
  const total = number('totalResults');
  if (start !== undefined) info.start = start;
  if (perPage !== undefined) info.perPage = perPage;
  if (total !== undefined) info.total = total;
  return info;
}

async function fetchFeed(c: BookmarkConfig, ctx: PluginContext<BookmarkConfig>, title: string | undefined): Promise<Feed> {
  const url = feedUrl(c);
  const paged = await fetchFeedPages(ctx, url, {
    maxPages: c.pages,
    defaultZone: c.timezone,
    nextPageUrl(page, pageIndex) {
      const info = pageInfo(page);
      const perPage = info.perPage ?? ITEMS_PER_PAGE;
      if (page.parsed.items.length < perPage) return undefined;
      const nextOffset = (pageIndex + 1) * perPage;
      if (info.total !== undefined && nextOffset >= info.total) return undefined;
      const next = new URL(url);
      next.searchParams.set('of', String(nextOffset));
      return next.href;
    },
  });
  const first = paged.pages[0]!;
  const user = c.user ?? USER_FEED.exec(url)?.[1];
  const source: EntrySource = {
    plugin: PLUGIN,
    feedId: url,
    feedTitle: title ?? c.title ?? first.parsed.title,
    feedUrl: url,
    service: HATENA_SERVICE,
    ...(user ? { account: user } : {}),
    ...(first.parsed.link ? { feedLink: first.parsed.link } : {}),
  };
  const seen = new Set<string>();
  const entries: Entry[] = [];
  for (const page of paged.pages) {
    for (const item of page.parsed.items) {
      const description = typeof item.raw.description === 'string' ? item.raw.description : '';
      const { comment, tags: bracketTags } = splitBookmarkComment(description);
      const card = typeof item.raw['content:encoded'] === 'string' ? item.content : undefined;
      const id = bookmarkEntryId(user, item.link, { title: item.title, content: description });
      if (seen.has(id)) continue;
      seen.add(id);
      const entry = makeEntry({
        id,
        title: displayTitle(item.title, item.link),
        tags: [...new Set([...item.tags, ...bracketTags])],
        enclosures: item.enclosures,
        source,
      });
      if (item.guid) entry.guid = item.guid;
      if (item.link) entry.link = item.link;
      const content = bookmarkContent(comment, card);
      if (content) entry.content = content;
      if (comment) entry.summary = comment;
      const author = item.author ?? user;
      if (author) entry.author = author;
      if (item.published) entry.published = item.published;
      const meta: HatenaBookmarkMeta = { comment };
      const count = item.raw['hatena:bookmarkcount'];
      if (typeof count === 'string' && /^\s*\d+\s*$/.test(count)) meta.count = Number(count);
      entry.meta.hatenaBookmark = meta;
      entries.push(entry);
    }
  }
  const feed = feedFromParsed(first.parsed, {
    id: url,
    type: 'hatena-bookmark',
    title: source.feedTitle ?? '',
    url,
    entries,
    meta: {
      warnings: paged.warnings,
      notModified: paged.notModified,
      encoding: paged.encoding,
      format: first.parsed.format,
      pages: paged.pages.map((page) => page.url),
    },
  });
  if (user) feed.author = user;
  return feed;
}

async function fetchExport(
  c: BookmarkConfig,
  path: string,
  ctx: PluginContext<BookmarkConfig>,
  title: string | undefined,
): Promise<Feed> {
  const { text, encoding } = await readExportFile(path, 'xml');
  const parsed = parseBookmarkExport(text);
  const problems: InputProblem[] = [...parsed.problems];
  const entries: Entry[] = [];
  const userOf = (bookmark: (typeof parsed.bookmarks)[number]): string | undefined =>
    /bookmark-([A-Za-z][\w-]{1,31})-\d+$/.exec(bookmark.id ?? '')?.[1] ?? bookmark.author;
  const account = c.user ?? parsed.bookmarks.map(userOf).find(Boolean);
  const feedTitle = title ?? c.title ?? `${account ?? ''}のブックマーク`;
  const source: EntrySource = {
    plugin: PLUGIN,
    feedId: `file:${path}`,
    feedTitle,
    service: HATENA_SERVICE,
    ...(account ? { account } : {}),
  };
  for (const bookmark of parsed.bookmarks) {
    const user = c.user ?? userOf(bookmark);
    const { comment, tags: bracketTags } = splitBookmarkComment(bookmark.summary);
    const entry = makeEntry({
      id: bookmarkEntryId(user, bookmark.url, { title: bookmark.title, content: bookmark.summary }),
      title: displayTitle(bookmark.title, bookmark.url),
      tags: [...new Set([...bookmark.subjects, ...bracketTags])],
      source,
    });
    if (bookmark.id) entry.guid = bookmark.id;
    if (bookmark.url) entry.link = bookmark.url;
    else problems.push({ message: `bookmark "${bookmark.title}" has no link rel="related" (the bookmarked page)`, line: bookmark.line, severity: 'warning' });
    const content = bookmarkContent(comment, undefined);
    if (content) entry.content = content;
    if (comment) entry.summary = comment;
    const author = bookmark.author ?? user;
    if (author) entry.author = author;
    const published = bookmark.issued ? parseDate(bookmark.issued, { defaultZone: c.timezone }) : undefined;
    if (published) entry.published = published;
    else if (bookmark.issued) {
      problems.push({ message: `issued ${JSON.stringify(bookmark.issued)} is not a date; kept without a date`, line: bookmark.line, severity: 'warning' });
    }
    const meta: HatenaBookmarkMeta = { comment };
    if (bookmark.permalink) meta.permalink = bookmark.permalink;
    if (bookmark.id) meta.bookmarkId = bookmark.id;
    entry.meta.hatenaBookmark = meta;
    entries.push(entry);
  }
  const warnings = reportProblems(ctx, path, problems, entries.length);
  return makeFeed({
    id: `file:${path}`,
    type: 'hatena-bookmark',
    title: feedTitle,
    ...(account ? { author: account, link: `${trimBase(c.base_url)}/${account}/` } : {}),
    entries,
    meta: { warnings, encoding },
  });
}
