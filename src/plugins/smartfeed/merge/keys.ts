/**
 * The URL keys an entry is matched on: its own permalink (identity) and the pages it points at
 * (references: the t.co links of a tweet expanded through `meta.twitter.urls`, the links of a
 * short post). A reference to another entry's identity means "this announces that".
 */
import type { Entry } from '../../../pipeline/model.js';
import { hasText, hostOf, normalizePermalink } from '../../../pipeline/urls.js';

export interface TwitterUrl {
  url?: string;
  expanded_url?: string;
  display_url?: string;
}

/** Longer posts link to many things they are not copies of. */
const SHORT_POST_CHARS = 600;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi;
const SHORTENER_HOSTS = new Set(['t.co', 'bit.ly', 'buff.ly', 'ow.ly', 'goo.gl', 'tinyurl.com', 'dlvr.it', 'ift.tt', 'htn.to', 'amzn.to', 'youtu.be']);

/** Shared by every entry that has none: most entries have neither t.co links nor references. */
const NONE: readonly never[] = [];

export function twitterUrls(entry: Entry): readonly TwitterUrl[] {
  const twitter = entry.meta.twitter as { urls?: unknown } | undefined;
  return Array.isArray(twitter?.urls) ? (twitter.urls as TwitterUrl[]) : NONE;
}

const NO_EXPANSIONS = new Map<string, string>();

/** The t.co → page map a tweet carries, for links still written short. */
function expansionsOf(entry: Entry): Map<string, string> {
  const urls = twitterUrls(entry);
  if (urls.length === 0) return NO_EXPANSIONS;
  const map = new Map<string, string>();
  for (const url of urls) if (url.url && url.expanded_url) map.set(url.url, url.expanded_url);
  return map;
}

export function identityKey(entry: Entry): string | undefined {
  return hasText(entry.link) ? normalizePermalink(entry.link) : undefined;
}

export function referenceKeys(entry: Entry, maxReferences: number, identity = identityKey(entry)): readonly string[] {
  const body = entry.content ?? entry.summary ?? '';
  const scanBody = body.length <= SHORT_POST_CHARS * 4 && body.includes('href');
  const urls = twitterUrls(entry);
  return scanBody || urls.length > 0 ? linkedKeys(entry, maxReferences, identity, urls, scanBody ? body : undefined) : NONE;
}

/** Kept apart from referenceKeys so that the common case (no links at all) allocates nothing for the closure. */
function linkedKeys(entry: Entry, maxReferences: number, identity: string | undefined, urls: readonly TwitterUrl[], body: string | undefined): readonly string[] {
  const own = hostOf(entry.link);
  const expansions = expansionsOf(entry);
  const found = new Set<string>();
  const add = (raw: string | undefined) => {
    if (!raw) return;
    const url = expansions.get(raw) ?? raw;
    const host = hostOf(url);
    if (!host || host === own || SHORTENER_HOSTS.has(host)) return;
    found.add(normalizePermalink(url));
  };
  for (const url of urls) add(url.expanded_url);
  if (body !== undefined) {
    for (const match of body.matchAll(HREF)) add(decodeAmpersands(match[1] ?? match[2] ?? match[3]));
  }
  if (identity) found.delete(identity);
  return found.size <= maxReferences ? [...found] : NONE;
}

function decodeAmpersands(url: string | undefined): string | undefined {
  return url?.replace(/&amp;/g, '&');
}
