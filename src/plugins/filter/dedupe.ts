import { z } from 'zod';
import { entryTime, type Entry } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { durationMs } from '../../pipeline/rules/duration-schema.js';
import { contentDigest, SEEN_KEY_KINDS, SeenBuckets, SeenKeys } from '../../pipeline/seen.js';

const config = z
  .object({
    /** Which key identifies an entry: the first of these it has. */
    by: z.array(z.enum(['guid', 'link', 'content'])).min(1).default([...SEEN_KEY_KINDS]),
    /** How long a key is remembered (`30d`); entries dated before the window count as seen. */
    window: durationMs.optional(),
    /** Let an entry through again when its title or body changed (Plagger's compare_body). */
    compare_body: z.boolean().default(false),
    /** Separate seen sets for separate outputs. */
    namespace: z.string().regex(/^[\w.-]+$/).default('default'),
  })
  .strict();

/**
 * Drops entries seen in earlier runs (and repeats within a run). It works across all feeds at
 * once, at the smartfeed stage as Plagger's Filter::Rule did, so a run of any size costs a few
 * store operations instead of one per entry.
 */
export default definePlugin({
  name: 'Filter::Dedupe',
  aliases: ['SmartFeed::Dedupe', 'Filter::Deduped'],
  description: 'Drops entries seen before: key = guid, else normalised permalink, else a content hash; remembered in the state store.',
  phase: 'smartfeed',
  config,
  async feeds(feeds, ctx) {
    const now = ctx.clock.now();
    const { by, window, compare_body: compareBody, namespace } = ctx.config;
    // Without a window nothing is too old, and no entry's date need be read.
    const oldest = window === undefined ? -Infinity : now - window;
    // Positions in feed order instead of a Set of entries: hashing 100,000 entry objects by
    // identity, and looking each one up again, was about a sixth of a large dedupe's profile.
    let total = 0;
    for (const feed of feeds) total += feed.entries.length;
    const inWindow = new Uint8Array(total);
    // Each key hashed as it is found, without building its `url:` + link string.
    const keys = new SeenKeys();
    const digests: string[] | undefined = compareBody ? [] : undefined;
    let position = 0;
    for (const feed of feeds) {
      for (const entry of feed.entries) {
        // Entries dated before the window are no longer remembered, so they cannot be told apart
        // from ones seen long ago: they count as seen.
        if (window === undefined || (entryTime(entry) ?? now) >= oldest) {
          inWindow[position] = 1;
          keys.addEntry(entry, by);
          digests?.push(contentDigest(entry));
        }
        position++;
      }
    }
    const seen = new SeenBuckets(ctx.store, `seen:dedupe:${namespace}`, window);
    const sightings = await seen.sightAll(keys, now, digests);
    let candidate = 0;
    let kept = 0;
    position = 0;
    const out = feeds.map((feed) => {
      const entries: Entry[] = [];
      for (const entry of feed.entries) {
        if (inWindow[position++] === 1 && sightings[candidate++] !== 'seen') entries.push(entry);
      }
      kept += entries.length;
      return { ...feed, entries };
    });
    ctx.log.debug({ plugin: ctx.pluginName, dropped: total - kept, kept }, 'dedupe');
    return out;
  },
});
