import { z } from 'zod';
import type { Entry, Feed } from '../../pipeline/model.js';
import { makeFeed } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';

/** The feed each part of a merged or digest entry came from, in the order of `parts`. */
function partFeeds(entry: Entry): string[] | undefined {
  for (const key of ['merge', 'digest']) {
    const feeds = (entry.meta[key] as { feeds?: unknown } | undefined)?.feeds;
    if (Array.isArray(feeds) && feeds.length === entry.parts.length) return feeds as string[];
  }
  return undefined;
}

/** Entries with merged or digested entries replaced by their original parts, recursively. */
export function expandEntries(entries: Entry[]): Entry[] {
  const out: Entry[] = [];
  const visit = (entry: Entry) => {
    if (entry.parts.length === 0) out.push(entry);
    else for (const part of entry.parts) visit(part);
  };
  for (const entry of entries) visit(entry);
  return out;
}

/** Every part goes back to the feed it came from when that feed is here, else stays in place. */
export function expandFeeds(feeds: Feed[]): Feed[] {
  const byId = new Map(feeds.map((feed, i) => [feed.id, i]));
  const entries: Entry[][] = feeds.map(() => []);
  const place = (entry: Entry, feedIndex: number) => {
    if (entry.parts.length === 0) {
      entries[feedIndex]!.push(entry);
      return;
    }
    const origins = partFeeds(entry);
    entry.parts.forEach((part, i) => place(part, byId.get(origins?.[i] ?? '') ?? feedIndex));
  };
  feeds.forEach((feed, i) => feed.entries.forEach((entry) => place(entry, i)));
  return feeds.map((feed, i) => ({ ...feed, entries: entries[i]! }));
}

const config = z
  .object({
    /**
     * Put the expanded entries in a new feed with this id and leave the others as they are, so a
     * publisher can take one view (`rule: { feed.id: { equals: everything } }`) and another the rest.
     */
    feed: z.string().min(1).optional(),
    title: z.string().optional(),
  })
  .strict()
  .default({});

export default definePlugin({
  name: 'SmartFeed::Expand',
  aliases: ['SmartFeed::Everything'],
  description: 'Turns digests and merged entries back into their parts: the FriendFeed-style everything view.',
  phase: 'smartfeed',
  config,
  feeds(feeds, ctx) {
    if (!ctx.config.feed) return expandFeeds(feeds);
    const everything = makeFeed({
      id: ctx.config.feed,
      type: 'smartfeed',
      title: ctx.config.title ?? ctx.config.feed,
      entries: expandEntries(feeds.flatMap((feed) => feed.entries)),
    });
    return [...feeds, everything];
  },
});
