import { z } from 'zod';
import type { Entry } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { sanitizeHtmlFragment, type SanitizeOptions } from './sanitize/policy.js';
import { sanitizeSimpleHtml } from './sanitize/simple.js';

export { sanitizeHtmlFragment } from './sanitize/policy.js';

/** Looks like markup: a summary may be plain text, which must stay exactly as it is. */
const MARKUP = /<[a-z!/]|&[#a-z0-9]+;/i;

/**
 * The entry as it may be published: content and summary through the allowlist, relative links
 * resolved against the entry's link (else `baseUrl`, the feed's page). Pure; the pipeline runs it
 * on every entry last, before publishing.
 */
export function sanitizeEntry(entry: Entry, options: SanitizeOptions = {}): Entry {
  return sanitizeEntryWith(entry, options, sanitizeHtmlFragment)!;
}

/**
 * The same, when every fragment of the entry is simple enough for the fast path; `undefined`
 * when sanitize-html has to decide (worth remembering, since it is slow).
 */
export function sanitizeSimpleEntry(entry: Entry, options: SanitizeOptions = {}): Entry | undefined {
  return sanitizeEntryWith(entry, options, (html, within) => (html ? sanitizeSimpleHtml(html, within.baseUrl) : html));
}

function sanitizeEntryWith(entry: Entry, options: SanitizeOptions, clean: (html: string, within: SanitizeOptions) => string | undefined): Entry | undefined {
  const baseUrl = entry.link ?? options.baseUrl ?? entry.source.feedLink ?? entry.source.feedUrl;
  const within: SanitizeOptions = baseUrl ? { baseUrl } : {};
  const content = entry.content === undefined ? undefined : clean(entry.content, within);
  if (entry.content !== undefined && content === undefined) return undefined;
  const summary = entry.summary === undefined || !MARKUP.test(entry.summary) ? entry.summary : clean(entry.summary, within);
  if (entry.summary !== undefined && summary === undefined) return undefined;
  let parts = entry.parts;
  if (parts.length > 0) {
    const cleanParts = parts.map((part) => sanitizeEntryWith(part, options, clean));
    if (cleanParts.some((part) => part === undefined)) return undefined;
    parts = cleanParts as Entry[];
  }
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
