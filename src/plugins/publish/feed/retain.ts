import type { Entry } from '../../../pipeline/model.js';
import { entryTime, sortNewestFirst } from '../../../pipeline/model.js';

export interface RetainPolicy {
  keep: number;
  keepDays?: number;
  now: number;
}

/**
 * A feed's window across runs: this run's entries replace retained ones with the same id (a
 * digest re-run updates the day's digest rather than adding a second), and an entry that holds
 * others as its parts (a merged crosspost, a digest) takes the place of those parts where an
 * earlier run published them on their own: a tweet published alone, then merged into the blog
 * post it announced once the post's feed showed it, is not left behind as a second copy. Older
 * entries stay until they fall out of the window.
 */
export function retainWindow(retained: Entry[], incoming: readonly Entry[], policy: RetainPolicy): Entry[] {
  const byId = new Map<string, Entry>();
  for (const entry of retained) byId.set(entry.id, entry);
  for (const id of absorbedIds(incoming)) byId.delete(id);
  for (const entry of incoming) byId.set(entry.id, entry);
  const oldest = policy.keepDays === undefined ? -Infinity : policy.now - policy.keepDays * 86_400_000;
  const inWindow = [...byId.values()].filter((entry) => (entryTime(entry) ?? policy.now) >= oldest);
  return sortNewestFirst(inWindow).slice(0, policy.keep);
}

/** The ids of the entries that the given ones hold as parts, at any depth, other than their own. */
function absorbedIds(entries: readonly Entry[]): Set<string> {
  const absorbed = new Set<string>();
  const visit = (holder: Entry, parts: readonly Entry[]) => {
    for (const part of parts) {
      if (part.id !== holder.id) absorbed.add(part.id);
      if (part.parts.length > 0) visit(holder, part.parts);
    }
  };
  for (const entry of entries) if (entry.parts.length > 0) visit(entry, entry.parts);
  return absorbed;
}
