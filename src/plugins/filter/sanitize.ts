import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Entry } from '../../pipeline/model.js';
import { VERSION } from '../../version.js';
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

/** The keys sanitizing may change; the rest of an entry passes through as it is. */
const SANITIZED_KEYS = ['content', 'summary', 'parts'] as const;

const madeFrom = new WeakMap<Entry, string>();

/**
 * The digest of the unsanitized entry (and base URL, and our version) that `sanitizeOnRead` made
 * this one from. Equal digests, equal sanitized entries: a publisher that stored the entry made
 * from the same digest can keep what it stored without reading this one.
 */
export function sanitizedFrom(entry: Entry): string | undefined {
  return madeFrom.get(entry);
}

/**
 * Content and summary (nearly all of an entry's bytes) go into the hash as they are; serialising
 * them into JSON first would cost as much as sanitizing them.
 */
function digestOf(raw: Entry, options: SanitizeOptions): string {
  const { content, summary, source } = raw;
  // Spread with the three keys undefined (which JSON leaves out) rather than a rest pattern:
  // the same text, made faster.
  const rest = { ...raw, content: undefined, summary: undefined, source: undefined };
  const head = JSON.stringify([VERSION, options.baseUrl ?? null, rest, content?.length ?? null, summary?.length ?? null]);
  // Fed piece by piece: joined first, the text of every entry would be copied once more.
  const digest = createHash('sha256').update(sourceText(source)).update('\n').update(head);
  if (content) digest.update(content);
  if (summary) digest.update(summary);
  return digest.digest('base64url');
}

/** The entries of a feed share their source object: it is serialised once, not once per entry. */
const sourceTexts = new WeakMap<Entry['source'], string>();

function sourceText(source: Entry['source']): string {
  let text = sourceTexts.get(source);
  if (text === undefined) {
    text = JSON.stringify(source);
    sourceTexts.set(source, text);
  }
  return text;
}

/**
 * What `sanitizeEntry` would return, except that content, summary and parts are sanitized when
 * one of them is first read (a property getter, which spreads, `JSON.stringify` and structured
 * clones go through too): nothing can see them unsanitized, and an entry nobody reads — one a
 * publisher already stored, by `sanitizedFrom` — is never sanitized. Simple HTML takes the fast
 * path, anything else sanitize-html.
 */
export function sanitizeOnRead(raw: Entry, options: SanitizeOptions = {}): Entry {
  const entry: Entry = { ...raw };
  const digest = digestOf(raw, options);
  madeFrom.set(entry, digest);
  if (raw.content === undefined && raw.summary === undefined && raw.parts.length === 0) return entry;
  pending.set(entry, { raw, options, digest });
  Object.defineProperties(entry, lazyDescriptors('content' in entry, 'summary' in entry));
  return entry;
}

/** What an entry from `sanitizeOnRead` is made from, and what it became once read. */
interface Pending {
  raw: Entry;
  options: SanitizeOptions;
  digest: string;
  clean?: Entry;
}

const pending = new WeakMap<Entry, Pending>();

function settle(state: Pending): Entry {
  if (!state.clean) {
    state.clean = sanitizeSimpleEntry(state.raw, state.options) ?? sanitizeEntry(state.raw, state.options);
    madeFrom.set(state.clean, state.digest);
  }
  return state.clean;
}

/** The pending state of the entry a getter was called on (or of the entry it inherits from). */
function pendingOf(holder: object): Pending {
  for (let at: object | null = holder; at; at = Object.getPrototypeOf(at) as object | null) {
    const state = pending.get(at as Entry);
    if (state) return state;
  }
  throw new Error('sanitizeOnRead: an accessor was called on something that is not a pending entry');
}

/**
 * One getter and setter per key, shared by every entry, rather than new functions for each of
 * thousands of entries; assigning a value replaces the accessor with a plain property.
 */
const ACCESSORS = Object.fromEntries(
  SANITIZED_KEYS.map((key) => [
    key,
    {
      get(this: Entry) {
        return settle(pendingOf(this))[key];
      },
      set(this: Entry, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
      },
      enumerable: true,
      configurable: true,
    } satisfies PropertyDescriptor,
  ]),
) as Record<(typeof SANITIZED_KEYS)[number], PropertyDescriptor>;

const descriptorSets = new Map<string, PropertyDescriptorMap>();

function lazyDescriptors(hasContent: boolean, hasSummary: boolean): PropertyDescriptorMap {
  const id = `${hasContent ? 'c' : ''}${hasSummary ? 's' : ''}`;
  let set = descriptorSets.get(id);
  if (!set) {
    set = { parts: ACCESSORS.parts };
    if (hasContent) set.content = ACCESSORS.content;
    if (hasSummary) set.summary = ACCESSORS.summary;
    descriptorSets.set(id, set);
  }
  return set;
}

/**
 * An entry from `sanitizeOnRead` as a plain object, sanitized now: what a publisher stores and
 * renders (plain objects serialise faster than ones with getters). Any other entry as it is.
 */
export function settled(entry: Entry): Entry {
  const state = pending.get(entry);
  return state ? settle(state) : entry;
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
