/** Which digest an entry belongs to: its group (source) and its window (day, hour, N items). */
import { DateTime } from 'luxon';
import type { Entry } from '../../../pipeline/model.js';
import { entryTime } from '../../../pipeline/model.js';

export type GroupBy = 'feed' | 'service' | 'account';
export type WindowKind = 'day' | 'hour' | 'week' | 'month';

export function groupKey(entry: Entry, by: GroupBy): string {
  const source = entry.source;
  const service = source.service ?? source.plugin;
  switch (by) {
    case 'service':
      return service;
    case 'account':
      return `${service}/${source.account ?? source.feedId}`;
    default:
      return source.feedId;
  }
}

export interface TimeWindow {
  /** Stable text of the window: `2008-05-30`, `2008-05-30T21`, `2008-W22`, `2008-05`. */
  key: string;
  start: DateTime;
  end: DateTime;
}

/** The window an instant falls in, on the wall clock of `zone`. */
export function timeWindow(epochMs: number, kind: WindowKind, zone: string): TimeWindow {
  const at = DateTime.fromMillis(epochMs, { zone });
  const unit = kind === 'hour' ? 'hour' : kind === 'week' ? 'week' : kind === 'month' ? 'month' : 'day';
  const start = at.startOf(unit);
  const key =
    kind === 'hour'
      ? start.toFormat("yyyy-MM-dd'T'HH")
      : kind === 'week'
        ? start.toFormat("kkkk-'W'WW")
        : kind === 'month'
          ? start.toFormat('yyyy-MM')
          : start.toFormat('yyyy-MM-dd');
  return { key, start, end: start.plus({ [unit]: 1 }) };
}

export function byTime(a: Entry, b: Entry): number {
  return (entryTime(a) ?? 0) - (entryTime(b) ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
