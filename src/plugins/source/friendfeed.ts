/**
 * Source::FriendFeed — a FriendFeed feed from the v2 API (`/v2/feed/USER`), the v1 API
 * (`/api/feed/user/NICK?format=json`), or the Clio archive written at the 2015 shutdown (zip or
 * folder). FriendFeed is closed; the base URL points at a compatible service or at a copy served
 * over HTTP. Comments and likes are kept in `entry.meta.friendfeed`; entries FriendFeed mirrored
 * from Twitter or a blog link to the original, so that the merge step can join the two copies.
 */
import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';
import { makeFeed, type Entry, type EntrySource, type Feed } from '../../pipeline/model.js';
import type { PluginContext } from '../../pipeline/context.js';
import { decode } from '../../text/charset.js';
import { fetchPages } from './friendfeed/api.js';
import { readClioArchive } from './friendfeed/clio.js';
import { v1Entry, v1EntrySchema, v2Entry, v2EntrySchema } from './friendfeed/entries.js';

const PLUGIN_NAME = 'Source::FriendFeed';
const DEFAULT_BASE = { v2: 'https://friendfeed-api.com/', v1: 'https://friendfeed.com/' } as const;

const configSchema = z
  .object({
    /** The feed to read: a user's nickname or a group. */
    user: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a FriendFeed nickname (letters, digits, _ and -)').optional(),
    /** A Clio archive: the .zip, or the folder it unzips to. Read instead of the API. */
    archive: z.string().min(1).optional(),
    api: z.enum(['v2', 'v1']).default('v2'),
    /** Where the API lives; default friendfeed-api.com (v2) or friendfeed.com (v1). */
    base_url: z.url().optional(),
    /** Entries per request (the API's `num`). */
    // Numbers may come from the environment as text (`delay: ${FRIENDFEED_DELAY:-1}`).
    num: z.coerce.number().int().positive().max(500).default(100),
    /** Requests at most (`start` = 0, num, 2·num, …). */
    pages: z.coerce.number().int().positive().default(1),
    max_entries: z.coerce.number().int().positive().optional(),
    /** Seconds between page requests. */
    delay: z.coerce.number().min(0).default(1),
    /** v1 private feeds: Basic auth with the nickname and this remote key. */
    remote_key: z.string().min(1).optional(),
    /** Append likes and comments to each entry's content (they are always in meta). */
    render_comments: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
    if (!config.user && !config.archive) ctx.addIssue({ code: 'custom', message: 'give `user` (read the API) or `archive` (a Clio zip or folder)' });
    if (config.user && config.archive) ctx.addIssue({ code: 'custom', message: 'give either `user` or `archive`, not both' });
  });

type FriendFeedConfig = z.output<typeof configSchema>;

export default definePlugin({
  phase: 'source',
  name: PLUGIN_NAME,
  aliases: ['CustomFeed::FriendFeed'],
  description: 'FriendFeed entries with comments and likes: v2 or v1 API JSON, or a Clio shutdown archive (zip or folder)',
  config: configSchema,
  subscriptions: (config) => [
    // The archive's path as given is what the run report shows for it.
    config.archive ? { url: config.archive, tags: [], config } : { url: apiUrl(config, 0, config.num), tags: [], config },
  ],
  async fetch(_subscription, ctx) {
    return ctx.config.archive ? fromArchive(ctx) : fromApi(ctx);
  },
});

function baseUrl(config: FriendFeedConfig): string {
  const base = config.base_url ?? DEFAULT_BASE[config.api];
  return base.endsWith('/') ? base : `${base}/`;
}

function apiUrl(config: FriendFeedConfig, start: number, num: number): string {
  const user = encodeURIComponent(config.user ?? '');
  const url =
    config.api === 'v2'
      ? new URL(`v2/feed/${user}`, baseUrl(config))
      : new URL(`api/feed/user/${user}`, baseUrl(config));
  if (config.api === 'v1') url.searchParams.set('format', 'json');
  url.searchParams.set('start', String(start));
  url.searchParams.set('num', String(num));
  if (config.api === 'v2') {
    // As Clio asked: an empty maxcomments/maxlikes means all of them, not the first few.
    url.searchParams.set('maxcomments', '');
    url.searchParams.set('maxlikes', '');
  }
  return url.href;
}

function sourceFor(feedId: string, feedTitle: string, account: string, feedUrl?: string): EntrySource {
  return {
    plugin: PLUGIN_NAME,
    feedId,
    feedTitle,
    ...(feedUrl ? { feedUrl } : {}),
    feedLink: `https://friendfeed.com/${account}`,
    account,
    service: 'friendfeed',
  };
}

async function fromApi(ctx: PluginContext<FriendFeedConfig>): Promise<Feed> {
  const config = ctx.config;
  const user = config.user!;
  const headers: Record<string, string> = config.remote_key
    ? { authorization: `Basic ${Buffer.from(`${user}:${config.remote_key}`).toString('base64')}` }
    : {};
  const paging = {
    num: config.num,
    pages: config.pages,
    ...(config.max_entries ? { maxEntries: config.max_entries } : {}),
    delayMs: config.delay * 1000,
    headers,
  };
  const feedId = `friendfeed:${user}`;
  const firstUrl = apiUrl(config, 0, config.num);
  if (config.api === 'v1') {
    const result = await fetchPages(ctx, (start, num) => apiUrl(config, start, num), v1EntrySchema, paging);
    const title = `${result.entries[0]?.user?.name ?? user} on FriendFeed`;
    const source = sourceFor(feedId, title, user, firstUrl);
    const entries = result.entries.map((raw) => v1Entry(raw, { source, renderComments: config.render_comments }));
    return feedOf(feedId, title, user, firstUrl, entries, result.warnings);
  }
  const result = await fetchPages(ctx, (start, num) => apiUrl(config, start, num), v2EntrySchema, paging);
  const name = typeof result.feedInfo.name === 'string' ? result.feedInfo.name : user;
  const title = `${name} on FriendFeed`;
  const source = sourceFor(feedId, title, user, firstUrl);
  const entries = result.entries.map((raw) => v2Entry(raw, { source, renderComments: config.render_comments }));
  return feedOf(feedId, title, user, firstUrl, entries, result.warnings);
}

function feedOf(id: string, title: string, user: string, url: string | undefined, entries: Entry[], warnings: string[]): Feed {
  return makeFeed({
    id,
    type: 'friendfeed',
    title,
    ...(url ? { url } : {}),
    link: `https://friendfeed.com/${user}`,
    entries,
    meta: { warnings },
  });
}

/** A Clio archive: one Feed per feed folder in it (an archive usually holds one). */
async function fromArchive(ctx: PluginContext<FriendFeedConfig>): Promise<Feed[]> {
  const path = ctx.resolvePath(ctx.config.archive!);
  const read = await readClioArchive(path);
  const byFeed = new Map<string, { info?: Record<string, unknown>; raws: Array<{ where: string; value: unknown }> }>();
  const warnings = [...read.warnings];
  for (const file of read.files) {
    const group = byFeed.get(file.feed) ?? { raws: [] };
    byFeed.set(file.feed, group);
    let value: unknown;
    try {
      value = JSON.parse(decode(file.bytes, { kind: 'text' }).text);
    } catch (error) {
      warnings.push(`friendfeed: ${file.where}: not JSON (${(error as Error).message}); skipped`);
      continue;
    }
    if (file.kind === 'feedinfo') group.info = value as Record<string, unknown>;
    else group.raws.push({ where: file.where, value });
  }
  const feeds: Feed[] = [];
  for (const [folder, group] of byFeed) {
    const account = typeof group.info?.id === 'string' ? group.info.id : folder.split('/').pop() || 'friendfeed';
    const name = typeof group.info?.name === 'string' ? group.info.name : account;
    const feedId = `friendfeed:${account}`;
    const title = `${name} on FriendFeed`;
    const source = sourceFor(feedId, title, account);
    const feedWarnings: string[] = [];
    const entries: Entry[] = [];
    for (const raw of group.raws) {
      const parsed = v2EntrySchema.safeParse(raw.value);
      if (!parsed.success) {
        const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ');
        feedWarnings.push(`friendfeed: ${raw.where}: ${reason}; skipped`);
        continue;
      }
      entries.push(v2Entry(parsed.data, { source, renderComments: ctx.config.render_comments }));
    }
    if (entries.length === 0) {
      warnings.push(...feedWarnings);
      continue;
    }
    // Clio's files are named by the entry's short id, not by date: newest first, as the API gave them.
    entries.sort((a, b) => (b.published?.epochMs ?? 0) - (a.published?.epochMs ?? 0));
    const feed = feedOf(feedId, title, account, undefined, entries, feeds.length === 0 ? [...warnings, ...feedWarnings] : feedWarnings);
    feeds.push(feed);
  }
  if (feeds.length === 0) {
    const reasons = warnings.length ? `: ${warnings.join('; ')}` : '';
    throw new Error(`friendfeed: no entries in ${path} (looked for */_json/data/entries/*.js)${reasons}`);
  }
  return feeds;
}
