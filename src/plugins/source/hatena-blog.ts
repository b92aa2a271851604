/**
 * Source::HatenaBlog: a Hatena Blog from its Atom `/feed` or RSS `/rss` (following `rel="next"`
 * pages up to `pages`), or from the Movable Type export file the blog's owner downloaded, which
 * is the only way to the entries older than the feed's window.
 */
import { z } from 'zod';
import type { PluginContext } from '../../pipeline/context.js';
import type { Entry, EntrySource, Feed, When } from '../../pipeline/model.js';
import { makeEntry, makeFeed } from '../../pipeline/model.js';
import { feedFromParsed } from '../../feed/parse.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { entryId } from '../../pipeline/ids.js';
import { parseDate } from '../../text/dates.js';
import { htmlToText, unescapeEntities } from '../../text/html.js';
import { HATENA_SERVICE, HATENA_USER, hatenaZone, decodePercentEncoded, readExportFile, reportProblems, trimBase } from './hatena/common.js';
import { fetchFeedPages, nextLinkOf } from './hatena/feed-pages.js';
import { firstField, parseMovableTypeExport, type MtEntry } from './hatena/mt-export.js';
import type { InputProblem } from './hatena/xml-records.js';

const PLUGIN = 'Source::HatenaBlog';
const NAMESPACE = 'hatena-blog';
const BLOG_HOST = /^(?:[\w-]+\.)+(?:hatenablog\.(?:com|jp)|hatenadiary\.(?:jp|com|org)|hateblo\.jp)$/;
const FEED_PATH = /^\/(?:(feed|rss)(?:\/category\/[^/]+)?)?\/?$/;

const config = z
  .object({
    /** The blog's owner; the blog defaults to `https://<user>.hatenablog.com`. */
    user: z.string().regex(HATENA_USER, 'a Hatena id: a letter, then letters, digits, _ or -').optional(),
    /** The blog's address (any Hatena Blog domain or a custom one). */
    blog_url: z.url().optional(),
    /** The feed to read; default `<blog_url>/feed` (Atom) or `/rss`. */
    url: z.url().optional(),
    format: z.enum(['atom', 'rss']).default('atom'),
    /** How many feed pages to follow through `rel="next"` (each holds about 30 entries). */
    pages: z.number().int().min(1).max(100).default(1),
    /** A Movable Type export file (relative to the recipe); read instead of the feed. */
    file: z.string().min(1).optional(),
    /** Export entries with `STATUS: Draft` are skipped unless this is set. */
    include_drafts: z.boolean().default(false),
    /** Zone of the export's naive dates (Hatena writes Japan time). */
    timezone: hatenaZone,
    title: z.string().optional(),
  })
  .strict()
  .refine((c) => Boolean(c.user || c.blog_url || c.url), { message: 'give user, blog_url or url' });

type BlogConfig = z.output<typeof config>;

export default definePlugin({
  name: PLUGIN,
  aliases: ['CustomFeed::HatenaBlog', 'Source::Hatena::Blog'],
  description: 'A Hatena Blog: its Atom or RSS feed with paging, or the Movable Type export (drafts skipped).',
  phase: 'source',
  config,
  subscriptions(c) {
    if (c.file) return [{ tags: [], ...(c.title ? { title: c.title } : {}) }];
    return [{ url: feedUrl(c), tags: [], ...(c.title ? { title: c.title } : {}) }];
  },
  claims(url) {
    const parsed = safeUrl(url);
    return Boolean(parsed && /^https?:$/.test(parsed.protocol) && BLOG_HOST.test(parsed.hostname) && FEED_PATH.test(parsed.pathname));
  },
  configFromUrl(url) {
    const parsed = new URL(url);
    const path = FEED_PATH.exec(parsed.pathname);
    const blogUrl = parsed.origin;
    if (!path?.[1]) return { blog_url: blogUrl };
    return { blog_url: blogUrl, url, format: path[1] === 'rss' ? 'rss' : 'atom' };
  },
  async fetch(subscription, ctx) {
    const c = ctx.config;
    if (c.file) return fetchExport(c, ctx.resolvePath(c.file), ctx, subscription.title);
    return fetchFeed(c, ctx, subscription.title);
  },
});

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function blogUrl(c: BlogConfig): string | undefined {
  if (c.blog_url) return trimBase(c.blog_url);
  if (c.user) return `https://${c.user}.hatenablog.com`;
  return undefined;
}

function feedUrl(c: BlogConfig): string {
  return c.url ?? `${blogUrl(c)}/${c.format === 'atom' ? 'feed' : 'rss'}`;
}

/** Metadata a Hatena Blog entry carries in `meta.hatenaBlog`. */
export interface HatenaBlogMeta {
  /** `hatenablog://entry/6802418398300000000` (feeds) — an id, never fetched. */
  entryUri?: string;
  /** Eye-catch image (the feed's enclosure, the export's IMAGE). */
  image?: string;
  /** Export only. */
  status?: string;
  basename?: string;
  comments?: Array<{ author?: string; url?: string; email?: string; published?: When; body: string }>;
}

async function fetchFeed(c: BlogConfig, ctx: PluginContext<BlogConfig>, title: string | undefined): Promise<Feed> {
  const url = feedUrl(c);
  const paged = await fetchFeedPages(ctx, url, {
    maxPages: c.pages,
    defaultZone: c.timezone,
    nextPageUrl: (page) => nextLinkOf(page),
  });
  const first = paged.pages[0]!;
  const account = c.user ?? first.parsed.author;
  const source: EntrySource = {
    plugin: PLUGIN,
    feedId: url,
    feedTitle: title ?? c.title ?? first.parsed.title,
    feedUrl: url,
    service: HATENA_SERVICE,
    ...(account ? { account } : {}),
    ...(first.parsed.link ? { feedLink: first.parsed.link } : {}),
  };
  const seen = new Set<string>();
  const entries: Entry[] = [];
  for (const page of paged.pages) {
    for (const item of page.parsed.items) {
      const entryUri = item.guid?.startsWith('hatenablog://entry/') ? item.guid : undefined;
      const id = entryUri ?? entryId(NAMESPACE, { guid: item.guid, link: item.link, title: item.title, content: item.content });
      // Pages overlap when the blog gains an entry between two requests.
      if (seen.has(id)) continue;
      seen.add(id);
      const entry = makeEntry({ id, title: item.title, tags: item.tags, enclosures: item.enclosures, source });
      if (item.guid) entry.guid = item.guid;
      if (item.link) entry.link = item.link;
      if (item.content) entry.content = item.content;
      if (item.summary) entry.summary = item.summary;
      const author = item.author ?? account;
      if (author) entry.author = author;
      if (item.published) entry.published = item.published;
      if (item.updated && item.updated.epochMs !== item.published?.epochMs) entry.updated = item.updated;
      const meta: HatenaBlogMeta = {};
      if (entryUri) meta.entryUri = entryUri;
      const image = item.enclosures.find((enclosure) => enclosure.type?.startsWith('image/') ?? true)?.url;
      if (image) meta.image = image;
      const slug = entry.link ? /\/entry\/(.+)$/.exec(new URL(entry.link).pathname)?.[1] : undefined;
      if (slug) meta.basename = decodePercentEncoded(slug);
      entry.meta.hatenaBlog = meta;
      entries.push(entry);
    }
  }
  const feed = feedFromParsed(first.parsed, {
    id: url,
    type: 'hatena-blog',
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
  if (account) feed.author = account;
  return feed;
}

async function fetchExport(c: BlogConfig, path: string, ctx: PluginContext<BlogConfig>, title: string | undefined): Promise<Feed> {
  const { text, encoding } = await readExportFile(path, 'text');
  const parsed = parseMovableTypeExport(text);
  const problems: InputProblem[] = [...parsed.problems];
  const base = blogUrl(c);
  const source: EntrySource = {
    plugin: PLUGIN,
    feedId: `file:${path}`,
    feedTitle: title ?? c.title ?? (base ? new URL(base).host : path),
    service: HATENA_SERVICE,
    ...(c.user ? { account: c.user } : {}),
    ...(base ? { feedLink: base } : {}),
  };
  const entries: Entry[] = [];
  let drafts = 0;
  for (const record of parsed.entries) {
    const status = firstField(record, 'STATUS') ?? 'Publish';
    if (status.toLowerCase() === 'draft' && !c.include_drafts) {
      drafts++;
      continue;
    }
    entries.push(exportEntry(record, { base, source, zone: c.timezone, problems, status }));
  }
  if (drafts) ctx.log.info({ path }, `${drafts} draft(s) skipped (include_drafts: true keeps them)`);
  const warnings = reportProblems(ctx, path, problems, entries.length + drafts);
  return makeFeed({
    id: source.feedId,
    type: 'hatena-blog',
    title: source.feedTitle!,
    ...(base ? { link: base } : {}),
    ...(c.user ? { author: c.user } : {}),
    entries,
    meta: { warnings, encoding, draftsSkipped: drafts },
  });
}

interface ExportContext {
  base: string | undefined;
  source: EntrySource;
  zone: string;
  problems: InputProblem[];
  status: string;
}

function exportEntry(record: MtEntry, context: ExportContext): Entry {
  const basename = firstField(record, 'BASENAME');
  const link = context.base && basename ? `${context.base}/entry/${basename.replace(/^\/+/, '')}` : undefined;
  const rawTitle = firstField(record, 'TITLE') ?? '';
  const title = htmlToText(unescapeEntities(rawTitle));
  const convertBreaks = firstField(record, 'CONVERT BREAKS') ?? '0';
  const body = [record.body, record.extendedBody].filter((part): part is string => Boolean(part?.trim()));
  const content = body.map((part) => (convertBreaks === '1' || convertBreaks === '__default__' ? breaksToHtml(part) : part)).join('\n');
  const entry = makeEntry({
    id: entryId(NAMESPACE, { link, title, content }),
    title,
    tags: [...new Set(record.fields.CATEGORY ?? [])],
    source: context.source,
  });
  if (link) entry.link = link;
  if (content) entry.content = content;
  if (record.excerpt?.trim()) entry.summary = record.excerpt.trim();
  const author = firstField(record, 'AUTHOR');
  if (author) entry.author = author;
  const dateText = firstField(record, 'DATE');
  const published = dateText ? parseDate(dateText, { defaultZone: context.zone }) : undefined;
  if (published) entry.published = published;
  else {
    context.problems.push({
      message: dateText
        ? `entry "${title}": DATE ${JSON.stringify(dateText)} is not MM/DD/YYYY HH:MM:SS; kept without a date`
        : `entry "${title}" has no DATE; kept without a date`,
      line: record.line,
      severity: 'warning',
    });
  }
  const meta: HatenaBlogMeta = { status: context.status };
  if (basename) meta.basename = basename;
  const image = firstField(record, 'IMAGE');
  if (image) {
    meta.image = image;
    entry.enclosures = [{ url: image, type: imageType(image) }];
  }
  if (record.comments.length) {
    meta.comments = record.comments.map((comment) => {
      const when = comment.date ? parseDate(comment.date, { defaultZone: context.zone }) : undefined;
      if (comment.date && !when) {
        context.problems.push({ message: `comment date ${JSON.stringify(comment.date)} is not a date`, line: comment.line, severity: 'warning' });
      }
      return {
        ...(comment.author ? { author: comment.author } : {}),
        ...(comment.url ? { url: comment.url } : {}),
        ...(comment.email ? { email: comment.email } : {}),
        ...(when ? { published: when } : {}),
        body: comment.body,
      };
    });
  }
  entry.meta.hatenaBlog = meta;
  return entry;
}

/** MT's "convert breaks": blank lines separate paragraphs, single newlines are line breaks. */
function breaksToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => (/^<(?:p|div|ul|ol|blockquote|pre|h\d|table)[\s>]/i.test(paragraph) ? paragraph : `<p>${paragraph.split('\n').join('<br />\n')}</p>`))
    .join('\n');
}

function imageType(url: string): string {
  const extension = /\.(\w+)(?:[?#].*)?$/.exec(url)?.[1]?.toLowerCase();
  const types: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };
  return (extension && types[extension]) ?? 'image/jpeg';
}
