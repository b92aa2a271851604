/**
 * Source::HatenaDiary: a Hatena Diary from its RSS 1.0 feed (`/USER/rss`), or from the XML export
 * the diary's owner downloaded (はてなの日記データ形式), which is how a diary is read since the
 * service closed in 2019. The export's Hatena notation is rendered to HTML, and each `*` heading
 * of a day becomes one entry, as on the diary's pages.
 */
import { z } from 'zod';
import type { PluginContext } from '../../pipeline/context.js';
import type { Entry, EntrySource, Feed } from '../../pipeline/model.js';
import { makeEntry, makeFeed } from '../../pipeline/model.js';
import { feedFromParsed } from '../../feed/parse.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { entryId } from '../../pipeline/ids.js';
import { parseDate } from '../../text/dates.js';
import { escapeHtml } from '../../text/html.js';
import { HATENA_SERVICE, HATENA_USER, hatenaZone, readExportFile, reportProblems, trimBase } from './hatena/common.js';
import { diaryDayToEntries, parseDiaryExport, type HatenaDiaryMeta } from './hatena/diary-export.js';
import { DIARY_NAMESPACE, diaryEntryId, diaryKeyFromLink, type DiaryLinkStyle } from './hatena/diary-links.js';
import { fetchFeedPages } from './hatena/feed-pages.js';
import type { InputProblem } from './hatena/xml-records.js';

const PLUGIN = 'Source::HatenaDiary';
const DIARY_RSS = /^https?:\/\/(?:d\.hatena\.ne\.jp|[\w-]+\.g\.hatena\.ne\.jp)\/([A-Za-z][\w-]{1,31})\/rss2?\/?$/;

/** First path segments of d.hatena.ne.jp that are pages of the service, not diaries. */
const SERVICE_PATHS = new Set(['keyword', 'diarylist', 'hotdiary', 'hotkeyword', 'search', 'help', 'images', 'css', 'js']);

const config = z
  .object({
    /** The diary's Hatena id; needed for an export (links and ids are built from it). */
    user: z.string().regex(HATENA_USER, 'a Hatena id: a letter, then letters, digits, _ or -').optional(),
    /** The RSS feed; default `<base_url>/<user>/rss`. */
    url: z.url().optional(),
    /** A diary XML export file (relative to the recipe); read instead of the feed. */
    file: z.string().min(1).optional(),
    base_url: z.url().default('https://d.hatena.ne.jp'),
    /** Where the diary lives since 2019 (`https://taro.hatenadiary.jp`): export links point there. */
    blog_url: z.url().optional(),
    /** Zone of the diary's day dates. */
    timezone: hatenaZone,
    title: z.string().optional(),
  })
  .strict()
  .refine((c) => Boolean(c.user || c.url || c.file), { message: 'give user, url or file' })
  .refine((c) => !c.file || Boolean(c.user), { message: 'an export file needs user (the diary’s Hatena id)', path: ['user'] });

type DiaryConfig = z.output<typeof config>;

export default definePlugin({
  name: PLUGIN,
  aliases: ['CustomFeed::HatenaDiary', 'Source::Hatena::Diary'],
  description: 'A Hatena Diary: its RSS 1.0 feed, or the XML export (Hatena notation rendered, one entry per heading).',
  phase: 'source',
  config,
  subscriptions(c) {
    if (c.file) return [{ tags: [], title: c.title ?? `${c.user}の日記` }];
    return [{ url: rssUrl(c), tags: [], ...(c.title ? { title: c.title } : {}) }];
  },
  claims(url) {
    const user = DIARY_RSS.exec(url)?.[1];
    return Boolean(user && !SERVICE_PATHS.has(user.toLowerCase()));
  },
  configFromUrl(url) {
    return { url, user: DIARY_RSS.exec(url)![1]! };
  },
  async fetch(subscription, ctx) {
    const c = ctx.config;
    if (c.file) return fetchExport(c, ctx.resolvePath(c.file), ctx, subscription.title);
    return fetchRss(c, ctx, subscription.title);
  },
});

function rssUrl(c: DiaryConfig): string {
  return c.url ?? `${trimBase(c.base_url)}/${c.user}/rss`;
}

function linkStyle(c: DiaryConfig): DiaryLinkStyle {
  return c.blog_url ? { kind: 'blog', base: c.blog_url } : { kind: 'diary', base: c.base_url };
}

async function fetchExport(
  c: DiaryConfig,
  path: string,
  ctx: PluginContext<DiaryConfig>,
  title: string | undefined,
): Promise<Feed> {
  const user = c.user!;
  const { text, encoding } = await readExportFile(path, 'xml');
  const parsed = parseDiaryExport(text, c.timezone);
  const source: EntrySource = {
    plugin: PLUGIN,
    feedId: `file:${path}`,
    feedTitle: title ?? c.title ?? `${user}の日記`,
    account: user,
    service: HATENA_SERVICE,
  };
  const problems: InputProblem[] = [...parsed.problems];
  const entries: Entry[] = [];
  for (const day of parsed.days) {
    const result = diaryDayToEntries(day, { user, source, zone: c.timezone, links: linkStyle(c) });
    entries.push(...result.entries);
    problems.push(...result.problems);
  }
  const warnings = reportProblems(ctx, path, problems, entries.length);
  return makeFeed({
    id: source.feedId,
    type: 'hatena-diary',
    title: source.feedTitle!,
    link: linkStyle(c).kind === 'blog' ? c.blog_url! : `${trimBase(c.base_url)}/${user}/`,
    author: user,
    language: 'ja',
    entries,
    meta: { warnings, encoding, days: parsed.days.length },
  });
}

async function fetchRss(
  c: DiaryConfig,
  ctx: PluginContext<DiaryConfig>,
  title: string | undefined,
): Promise<Feed> {
  const url = rssUrl(c);
  const paged = await fetchFeedPages(ctx, url, { maxPages: 1, defaultZone: c.timezone, nextPageUrl: () => undefined });
  const page = paged.pages[0]!;
  const user = c.user ?? DIARY_RSS.exec(url)?.[1];
  const source: EntrySource = {
    plugin: PLUGIN,
    feedId: url,
    feedTitle: title ?? c.title ?? page.parsed.title,
    feedUrl: url,
    service: HATENA_SERVICE,
    ...(user ? { account: user } : {}),
    ...(page.parsed.link ? { feedLink: page.parsed.link } : {}),
  };
  const entries = page.parsed.items.map((item): Entry => {
    const key = item.link ? diaryKeyFromLink(item.link) : undefined;
    const { title: cleanTitle, categories } = splitTitleCategories(item.title);
    const entry = makeEntry({
      id: key
        ? diaryEntryId(key.user, key.compactDate, key.anchor)
        : entryId(DIARY_NAMESPACE, { guid: item.guid, link: item.link, title: item.title, content: item.content }),
      title: cleanTitle,
      tags: [...new Set([...categories, ...item.tags])],
      enclosures: item.enclosures,
      source,
    });
    if (item.guid) entry.guid = item.guid;
    if (item.link) entry.link = item.link;
    // content:encoded is the rendered section; the description is a truncated plain-text digest.
    const content = item.raw['content:encoded'] === undefined ? undefined : item.content;
    const description = typeof item.raw.description === 'string' ? item.raw.description.trim() : undefined;
    if (content) entry.content = content;
    else if (description) entry.content = `<p>${escapeHtml(description)}</p>`;
    if (description) entry.summary = description;
    const author = item.author ?? user;
    if (author) entry.author = author;
    // A timestamped section's link carries its creation time; dc:date is often the day only.
    const epoch = key?.anchor && /^\d{9,11}$/.test(key.anchor) ? parseDate(Number(key.anchor)) : undefined;
    const published = epoch ?? item.published;
    if (published) entry.published = published;
    if (item.updated && item.updated.epochMs !== item.published?.epochMs) entry.updated = item.updated;
    if (key) {
      const meta: HatenaDiaryMeta = {
        date: `${key.compactDate.slice(0, 4)}-${key.compactDate.slice(4, 6)}-${key.compactDate.slice(6, 8)}`,
      };
      if (key.anchor) meta.anchor = key.anchor;
      entry.meta.hatenaDiary = meta;
    }
    return entry;
  });
  const feed = feedFromParsed(page.parsed, {
    id: url,
    type: 'hatena-diary',
    title: source.feedTitle ?? '',
    url,
    entries,
    meta: { warnings: paged.warnings, notModified: paged.notModified, encoding: paged.encoding, format: page.parsed.format },
  });
  if (user) feed.author = user;
  return feed;
}

/** Hatena Diary feed titles carry the section's categories in front: `[日記][雨]梅雨入り`. */
export function splitTitleCategories(title: string): { title: string; categories: string[] } {
  const run = /^((?:\[[^\][]+\])+)\s*/.exec(title);
  if (!run) return { title, categories: [] };
  const categories = [...run[1]!.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1]!.trim());
  const rest = title.slice(run[0].length).trim();
  // A title that is nothing but brackets is a title, not a list of categories.
  return rest ? { title: rest, categories } : { title, categories: [] };
}
