import pLimit from 'p-limit';
import { z } from 'zod';
import type { PluginContext } from '../../pipeline/context.js';
import type { Entry, Feed } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { durationMs } from '../../pipeline/rules/duration-schema.js';
import { twitterUrls } from '../smartfeed/merge/keys.js';

/** Shorteners and redirectors whose links say nothing until followed. */
export const SHORTENER_HOSTS = [
  't.co', 'bit.ly', 'bitly.com', 'j.mp', 'buff.ly', 'ow.ly', 'goo.gl', 'tinyurl.com', 'is.gd', 'v.gd', 'dlvr.it', 'ift.tt',
  'htn.to', 'amzn.to', 'amzn.asia', 'fb.me', 'lnkd.in', 't.ly', 'rebrand.ly', 'tiny.cc', 'trib.al', 'shar.es', 'wp.me',
  'nico.ms', 'ln.is', 'po.st', 'cutt.ly', 'shorturl.at', 'rb.gy', 'bl.ink', 'qr.ae', 'feedproxy.google.com',
];

const config = z
  .object({
    /** Hosts (or host:port) whose links are followed; the defaults are the common shorteners. */
    hosts: z.array(z.string().min(1)).default(SHORTENER_HOSTS),
    /** Redirects followed per link; a longer chain (or a loop) leaves the link as it was. */
    max_hops: z.number().int().min(1).max(20).default(5),
    /** Links resolved at once. */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** How long a resolved link is remembered. */
    cache_ttl: durationMs.default(30 * 86_400_000),
    timeout: durationMs.default(10_000),
  })
  .strict();

type Config = z.output<typeof config>;

const URL_IN_TEXT = /https?:\/\/[^\s"'<>()]+/g;
const CACHE = 'expand-url';

function isShort(url: string, hosts: Set<string>): boolean {
  try {
    const parsed = new URL(url);
    return hosts.has(parsed.host.toLowerCase()) || hosts.has(parsed.hostname.toLowerCase());
  } catch {
    return false;
  }
}

function shortUrlsIn(entry: Entry, hosts: Set<string>): string[] {
  const found = new Set<string>();
  if (entry.link && isShort(entry.link, hosts)) found.add(entry.link);
  for (const text of [entry.content, entry.summary]) {
    if (!text) continue;
    for (const match of text.matchAll(URL_IN_TEXT)) {
      const url = match[0].replace(/&amp;/g, '&').replace(/[.,;:!?]+$/, '');
      if (isShort(url, hosts)) found.add(url);
    }
  }
  return [...found];
}

/**
 * Follows one link hop by hop with HEAD (GET when HEAD is refused), without reading bodies. Once
 * a shortener has said where it points, that is the answer even if the page itself then fails.
 */
async function follow(url: string, ctx: PluginContext<Config>): Promise<string | undefined> {
  let current = url;
  for (let hop = 0; hop <= ctx.config.max_hops; hop++) {
    let response;
    try {
      response = await ctx.http.request(current, { method: 'HEAD', maxRedirects: 0, timeoutMs: ctx.config.timeout });
      if (response.status === 405 || response.status === 501) {
        response = await ctx.http.request(current, { method: 'GET', maxRedirects: 0, timeoutMs: ctx.config.timeout, maxBytes: 1024 * 1024 });
      }
    } catch (error) {
      if (hop > 0) return current;
      throw error;
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      current = new URL(location, current).href;
      continue;
    }
    if (response.status >= 400 && hop === 0) throw new Error(`${current}: HTTP ${response.status}`);
    return current;
  }
  ctx.log.warn({ plugin: ctx.pluginName, url }, `${url}: more than ${ctx.config.max_hops} redirects; left as it is`);
  return undefined;
}

function replaceUrls(text: string, expansions: Map<string, string>): string {
  return text.replace(URL_IN_TEXT, (match) => {
    const trailing = /[.,;:!?]+$/.exec(match)?.[0] ?? '';
    const url = match.slice(0, match.length - trailing.length);
    const expanded = expansions.get(url.replace(/&amp;/g, '&'));
    return expanded ? `${expanded.replace(/&/g, '&amp;')}${trailing}` : match;
  });
}

function rewrite(entry: Entry, expansions: Map<string, string>): Entry {
  const link = entry.link ? (expansions.get(entry.link) ?? entry.link) : undefined;
  const content = entry.content === undefined ? undefined : replaceUrls(entry.content, expansions);
  const summary = entry.summary === undefined ? undefined : replaceUrls(entry.summary, expansions);
  if (link === entry.link && content === entry.content && summary === entry.summary) return entry;
  return {
    ...entry,
    ...(link !== undefined ? { link } : {}),
    ...(content !== undefined ? { content } : {}),
    ...(summary !== undefined ? { summary } : {}),
    meta: { ...entry.meta, expandedUrls: Object.fromEntries([...expansions].filter(([short]) => shortUrlsInText(entry, short))) },
  };
}

function shortUrlsInText(entry: Entry, short: string): boolean {
  return entry.link === short || Boolean(entry.content?.includes(short)) || Boolean(entry.summary?.includes(short));
}

async function expandFeed(feed: Feed, ctx: PluginContext<Config>): Promise<Feed> {
  const hosts = new Set(ctx.config.hosts.map((host) => host.toLowerCase()));
  const expansions = new Map<string, string>();
  // A tweet already says where its t.co links go.
  for (const entry of feed.entries) {
    for (const url of twitterUrls(entry)) if (url.url && url.expanded_url) expansions.set(url.url, url.expanded_url);
  }
  const wanted = new Set(feed.entries.flatMap((entry) => shortUrlsIn(entry, hosts)).filter((url) => !expansions.has(url)));
  const limit = pLimit(ctx.config.concurrency);
  await Promise.all(
    [...wanted].map((url) =>
      limit(async () => {
        const cached = await ctx.store.get<string>(CACHE, url);
        if (cached) {
          expansions.set(url, cached);
          return;
        }
        try {
          const target = await follow(url, ctx);
          if (target && target !== url) {
            expansions.set(url, target);
            await ctx.store.set(CACHE, url, target, ctx.config.cache_ttl);
          }
        } catch (error) {
          // Not cached: a shortener that is down now may answer next run.
          ctx.log.warn({ plugin: ctx.pluginName, url, err: error }, `${url}: not expanded (${error instanceof Error ? error.message : String(error)})`);
        }
      }),
    ),
  );
  if (expansions.size === 0) return feed;
  return { ...feed, entries: feed.entries.map((entry) => rewrite(entry, expansions)) };
}

export default definePlugin({
  name: 'Filter::ExpandURL',
  aliases: ['Filter::TruePermalink', 'Filter::ExpandShortURL'],
  description: 'Resolves shortened links (t.co, bit.ly, …) in links and bodies by following redirects, with a hop cap, a cache and limited concurrency.',
  phase: 'filter',
  config,
  feed: expandFeed,
});
