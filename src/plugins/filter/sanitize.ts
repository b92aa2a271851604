import { z } from 'zod';
import type { Entry } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { sanitizeHtmlFragment, type SanitizeOptions } from './sanitize/policy.js';

export { sanitizeHtmlFragment } from './sanitize/policy.js';

/** Looks like markup: a summary may be plain text, which must stay exactly as it is. */
const MARKUP = /<[a-z!/]|&[#a-z0-9]+;/i;

/**
 * The entry as it may be published: content and summary through the allowlist, relative links
 * resolved against the entry's link (else `baseUrl`, the feed's page). Pure; the pipeline runs it
 * on every entry last, before publishing.
 */
export function sanitizeEntry(entry: Entry, options: SanitizeOptions = {}): Entry {
  const baseUrl = entry.link ?? options.baseUrl ?? entry.source.feedLink ?? entry.source.feedUrl;
  const within: SanitizeOptions = baseUrl ? { baseUrl } : {};
  const content = entry.content === undefined ? undefined : sanitizeHtmlFragment(entry.content, within);
  const summary = entry.summary === undefined || !MARKUP.test(entry.summary) ? entry.summary : sanitizeHtmlFragment(entry.summary, within);
  const parts = entry.parts.length > 0 ? entry.parts.map((part) => sanitizeEntry(part, options)) : entry.parts;
  if (content === entry.content && summary === entry.summary && parts === entry.parts) return entry;
  return {
    ...entry,
    ...(content !== undefined ? { content } : {}),
    ...(summary !== undefined ? { summary } : {}),
    parts,
  };
}

export default definePlugin({
  name: 'Filter::Sanitize',
  aliases: ['Filter::HTMLScrubber', 'Filter::ResolveRelativeLink'],
  description: 'HTML allowlist (no scripts, handlers, javascript: URLs or styles); absolute links; lazy images fixed. Always runs last before publishing.',
  phase: 'filter',
  config: z
    .object({
      /** Base for relative links when an entry has no link of its own. */
      base_url: z.url().optional(),
    })
    .strict()
    .default({}),
  entry(entry, feed, ctx) {
    const baseUrl = ctx.config.base_url ?? feed.link ?? feed.url;
    return sanitizeEntry(entry, baseUrl ? { baseUrl } : {});
  },
});
