import { z } from 'zod';
import type { Entry } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { repairMojibakeDetailed } from '../../text/mojibake.js';

const config = z
  .object({
    /** Plain-text title: on by default, where mojibake is seen most (imported titles). */
    title: z.boolean().default(true),
    /** HTML fields: double escapes are undone one level only, so markup stays markup. */
    summary: z.boolean().default(false),
    content: z.boolean().default(false),
    author: z.boolean().default(false),
  })
  .strict();

const FIELDS = [
  { field: 'title', html: false },
  { field: 'summary', html: true },
  { field: 'content', html: true },
  { field: 'author', html: false },
] as const;

/** What the filter did to one entry, kept in `entry.meta.fixMojibake`. */
export interface FixMojibakeMeta {
  /** Field → the corruption paths undone in it, e.g. `{ title: ['UTF-8 read as Shift_JIS'] }`. */
  repaired: Partial<Record<(typeof FIELDS)[number]['field'], string[]>>;
}

/**
 * Repairs mojibake per entry (src/text/mojibake.ts): text decoded with the wrong charset at some
 * earlier hop (an import, a bridge, a mail gateway) comes back as it was written. Text that is
 * already right is never changed.
 */
export default definePlugin({
  name: 'Filter::FixMojibake',
  aliases: ['Filter::Mojibake', 'Filter::FixEncoding'],
  description: 'Repairs text decoded with the wrong charset (UTF-8/Shift_JIS/EUC-JP mix-ups, double escapes); records what it undid.',
  phase: 'filter',
  config,
  entry(entry, _feed, ctx) {
    const repaired: FixMojibakeMeta['repaired'] = {};
    const changes: Partial<Pick<Entry, (typeof FIELDS)[number]['field']>> = {};
    for (const { field, html } of FIELDS) {
      const text = entry[field];
      if (!ctx.config[field] || !text) continue;
      const result = repairMojibakeDetailed(text, { html });
      if (result.text === text) continue;
      changes[field] = result.text;
      repaired[field] = result.repairs;
    }
    if (Object.keys(changes).length === 0) return entry;
    ctx.log.debug({ plugin: ctx.pluginName, entry: entry.id, repaired }, 'mojibake repaired');
    const meta: FixMojibakeMeta = { repaired };
    return { ...entry, ...changes, meta: { ...entry.meta, fixMojibake: meta } };
  },
});
