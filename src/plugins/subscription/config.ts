import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';

const feedItem = z.union([
  z.url(),
  z
    .object({
      url: z.url(),
      title: z.string().optional(),
      tags: z.union([z.string(), z.array(z.string())]).optional(),
      /** A source plugin to use for this URL instead of the one that claims it. */
      module: z.string().optional(),
      config: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
]);

/** Plagger's Subscription::Config: the recipe lists the feeds. */
export default definePlugin({
  name: 'Subscription::Config',
  description: 'Subscriptions listed in the recipe (URLs, or objects with url, title, tags).',
  phase: 'subscription',
  config: z.object({ feed: z.array(feedItem).min(1) }).strict(),
  async load(ctx) {
    return ctx.config.feed.map((item) => {
      const entry = typeof item === 'string' ? { url: item } : item;
      const tags = entry.tags === undefined ? [] : typeof entry.tags === 'string' ? entry.tags.split(/\s+/).filter(Boolean) : entry.tags;
      return {
        plugin: entry.module ?? '',
        url: entry.url,
        tags,
        config: entry.config ?? {},
        ...(entry.title ? { title: entry.title } : {}),
      };
    });
  },
});
