import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';
import { durationMs } from '../../pipeline/rules/duration-schema.js';
import { DEFAULT_MERGE_OPTIONS, mergeFeeds } from './merge/merge-entries.js';

const config = z
  .object({
    /** Match on normalised permalinks, and on the pages short posts link to (t.co expanded). */
    by_url: z.boolean().default(DEFAULT_MERGE_OPTIONS.byUrl),
    /** Match on near-duplicate text. */
    by_text: z.boolean().default(DEFAULT_MERGE_OPTIONS.byText),
    /** Similarity (0–1, Jaccard of character 3-grams) at which two texts are copies. */
    threshold: z.number().gt(0).max(1).default(DEFAULT_MERGE_OPTIONS.threshold),
    /** Texts shorter than this (letters and digits) are never matched by text. */
    min_text_length: z.number().int().positive().default(DEFAULT_MERGE_OPTIONS.minTextLength),
    /** Copies by text must be published this close together. */
    text_window: durationMs.default(DEFAULT_MERGE_OPTIONS.textWindowMs),
    /** A post linking to more pages than this is not a copy of any of them. */
    max_references: z.number().int().nonnegative().default(DEFAULT_MERGE_OPTIONS.maxReferences),
  })
  .strict();

export default definePlugin({
  name: 'SmartFeed::Merge',
  aliases: ['SmartFeed::Crosspost'],
  description: 'One entry per item seen in several places (blog post, the tweet announcing it, FriendFeed copies); the others listed in via, all kept in parts.',
  phase: 'smartfeed',
  config,
  feeds(feeds, ctx) {
    const c = ctx.config;
    const { feeds: out, merged } = mergeFeeds(feeds, {
      byUrl: c.by_url,
      byText: c.by_text,
      threshold: c.threshold,
      minTextLength: c.min_text_length,
      textWindowMs: c.text_window,
      maxReferences: c.max_references,
    });
    ctx.log.debug({ plugin: ctx.pluginName, merged }, 'merged copies');
    return out;
  },
});
