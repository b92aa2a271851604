/**
 * What "seen before" means, shared by the `deduped` rule and Filter::Dedupe: a key per entry
 * (its guid, else its normalised permalink, else a hash of its text) remembered in the state
 * store across runs.
 */
import { createHash } from 'node:crypto';
import type { Store } from './context.js';
import type { Entry } from './model.js';
import { normalizePermalink } from './urls.js';
import { htmlToText } from '../text/html.js';

export type SeenKeyKind = 'guid' | 'link' | 'content';
export const SEEN_KEY_KINDS: readonly SeenKeyKind[] = ['guid', 'link', 'content'];

/** Text folded so that whitespace, case and markup changes do not make a "new" entry. */
export function normalizedText(entry: Entry): string {
  const body = entry.content ?? entry.summary ?? '';
  const text = /[<&]/.test(body) ? htmlToText(body) : body;
  return `${entry.title}\n${text}`.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function contentDigest(entry: Entry): string {
  return createHash('sha256').update(normalizedText(entry)).digest('base64url').slice(0, 22);
}

/**
 * The first key of the kinds asked for that the entry has. A guid is scoped by its feed: two
 * feeds may number their items alike.
 */
export function seenKey(entry: Entry, kinds: readonly SeenKeyKind[] = SEEN_KEY_KINDS): string {
  for (const kind of kinds) {
    if (kind === 'guid' && entry.guid?.trim()) return `guid:${entry.source.feedId} ${entry.guid.trim()}`;
    if (kind === 'link' && entry.link?.trim()) return `url:${normalizePermalink(entry.link)}`;
    if (kind === 'content') return `sha:${contentDigest(entry)}`;
  }
  return `sha:${contentDigest(entry)}`;
}

interface SeenRecord {
  at: number;
  digest?: string;
}

export type Sighting = 'new' | 'seen' | 'changed';

/** Keys remembered in one namespace of the state store. */
export class SeenStore {
  constructor(
    private readonly store: Store,
    readonly namespace: string,
  ) {}

  /**
   * Whether `key` is new, seen, or seen with another `digest` (the body changed); records it.
   * `ttlMs` bounds how long a key is remembered.
   */
  async sight(key: string, options: { now: number; ttlMs?: number; digest?: string }): Promise<Sighting> {
    const previous = await this.store.get<SeenRecord>(this.namespace, key);
    const digestChanged = options.digest !== undefined && previous !== undefined && previous.digest !== options.digest;
    if (previous && !digestChanged) return 'seen';
    const record: SeenRecord = { at: options.now, ...(options.digest !== undefined ? { digest: options.digest } : {}) };
    await this.store.set(this.namespace, key, record, options.ttlMs);
    return previous ? 'changed' : 'new';
  }
}
