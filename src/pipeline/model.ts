/**
 * The one shape every source is converted into (DESIGN.md §2). Plugins read and write these
 * plain objects; nothing here does I/O.
 */

/** How precisely a time is known. */
export type WhenPrecision = 'second' | 'minute' | 'day' | 'month' | 'year';

/**
 * A point in time plus how we know it.
 * - `zoned`: the input carried an offset (`+0900`, `Z`, `JST`).
 * - `assumed`: the input was naive and got the source's zone (`zone`).
 * - `date`: only a day (or month, year) is known; `epochMs` is the start of it in `zone`.
 */
export interface When {
  epochMs: number;
  kind: 'zoned' | 'assumed' | 'date';
  precision: WhenPrecision;
  /** Offset in minutes east of UTC as written in the input (zoned only). */
  offsetMinutes?: number;
  /** IANA zone that gave a naive time its meaning (assumed and date). */
  zone?: string;
  /** Parts that were not in the input but inferred (a mixi list date has no year). */
  inferred?: Array<'year'>;
}

export interface Enclosure {
  url: string;
  type?: string;
  length?: number;
  /** A file inside an archive or on disk, when the enclosure came from an export. */
  localPath?: string;
  title?: string;
}

/** Where an entry came from. */
export interface EntrySource {
  /** Plugin name, e.g. `Source::Feed`. */
  plugin: string;
  /** Stable id of the feed inside the run (subscription URL or plugin-chosen id). */
  feedId: string;
  feedTitle?: string;
  feedUrl?: string;
  feedLink?: string;
  /** Account or user name at the service, when the source knows it. */
  account?: string;
  /** Short service key for icons and rules: `feed`, `hatena`, `twitter`, `mixi`, `friendfeed`… */
  service?: string;
}

/** Another place the same item was seen (after a cross-source merge). */
export interface ViaRef {
  entryId: string;
  link?: string;
  source: EntrySource;
}

export interface Entry {
  /** Stable across runs: source + guid, else normalised permalink, else content hash. */
  id: string;
  /** The id the source gave the item (RSS guid, Atom id, tweet id), if any. */
  guid?: string;
  /** Plain text. */
  title: string;
  link?: string;
  /** HTML. */
  content?: string;
  /** HTML or plain text. */
  summary?: string;
  author?: string;
  published?: When;
  updated?: When;
  // The four lists are read-only: a plugin that changes one gives the entry a new list, so many
  // entries can share one (frozen) empty list, NO_ITEMS.
  tags: readonly string[];
  enclosures: readonly Enclosure[];
  source: EntrySource;
  via: readonly ViaRef[];
  /** Entries a digest or merge was made from, so that it can be expanded again. */
  parts: readonly Entry[];
  /** Plugin-specific extras. Keys are namespaced by the plugin (`twitter`, `fixMojibake`…). */
  meta: Record<string, unknown>;
}

export interface Feed {
  id: string;
  /** `feed`, `smartfeed`, `twitter`, `mixi`… (Plagger's feed type, usable in rules). */
  type: string;
  title: string;
  url?: string;
  link?: string;
  description?: string;
  author?: string;
  language?: string;
  updated?: When;
  tags: string[];
  entries: Entry[];
  meta: Record<string, unknown>;
}

/** One thing to fetch, produced by the subscription phase or by a source plugin's own config. */
export interface Subscription {
  /** The source plugin that will fetch it (canonical name). */
  plugin: string;
  url?: string;
  title?: string;
  tags: string[];
  /** The source plugin's validated config for this subscription. */
  config: Record<string, unknown>;
  /** Where it was declared, for error messages: `recipes/x.yaml:12:5`. */
  origin?: string;
}

/**
 * The empty list, shared by every entry that has one (each `[]` is an object of its own: for an
 * archive of 100,000 tweets, mostly with four empty lists, that was 13 MB). Frozen, and the lists
 * are read-only in their types, so no entry's list can be changed through another's.
 */
export const NO_ITEMS: readonly never[] = Object.freeze([]);

export function makeEntry(fields: Partial<Entry> & Pick<Entry, 'id' | 'source'>): Entry {
  return {
    title: '',
    tags: NO_ITEMS,
    enclosures: NO_ITEMS,
    via: NO_ITEMS,
    parts: NO_ITEMS,
    meta: {},
    ...fields,
  };
}

export function makeFeed(fields: Partial<Feed> & Pick<Feed, 'id'>): Feed {
  return {
    type: 'feed',
    title: '',
    tags: [],
    entries: [],
    meta: {},
    ...fields,
  };
}

/** The date an entry sorts by: published, else updated. */
export function entryTime(entry: Entry): number | undefined {
  return entry.published?.epochMs ?? entry.updated?.epochMs;
}

/** Newest first; undated entries last, in their original order. */
export function sortNewestFirst(entries: Entry[]): Entry[] {
  return entries
    .map((entry, index) => ({ entry, index, time: entryTime(entry) }))
    .sort((a, b) => {
      if (a.time === undefined && b.time === undefined) return a.index - b.index;
      if (a.time === undefined) return 1;
      if (b.time === undefined) return -1;
      return b.time - a.time || a.index - b.index;
    })
    .map(({ entry }) => entry);
}
