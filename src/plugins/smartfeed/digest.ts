import { z } from 'zod';
import type { PluginContext } from '../../pipeline/context.js';
import type { Entry, Feed } from '../../pipeline/model.js';
import { entryTime } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { durationMs } from '../../pipeline/rules/duration-schema.js';
import { escapeHtml } from '../../text/html.js';
import { DateTime } from 'luxon';
import { DEFAULT_CONTENT, DEFAULT_TITLE, renderContent, renderTitle, templateError } from './digest/template.js';
import { byTime, groupKey, timeWindow, type GroupBy, type WindowKind } from './digest/windows.js';

const template = (fallback: string) =>
  z
    .string()
    .superRefine((text, zctx) => {
      const error = templateError(text);
      if (error) zctx.addIssue({ code: 'custom', message: `template does not parse: ${error}` });
    })
    .default(fallback);

const config = z
  .object({
    /** One digest per source feed, per service, or per account at a service. */
    by: z.enum(['feed', 'service', 'account']).default('feed'),
    /** Calendar window on the recipe's timezone. */
    window: z.enum(['day', 'hour', 'week', 'month']).default('day'),
    /** Instead of a calendar window: a digest every N items. */
    items: z.number().int().min(2).optional(),
    /** Windows with fewer entries are left as they are. */
    min_items: z.number().int().positive().default(1),
    /** Mustache template for the title (plain text). */
    title: template(DEFAULT_TITLE),
    /** Mustache template for the body (HTML). */
    content: template(DEFAULT_CONTENT),
    /** How long parts are remembered, so a re-run rebuilds the whole window. */
    remember: durationMs.default(7 * 86_400_000),
    namespace: z.string().regex(/^[\w.-]+$/).default('default'),
  })
  .strict();

type Config = z.output<typeof config>;

const SERVICE_NAMES: Record<string, string> = {
  twitter: 'Twitter',
  x: 'X',
  hatena: 'はてな',
  'hatena-bookmark': 'はてなブックマーク',
  'hatena-haiku': 'はてなハイク',
  friendfeed: 'FriendFeed',
  mixi: 'mixi',
  facebook: 'Facebook',
  mastodon: 'Mastodon',
  bluesky: 'Bluesky',
  flickr: 'Flickr',
};

/** A part remembered between runs, with the feed it came from (for SmartFeed::Expand). */
interface StoredPart {
  feed: string;
  entry: Entry;
  /** Items mode: the number of the digest it went into, fixed once given. */
  chunk?: number;
}

interface GroupState {
  parts: StoredPart[];
  nextChunk?: number;
}

export interface DigestMeta {
  group: string;
  window: string;
  count: number;
  feeds: string[];
}

function viewOf(parts: StoredPart[], windowKey: string, zone: string) {
  const first = parts[0]!.entry;
  const last = parts.at(-1)!.entry;
  const local = (entry: Entry) => {
    const time = entryTime(entry);
    return time === undefined ? undefined : DateTime.fromMillis(time, { zone });
  };
  const service = first.source.service ?? first.source.plugin;
  const firstAt = local(first);
  const lastAt = local(last);
  return {
    service,
    service_name: SERVICE_NAMES[service] ?? first.source.feedTitle ?? service,
    feed_title: first.source.feedTitle ?? '',
    account: first.source.account ?? '',
    window: windowKey,
    date: firstAt?.toFormat('yyyy-MM-dd') ?? '',
    hour: firstAt?.toFormat('HH:00') ?? '',
    start: firstAt?.toFormat('yyyy-MM-dd HH:mm') ?? '',
    end: lastAt?.toFormat('yyyy-MM-dd HH:mm') ?? '',
    count: parts.length,
    entries: parts.map(({ entry }) => ({
      title: entry.title,
      link: entry.link ?? '',
      body: entry.content ?? entry.summary ?? escapeHtml(entry.title),
      time: local(entry)?.toFormat('HH:mm') ?? '',
      datetime: local(entry)?.toFormat('yyyy-MM-dd HH:mm') ?? '',
      author: entry.author ?? '',
      tags: entry.tags,
    })),
  };
}

function digestEntry(group: string, windowKey: string, parts: StoredPart[], c: Config, zone: string): Entry {
  const first = parts[0]!.entry;
  const last = parts.at(-1)!.entry;
  const view = viewOf(parts, windowKey, zone);
  const authors = new Set(parts.map((p) => p.entry.author).filter(Boolean));
  const link = first.source.feedLink ?? first.link;
  const meta: DigestMeta = { group, window: windowKey, count: parts.length, feeds: parts.map((p) => p.feed) };
  const dated = last.published ?? last.updated;
  return {
    id: `digest:${c.namespace === 'default' ? '' : `${c.namespace}:`}${group}:${windowKey}`,
    title: renderTitle(c.title, view),
    ...(link ? { link } : {}),
    content: renderContent(c.content, view),
    ...(authors.size === 1 ? { author: [...authors][0]! } : {}),
    ...(dated ? { published: dated, updated: dated } : {}),
    tags: [...new Set(parts.flatMap((p) => p.entry.tags))],
    enclosures: [],
    source: first.source,
    via: [],
    parts: parts.map((p) => p.entry),
    meta: { digest: meta },
  };
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Windows for the parts of one group; items mode numbers chunks once and keeps the numbers. */
function windowsOf(state: GroupState, c: Config, zone: string): Map<string, StoredPart[]> {
  const windows = new Map<string, StoredPart[]>();
  const sorted = [...state.parts].sort((a, b) => byTime(a.entry, b.entry));
  if (c.items !== undefined) {
    let next = state.nextChunk ?? 0;
    const counts = new Map<number, number>();
    for (const part of sorted) if (part.chunk !== undefined) counts.set(part.chunk, (counts.get(part.chunk) ?? 0) + 1);
    for (const part of sorted) {
      if (part.chunk !== undefined) continue;
      if ((counts.get(next) ?? 0) >= c.items) next++;
      part.chunk = next;
      counts.set(next, (counts.get(next) ?? 0) + 1);
    }
    state.nextChunk = next;
    for (const part of sorted) addTo(windows, `n${String(part.chunk).padStart(4, '0')}`, part);
    return windows;
  }
  for (const part of sorted) addTo(windows, timeWindow(entryTime(part.entry)!, c.window as WindowKind, zone).key, part);
  return windows;
}

async function digestFeeds(feeds: Feed[], ctx: PluginContext<Config>): Promise<Feed[]> {
  const c = ctx.config;
  const zone = ctx.global.timezone;
  const now = ctx.clock.now();
  const namespace = `digest:${c.namespace}`;

  const incoming = new Map<string, StoredPart[]>();
  for (const feed of feeds) {
    for (const entry of feed.entries) {
      // Digests are not digested again; an undated entry has no calendar window.
      if (entry.meta.digest !== undefined || (c.items === undefined && entryTime(entry) === undefined)) continue;
      const group = groupKey(entry, c.by as GroupBy);
      addTo(incoming, group, { feed: feed.id, entry });
    }
  }

  const replacement = new Map<Entry, Entry | null>();
  for (const [group, fresh] of incoming) {
    const stored = (await ctx.store.get<GroupState>(namespace, group)) ?? { parts: [] };
    const byId = new Map<string, StoredPart>();
    for (const part of stored.parts) {
      const time = entryTime(part.entry);
      if (time !== undefined && time < now - c.remember) continue;
      byId.set(part.entry.id, part);
    }
    for (const part of fresh) {
      const previous = byId.get(part.entry.id);
      byId.set(part.entry.id, previous?.chunk !== undefined ? { ...part, chunk: previous.chunk } : part);
    }
    const state: GroupState = { parts: [...byId.values()], ...(stored.nextChunk !== undefined ? { nextChunk: stored.nextChunk } : {}) };
    const windows = windowsOf(state, c, zone);
    await ctx.store.set(namespace, group, state, c.remember);

    for (const [windowKey, parts] of windows) {
      const inWindow = new Set(parts.map((p) => p.entry.id));
      // Only windows this run brought something to are emitted; the others are published already.
      if (parts.length < c.min_items || !fresh.some((p) => inWindow.has(p.entry.id))) continue;
      const digest = digestEntry(group, windowKey, parts, c, zone);
      let placed = false;
      for (const part of fresh) {
        if (!inWindow.has(part.entry.id)) continue;
        replacement.set(part.entry, placed ? null : digest);
        placed = true;
      }
    }
  }

  return feeds.map((feed) => {
    if (!feed.entries.some((entry) => replacement.has(entry))) return feed;
    const entries: Entry[] = [];
    for (const entry of feed.entries) {
      const replaced = replacement.get(entry);
      if (replaced === undefined) entries.push(entry);
      else if (replaced !== null) entries.push(replaced);
    }
    return { ...feed, entries };
  });
}

export default definePlugin({
  name: 'SmartFeed::Digest',
  aliases: ['SmartFeed::Daily'],
  description: 'One entry per source and window (day, hour, N items) from a Mustache template, dated by its last part; re-runs update it in place.',
  phase: 'smartfeed',
  config,
  feeds: digestFeeds,
});
