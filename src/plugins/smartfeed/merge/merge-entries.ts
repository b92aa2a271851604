/**
 * Cross-source merge: the same item seen in several places (a blog post, the tweet announcing it,
 * FriendFeed's copies) becomes one entry whose `via` lists the other places. Pure: feeds in,
 * feeds out; the originals are kept whole in `parts`, so SmartFeed::Expand can undo it.
 */
import type { Entry, EntrySource, Feed, ViaRef } from '../../../pipeline/model.js';
import { entryTime } from '../../../pipeline/model.js';
import { hostOf, hostWithin, withoutTracking } from '../../../pipeline/urls.js';
import { htmlToText } from '../../../text/html.js';
import { identityKey, referenceKeys } from './keys.js';
import { NearDuplicateIndex } from './near-duplicates.js';

export interface MergeOptions {
  /** Match on normalised permalinks and the links a post points at. */
  byUrl: boolean;
  /** Match on near-duplicate text. */
  byText: boolean;
  /** Jaccard similarity of character 3-grams at which two texts are copies. */
  threshold: number;
  /** Folded texts shorter than this are never matched by text. */
  minTextLength: number;
  /** Two texts are copies only when published within this many ms of each other. */
  textWindowMs: number;
  /** A post linking to more pages than this is not a copy of any of them. */
  maxReferences: number;
}

export const DEFAULT_MERGE_OPTIONS: MergeOptions = {
  byUrl: true,
  byText: true,
  threshold: 0.8,
  minTextLength: 30,
  textWindowMs: 3 * 86_400_000,
  maxReferences: 3,
};

/** What a merged entry remembers besides its parts: which feed each part came from. */
export interface MergeMeta {
  feeds: string[];
  matchedBy: Array<'url' | 'text'>;
  permalink?: string;
}

class DisjointSets {
  private readonly parent: Int32Array;
  constructor(size: number) {
    this.parent = Int32Array.from({ length: size }, (_, i) => i);
  }
  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }
  union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    // The smaller index stays root: a group's root is its first entry, so output order is stable.
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
    return true;
  }
}

interface Slot {
  entry: Entry;
  feedIndex: number;
  mergeable: boolean;
  identity: string | undefined;
  references: readonly string[];
  time: number | undefined;
}

const NO_REFERENCES: readonly string[] = [];

function mergeable(entry: Entry): boolean {
  // A digest is many items, not a copy of one.
  return entry.meta.digest === undefined;
}

function bodyText(entry: Entry, minLength: number): string {
  const body = entry.content ?? entry.summary ?? '';
  // Markup only ever shortens a text: one already too short needs no stripping.
  if (body.length < minLength) return body;
  return /[<&]/.test(body) ? htmlToText(body) : body;
}

/** Files the entry's body text (its title when the body has none) in the near-duplicate index. */
function indexText(index: NearDuplicateIndex, id: number, entry: Entry, minLength: number): void {
  const body = entry.content ?? entry.summary ?? '';
  // Most bodies with markup are simple enough to read without making their text first.
  if (body.length >= minLength && body.includes('<')) {
    const outcome = index.addMarkup(id, body, minLength);
    if (outcome === 'no text') index.add(id, entry.title, minLength);
    if (outcome !== 'not simple') return;
  }
  index.add(id, bodyText(entry, minLength) || entry.title, minLength);
}

/** Plagger's order: the source whose feed URL, then whose site, is on the permalink's domain. */
function ownership(slot: Slot, permalink: string | undefined): number {
  if (permalink !== undefined && slot.identity !== permalink) return 0;
  const linkHost = hostOf(slot.entry.link);
  if (!linkHost) return 0;
  const { feedHost, siteHost } = hostsOf(slot.entry.source);
  if (feedHost && hostWithin(linkHost, feedHost)) return 2;
  if (siteHost && hostWithin(linkHost, siteHost)) return 1;
  return 0;
}

interface SourceHosts {
  feedUrl: string;
  feedLink: string | undefined;
  feedHost: string | undefined;
  siteHost: string | undefined;
}

/** A run has a few dozen sources and thousands of copies to rank: each source's hosts are read once. */
const sourceHosts = new WeakMap<EntrySource, SourceHosts>();

function hostsOf(source: EntrySource): SourceHosts {
  const feedUrl = source.feedUrl ?? source.feedId;
  let hosts = sourceHosts.get(source);
  // Checked against the source as it is now, in case it was changed since.
  if (hosts === undefined || hosts.feedUrl !== feedUrl || hosts.feedLink !== source.feedLink) {
    hosts = { feedUrl, feedLink: source.feedLink, feedHost: hostOf(feedUrl), siteHost: hostOf(source.feedLink) };
    sourceHosts.set(source, hosts);
  }
  return hosts;
}

/** The URL most of the group shares: the page they are all about. */
function groupPermalink(members: Slot[]): string | undefined {
  const votes = new Map<string, number>();
  const identities = new Set<string>();
  for (const member of members) if (member.identity !== undefined) identities.add(member.identity);
  const vote = (key: string | undefined) => {
    if (key !== undefined && identities.has(key)) votes.set(key, (votes.get(key) ?? 0) + 1);
  };
  for (const member of members) {
    vote(member.identity);
    for (const key of member.references) vote(key);
  }
  let best: string | undefined;
  let bestVotes = 1;
  for (const [key, count] of votes) {
    if (count > bestVotes) {
      best = key;
      bestVotes = count;
    }
  }
  return best;
}

export function chooseLeader(members: Slot[], permalink = groupPermalink(members)): Slot {
  // The first in Plagger's order, found in one pass (ties go to the earlier member, as a stable sort would).
  let best = members[0]!;
  let bestOwns = ownership(best, permalink);
  let bestLength = bodyLength(best);
  for (let i = 1; i < members.length; i++) {
    const slot = members[i]!;
    const owns = ownership(slot, permalink);
    const length = bodyLength(slot);
    const before = owns - bestOwns || (best.time ?? Infinity) - (slot.time ?? Infinity) || length - bestLength;
    if (before > 0) {
      best = slot;
      bestOwns = owns;
      bestLength = length;
    }
  }
  return best;
}

function bodyLength(slot: Slot): number {
  return (slot.entry.content ?? slot.entry.summary ?? '').length;
}

function mergedEntry(members: Slot[], feedIds: string[], matchedBy: Set<'url' | 'text'>): { entry: Entry; leader: Slot } {
  const permalink = groupPermalink(members);
  const leaderSlot = chooseLeader(members, permalink);
  const leader = leaderSlot.entry;
  const tagSet = new Set<string>();
  for (const member of members) for (const tag of member.entry.tags) tagSet.add(tag);
  const tags = [...tagSet];
  // The leader's own via first, then each other copy followed by the places it was seen.
  const seenVia = new Set<string>([leader.id]);
  const via: ViaRef[] = [];
  const addVia = (ref: ViaRef) => {
    if (seenVia.has(ref.entryId)) return;
    seenVia.add(ref.entryId);
    via.push(ref);
  };
  for (const ref of leader.via) addVia(ref);
  for (const member of members) {
    if (member === leaderSlot) continue;
    const { entry } = member;
    if (!seenVia.has(entry.id)) addVia(entry.link ? { entryId: entry.id, link: entry.link, source: entry.source } : { entryId: entry.id, source: entry.source });
    for (const ref of entry.via) addVia(ref);
  }
  const merge: MergeMeta = {
    feeds: members.map((m) => feedIds[m.feedIndex]!),
    matchedBy: [...matchedBy],
    ...(permalink ? { permalink } : {}),
  };
  const merged: Entry = { ...leader, tags, via, parts: members.map((m) => m.entry), meta: { ...leader.meta, merge } };
  // The copy that leads may be a mirror's link with its campaign parameters; readers get the page.
  if (leader.link) merged.link = withoutTracking(leader.link);
  return { entry: merged, leader: leaderSlot };
}

/**
 * Merges copies across all the feeds given. A merged entry takes the place of its leader in the
 * leader's feed; the other copies leave their feeds.
 */
export function mergeFeeds(feeds: Feed[], options: MergeOptions = DEFAULT_MERGE_OPTIONS): { feeds: Feed[]; merged: number } {
  // What each entry is matched on, by position in feed order, in flat arrays: a Slot object per
  // entry (100,000 of them, every one kept to the end) was garbage for the collector to copy.
  // Slots are made only for the members of groups.
  let total = 0;
  for (const feed of feeds) total += feed.entries.length;
  const entries = new Array<Entry>(total);
  const feedIndexes = new Int32Array(total);
  const canMerge = new Uint8Array(total);
  const identities = new Array<string | undefined>(total);
  const references = new Array<readonly string[]>(total);
  const times = new Float64Array(total);
  const dated = new Uint8Array(total);
  const feedIds = feeds.map((feed) => feed.id);
  // Texts are indexed in the same pass: each pass over 100,000 entries scattered in memory costs.
  const index = options.byText ? new NearDuplicateIndex() : undefined;
  let position = 0;
  for (let feedIndex = 0; feedIndex < feeds.length; feedIndex++) {
    for (const entry of feeds[feedIndex]!.entries) {
      const mergeableEntry = mergeable(entry);
      if (index && mergeableEntry) indexText(index, position, entry, options.minTextLength);
      const identity = options.byUrl ? identityKey(entry) : undefined;
      entries[position] = entry;
      feedIndexes[position] = feedIndex;
      canMerge[position] = mergeableEntry ? 1 : 0;
      identities[position] = identity;
      references[position] = options.byUrl && mergeableEntry ? referenceKeys(entry, options.maxReferences, identity) : NO_REFERENCES;
      const time = entryTime(entry);
      if (time !== undefined) {
        times[position] = time;
        dated[position] = 1;
      }
      position++;
    }
  }
  const slotAt = (i: number): Slot => ({
    entry: entries[i]!,
    feedIndex: feedIndexes[i]!,
    mergeable: canMerge[i] === 1,
    identity: identities[i],
    references: references[i]!,
    time: dated[i] === 1 ? times[i]! : undefined,
  });

  const sets = new DisjointSets(total);
  // Per entry, how it was matched: bit 1 by URL, bit 2 by text.
  const how = new Uint8Array(total);
  const note = (a: number, b: number, kind: 'url' | 'text') => {
    if (!sets.union(a, b)) return;
    const bit = kind === 'url' ? 1 : 2;
    how[a]! |= bit;
    how[b]! |= bit;
  };

  if (options.byUrl) {
    const owners = new Map<string, number>();
    for (let i = 0; i < total; i++) {
      const identity = identities[i];
      if (identity === undefined || canMerge[i] === 0) continue;
      const first = owners.get(identity);
      if (first === undefined) owners.set(identity, i);
      else note(first, i, 'url');
    }
    for (let i = 0; i < total; i++) {
      for (const reference of references[i]!) {
        const target = owners.get(reference);
        if (target !== undefined) note(target, i, 'url');
      }
    }
  }

  if (index) {
    const accept = (a: number, b: number) => {
      // One source repeating itself ("今日の天気") is not a crosspost.
      if (entries[a]!.source.feedId === entries[b]!.source.feedId) return false;
      if (dated[a] === 1 && dated[b] === 1 && Math.abs(times[a]! - times[b]!) > options.textWindowMs) return false;
      return sets.find(a) !== sets.find(b);
    };
    for (const [a, b] of index.pairs(options.threshold, accept)) note(a, b, 'text');
  }

  const groups = new Map<number, number[]>();
  for (let i = 0; i < total; i++) {
    if (how[i] === 0) continue;
    const root = sets.find(i);
    const group = groups.get(root);
    if (group) group.push(i);
    else groups.set(root, [i]);
  }

  // What becomes of each slot, by position (slots are in feed order): 0 stays, 1 leaves its feed, 2
  // gives way to the merged entry it leads. Looking 100,000 entries up by identity in a Map cost
  // more than the merging itself.
  const fate = new Uint8Array(total);
  const mergedAt = new Map<number, Entry>();
  const touched = new Uint8Array(feeds.length);
  let merged = 0;
  for (const indexes of groups.values()) {
    if (indexes.length < 2) continue;
    const members = indexes.map(slotAt);
    const bits = indexes.reduce((all, i) => all | how[i]!, 0);
    const kinds = new Set<'url' | 'text'>([...(bits & 1 ? ['url' as const] : []), ...(bits & 2 ? ['text' as const] : [])]);
    const { entry, leader } = mergedEntry(members, feedIds, kinds);
    indexes.forEach((i, member) => {
      touched[feedIndexes[i]!] = 1;
      if (members[member] === leader) {
        mergedAt.set(i, entry);
        fate[i] = 2;
      } else {
        fate[i] = 1;
      }
    });
    merged += members.length - 1;
  }
  if (merged === 0) return { feeds, merged };

  position = 0;
  const out = feeds.map((feed, feedIndex) => {
    if (touched[feedIndex] === 0) {
      position += feed.entries.length;
      return feed;
    }
    const entries: Entry[] = [];
    for (const entry of feed.entries) {
      const next = fate[position];
      if (next === 0) entries.push(entry);
      else if (next === 2) entries.push(mergedAt.get(position)!);
      position++;
    }
    return { ...feed, entries };
  });
  return { feeds: out, merged };
}
