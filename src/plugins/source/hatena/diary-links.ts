/**
 * Links and ids of Hatena Diary sections. The same section is identified by (user, day, anchor)
 * whether it came from the old RSS or from the export, and whatever host serves it now
 * (formats.md §1.7): that key, not the URL, is the entry id.
 */
import { entryId } from '../../../pipeline/ids.js';
import type { SectionAnchor } from './notation.js';

/**
 * `diary`: `https://d.hatena.ne.jp/USER/20080530/1212150896`, `…/20080530#p1` (the old diary).
 * `blog`: `https://USER.hatenadiary.jp/entry/20080530/1212150896` (where diaries moved in 2019).
 */
export type DiaryLinkStyle = { kind: 'diary'; base: string } | { kind: 'blog'; base: string };

export const DIARY_NAMESPACE = 'hatena-diary';

export function diaryEntryId(user: string, compactDate: string, anchor?: string): string {
  return entryId(DIARY_NAMESPACE, { guid: `${user}/${compactDate}${anchor ? `/${anchor}` : ''}` });
}

export function diaryLinks(style: DiaryLinkStyle, user: string, compactDate: string, anchor?: SectionAnchor): string {
  const base = style.base.replace(/\/+$/, '');
  if (style.kind === 'blog') {
    if (!anchor) return `${base}/archive/${compactDate.slice(0, 4)}/${compactDate.slice(4, 6)}/${compactDate.slice(6, 8)}`;
    return `${base}/entry/${compactDate}/${anchor.value}`;
  }
  const day = `${base}/${user}/${compactDate}`;
  if (!anchor) return day;
  return anchor.kind === 'position' ? `${day}#${anchor.value}` : `${day}/${anchor.value}`;
}

export interface DiaryKey {
  user: string;
  compactDate: string;
  anchor?: string;
}

const DIARY_PATH = /^\/([A-Za-z][\w-]{1,31})\/(\d{8})(?:\/([\w-]+))?\/?$/;
const MIGRATED_PATH = /^\/entry\/(\d{8})\/([\w-]+)\/?$/;

/**
 * The (user, day, anchor) of a diary section link: `/USER/20080530/1212150896`,
 * `/USER/20080530#p1`, or the migrated `/entry/20080530/p1` on `USER.hatenadiary.*` hosts.
 */
export function diaryKeyFromLink(link: string): DiaryKey | undefined {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  const migrated = MIGRATED_PATH.exec(url.pathname);
  const migratedUser = /^([A-Za-z][\w-]{1,31})\.hatenadiary\.(?:jp|com|org)$/.exec(url.hostname)?.[1];
  if (migrated && migratedUser) return { user: migratedUser, compactDate: migrated[1]!, anchor: migrated[2]! };
  const fragment = url.hash.replace(/^#/, '');
  const diary = DIARY_PATH.exec(url.pathname);
  if (diary && diary[1] !== 'entry') {
    const anchor = diary[3] ?? (/^[\w-]+$/.test(fragment) ? fragment : undefined);
    return { user: diary[1]!, compactDate: diary[2]!, ...(anchor ? { anchor } : {}) };
  }
  return undefined;
}
