import pLimit from 'p-limit';
import { z } from 'zod';
import type { PluginContext } from '../../pipeline/context.js';
import type { Entry, Feed } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { durationMs } from '../../pipeline/rules/duration-schema.js';
import { parseDate } from '../../text/dates.js';
import { htmlToText } from '../../text/html.js';
import { extractArticle } from './entry-full-text/extract.js';
import { SITE_RULES, type SiteRule } from './entry-full-text/sites.js';

const siteRule = z
  .object({
    domain: z.string().min(1),
    path: z.string().startsWith('/').optional(),
    selector: z.string().min(1),
    remove: z.array(z.string().min(1)).default([]),
  })
  .strict();

const config = z
  .object({
    /** Fetch even entries whose body already looks complete. */
    force: z.boolean().default(false),
    /** A body with less text than this (or ending in "…", "続きを読む") is an excerpt. */
    min_length: z.number().int().nonnegative().default(500),
    /** Site rules tried before the built-in ones. */
    sites: z.array(siteRule).default([]),
    concurrency: z.number().int().min(1).max(16).default(4),
    /** How long an extracted page is remembered (per URL). */
    cache_ttl: durationMs.default(7 * 86_400_000),
    /** How long a page that gave nothing is left alone. */
    failure_ttl: durationMs.default(86_400_000),
    timeout: durationMs.default(20_000),
    max_bytes: z.number().int().positive().default(5 * 1024 * 1024),
  })
  .strict();

type Config = z.output<typeof config>;

interface CachedPage {
  html?: string;
  title?: string;
  url?: string;
  lastModified?: string;
  failed?: string;
}

const CACHE = 'fulltext';
const TRUNCATED = /(?:…|\.\.\.|\[…\]|\[\.\.\.\]|続きを読む|続きはこちら|read more|continue reading)\s*(?:»|›|→)?\s*$/i;

function isExcerpt(entry: Entry, minLength: number): boolean {
  const body = entry.content ?? entry.summary ?? '';
  const text = htmlToText(body);
  return text.length < minLength || TRUNCATED.test(text);
}

async function fetchArticle(url: string, ctx: PluginContext<Config>, rules: readonly SiteRule[]): Promise<CachedPage> {
  const cached = await ctx.store.get<CachedPage>(CACHE, url);
  if (cached) return cached;
  let page: CachedPage;
  try {
    const response = await ctx.http.fetch(url, { timeoutMs: ctx.config.timeout, maxBytes: ctx.config.max_bytes });
    const type = response.headers.get('content-type') ?? '';
    if (type && !/html|xml/i.test(type)) throw new Error(`not a page (${type})`);
    const extracted = extractArticle(response.text('html').text, response.url, rules);
    const lastModified = response.headers.get('last-modified') ?? undefined;
    page = extracted
      ? { html: extracted.html, url: response.url, ...(extracted.title ? { title: extracted.title } : {}), ...(lastModified ? { lastModified } : {}) }
      : { failed: 'no article found in the page' };
    if (extracted) ctx.log.debug({ plugin: ctx.pluginName, url, method: extracted.method }, 'full text extracted');
  } catch (error) {
    page = { failed: error instanceof Error ? error.message : String(error) };
  }
  await ctx.store.set(CACHE, url, page, page.failed ? ctx.config.failure_ttl : ctx.config.cache_ttl);
  return page;
}

function upgrade(entry: Entry, page: CachedPage, ctx: PluginContext<Config>): Entry {
  if (!page.html) return entry;
  const previous = entry.content ?? entry.summary;
  const published = entry.published ?? entry.updated ?? (page.lastModified ? parseDate(page.lastModified, { defaultZone: ctx.global.timezone }) : undefined);
  return {
    ...entry,
    content: page.html,
    // The excerpt is kept as the summary, as Plagger kept the old body.
    ...(entry.summary === undefined && previous !== undefined ? { summary: previous } : {}),
    ...(!entry.title && page.title ? { title: page.title } : {}),
    ...(published && !entry.published && !entry.updated ? { published } : {}),
    meta: { ...entry.meta, fullText: { url: page.url } },
  };
}

async function fullTextFeed(feed: Feed, ctx: PluginContext<Config>): Promise<Feed> {
  const rules = [...ctx.config.sites, ...SITE_RULES];
  const limit = pLimit(ctx.config.concurrency);
  const failures: string[] = [];
  const entries = await Promise.all(
    feed.entries.map((entry) =>
      limit(async () => {
        if (!entry.link || !/^https?:\/\//i.test(entry.link)) return entry;
        if (!ctx.config.force && !isExcerpt(entry, ctx.config.min_length)) return entry;
        const page = await fetchArticle(entry.link, ctx, rules);
        if (page.failed) failures.push(`${entry.link}: ${page.failed}`);
        return upgrade(entry, page, ctx);
      }),
    ),
  );
  for (const failure of failures) ctx.log.warn({ plugin: ctx.pluginName }, `full text kept the excerpt: ${failure}`);
  return { ...feed, entries };
}

export default definePlugin({
  name: 'Filter::EntryFullText',
  aliases: ['Filter::FullText'],
  description: 'Fetches each excerpt\'s page and takes the article (site rules as data, else a readability-style guess); keeps the excerpt when that fails.',
  phase: 'filter',
  config,
  feed: fullTextFeed,
});
