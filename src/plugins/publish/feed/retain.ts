import type { Entry } from '../../../pipeline/model.js';
import { entryTime, sortNewestFirst } from '../../../pipeline/model.js';

export interface RetainPolicy {
  keep: number;
  keepDays?: number;
  now: number;
}

/**
 * A feed's window across runs: this run's entries replace retained ones with the same id (a
 * digest re-run updates the day's digest rather than adding a second), older ones stay until
 * they fall out of the window.
 */
export function retainWindow(retained: Entry[], incoming: Entry[], policy: RetainPolicy): Entry[] {
  const byId = new Map<string, Entry>();
  for (const entry of retained) byId.set(entry.id, entry);
  for (const entry of incoming) byId.set(entry.id, entry);
  const oldest = policy.keepDays === undefined ? -Infinity : policy.now - policy.keepDays * 86_400_000;
  const inWindow = [...byId.values()].filter((entry) => (entryTime(entry) ?? policy.now) >= oldest);
  return sortNewestFirst(inWindow).slice(0, policy.keep);
}
