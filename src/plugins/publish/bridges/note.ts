/**
 * An entry as a note: what every destination posts, computed once at publish time so that the
 * job carries everything a worker on another machine needs (and nothing secret).
 */
import * as cheerio from 'cheerio';
import type { Entry, Feed, When } from '../../../pipeline/model.js';
import { entryTime } from '../../../pipeline/model.js';
import { sha256Hex } from '../../../pipeline/ids.js';
import { formatDate } from '../../../text/dates.js';
import { deriveTitle, htmlToText } from '../../../text/html.js';

export interface Note {
  entryId: string;
  /** The entry's own title, or one derived from its text (tweets have none). */
  title: string;
  /** True when the title came from the source rather than from the text. */
  ownTitle: boolean;
  /** Plain text of the body (or of the title when there is no body). */
  text: string;
  /** The body as HTML with every URL absolute. */
  html: string;
  link?: string;
  published?: When;
  author?: string;
  tags: readonly string[];
  /** Changes whenever anything a destination shows changes: the content version in job ids. */
  contentHash: string;
}

const URL_ATTRIBUTES: Array<[string, string]> = [
  ['a', 'href'],
  ['img', 'src'],
  ['img', 'srcset'],
  ['source', 'src'],
  ['source', 'srcset'],
  ['video', 'src'],
  ['video', 'poster'],
  ['audio', 'src'],
  ['iframe', 'src'],
  ['blockquote', 'cite'],
  ['q', 'cite'],
];

/**
 * Every relative URL in an HTML fragment made absolute against `base` (the entry's link):
 * a note read on Facebook or in a reader has no page to be relative to.
 */
export function absolutizeHtml(html: string, base: string | undefined): string {
  if (!html || !base || !/^https?:/i.test(base)) return html;
  const $ = cheerio.load(html, null, false);
  for (const [tag, attribute] of URL_ATTRIBUTES) {
    $(`${tag}[${attribute}]`).each((_, element) => {
      const value = $(element).attr(attribute);
      if (value === undefined) return;
      const absolute = attribute === 'srcset' ? absolutizeSrcset(value, base) : absolutize(value, base);
      if (absolute !== value) $(element).attr(attribute, absolute);
    });
  }
  return $.html();
}

function absolutize(value: string, base: string): string {
  const trimmed = value.trim();
  if (!trimmed || /^(?:[a-z][a-z0-9+.-]*:|#)/i.test(trimmed)) return value;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return value;
  }
}

function absolutizeSrcset(value: string, base: string): string {
  return value
    .split(',')
    .map((candidate) => {
      const [url, ...descriptor] = candidate.trim().split(/\s+/);
      return [absolutize(url ?? '', base), ...descriptor].join(' ');
    })
    .join(', ');
}

/** Whether the source gave a title, rather than one cut from the text (tweets, diary days). */
export function hasOwnTitle(entry: Entry, text: string): boolean {
  const title = entry.title.trim();
  if (!title) return false;
  const stem = title.replace(/…$/, '').trim();
  return !(stem.length > 0 && text.replace(/\s+/g, ' ').startsWith(stem.replace(/\s+/g, ' ')));
}

export function noteFromEntry(entry: Entry, feed?: Feed): Note {
  const body = entry.content ?? entry.summary ?? '';
  const base = entry.link ?? feed?.link;
  const html = absolutizeHtml(body, base);
  const bodyText = htmlToText(body);
  const ownTitle = hasOwnTitle(entry, bodyText);
  const text = bodyText || entry.title.trim();
  const title = entry.title.trim() || deriveTitle(text) || entry.link || entry.id;
  const published = entry.published ?? entry.updated;
  const note: Omit<Note, 'contentHash'> = {
    entryId: entry.id,
    title,
    ownTitle,
    text,
    html,
    ...(entry.link ? { link: entry.link } : {}),
    ...(published ? { published } : {}),
    ...(entry.author ? { author: entry.author } : {}),
    tags: entry.tags,
  };
  return { ...note, contentHash: contentHashOf(note) };
}

export function contentHashOf(note: Pick<Note, 'title' | 'html' | 'text' | 'link' | 'tags'>): string {
  return sha256Hex(JSON.stringify([note.title, note.text, note.html, note.link ?? '', note.tags])).slice(0, 16);
}

/** Entries of every feed, each id once, oldest first: an import posts in the order things happened. */
export function entriesOldestFirst(feeds: Feed[]): Array<{ entry: Entry; feed: Feed }> {
  const seen = new Set<string>();
  const all: Array<{ entry: Entry; feed: Feed; index: number }> = [];
  for (const feed of feeds) {
    for (const entry of feed.entries) {
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      all.push({ entry, feed, index: all.length });
    }
  }
  return all
    .sort((a, b) => {
      const ta = entryTime(a.entry);
      const tb = entryTime(b.entry);
      if (ta === undefined || tb === undefined) return (ta === undefined ? 1 : 0) - (tb === undefined ? 1 : 0) || a.index - b.index;
      return ta - tb || a.index - b.index;
    })
    .map(({ entry, feed }) => ({ entry, feed }));
}

/** RFC 3339 in the recipe's zone (`2026-01-05T21:34:12+09:00`). */
export function rfc3339(when: When | undefined, timezone: string): string | undefined {
  return when ? formatDate(when, timezone, 'atom') : undefined;
}
