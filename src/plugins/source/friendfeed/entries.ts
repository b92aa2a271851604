/**
 * FriendFeed entries (formats.md §4) → Entry. The v2 shape comes from the API and from Clio's
 * shutdown archives (one v2 entry per file); the v1 shape from the older API. Both are checked
 * with zod, loosely: unknown fields pass, a missing id or date rejects that one entry only.
 */
import { z } from 'zod';
import type { Enclosure, Entry, EntrySource, When } from '../../../pipeline/model.js';
import { makeEntry } from '../../../pipeline/model.js';
import { entryId } from '../../../pipeline/ids.js';
import { parseDate } from '../../../text/dates.js';
import { deriveTitle, escapeHtml, htmlToText } from '../../../text/html.js';

export const FRIENDFEED_ID_NAMESPACE = 'friendfeed';

// ─── v2 (API, Clio) ──────────────────────────────────────────────────────────────────────────

const actor = z.looseObject({ id: z.string(), name: z.string().optional(), type: z.string().optional() });

export const v2EntrySchema = z.looseObject({
  id: z.string().min(1),
  url: z.string().optional(),
  /** `2008-05-30T12:34:56Z`, UTC. Clio's `dateFriendly` beside it is in the wrong zone and is never read. */
  date: z.string().min(1),
  body: z.string().default(''),
  from: actor.optional(),
  to: z.array(actor).optional(),
  via: z.looseObject({ name: z.string().optional(), url: z.string().optional() }).optional(),
  thumbnails: z
    .array(z.looseObject({ url: z.string(), link: z.string().optional(), width: z.number().optional(), height: z.number().optional(), player: z.string().optional() }))
    .default([]),
  files: z
    .array(z.looseObject({ url: z.string(), type: z.string().optional(), name: z.string().optional(), size: z.number().optional() }))
    .default([]),
  comments: z
    .array(z.looseObject({ id: z.string().optional(), date: z.string().optional(), body: z.string().default(''), from: actor.optional() }))
    .default([]),
  likes: z.array(z.looseObject({ date: z.string().optional(), from: actor.optional() })).default([]),
  /** With `raw=1`: the link the entry was imported with. */
  rawLink: z.string().optional(),
  short_url: z.string().optional(),
});
export type V2Entry = z.output<typeof v2EntrySchema>;

// ─── v1 ──────────────────────────────────────────────────────────────────────────────────────

const v1User = z.looseObject({ id: z.string().optional(), nickname: z.string().optional(), name: z.string().optional(), profileUrl: z.string().optional() });

export const v1EntrySchema = z.looseObject({
  id: z.string().min(1),
  title: z.string().default(''),
  link: z.string().optional(),
  published: z.string().min(1),
  updated: z.string().optional(),
  user: v1User.optional(),
  service: z.looseObject({ id: z.string().optional(), name: z.string().optional(), profileUrl: z.string().optional() }).optional(),
  media: z
    .array(
      z.looseObject({
        title: z.string().nullish(),
        thumbnails: z.array(z.looseObject({ url: z.string(), width: z.number().optional(), height: z.number().optional() })).nullish(),
        content: z.array(z.looseObject({ url: z.string(), type: z.string().optional() })).nullish(),
      }),
    )
    .nullish(),
  comments: z.array(z.looseObject({ date: z.string().optional(), id: z.string().optional(), body: z.string().default(''), user: v1User.optional() })).default([]),
  likes: z.array(z.looseObject({ date: z.string().optional(), user: v1User.optional() })).default([]),
});
export type V1Entry = z.output<typeof v1EntrySchema>;

// ─── What entry.meta.friendfeed holds ────────────────────────────────────────────────────────

export interface FriendFeedPerson {
  id: string;
  name?: string;
}

export interface FriendFeedComment {
  id?: string;
  date?: When;
  body: string;
  from?: FriendFeedPerson;
}

export interface FriendFeedMeta {
  id: string;
  /** The entry's page on FriendFeed. */
  url?: string;
  from?: FriendFeedPerson;
  /** The service the entry was mirrored from, and its address there (the tweet, the blog post). */
  via?: { name?: string; url?: string };
  comments: FriendFeedComment[];
  likes: Array<{ date?: When; from?: FriendFeedPerson }>;
  thumbnails: Array<{ url: string; link?: string }>;
  format: 'v1' | 'v2';
}

export interface ConvertOptions {
  source: EntrySource;
  renderComments: boolean;
}

/** `http://twitter.com/taro/statuses/812345678` and the later `/status/` form, any host spelling. */
const TWEET_URL = /^https?:\/\/(?:www\.|mobile\.)?(?:twitter|x)\.com\/[^/]+\/status(?:es)?\/\d+/i;
const FRIENDFEED_HOST = /(^|\.)friendfeed(?:-api)?\.com$/i;

export function v2Entry(raw: V2Entry, options: ConvertOptions): Entry {
  const text = htmlToText(raw.body);
  const original = originalLink(raw);
  const published = parseDate(raw.date, { defaultZone: 'UTC' });
  const person = (p?: { id: string; name?: string | undefined }): FriendFeedPerson | undefined =>
    p ? { id: p.id, ...(p.name ? { name: p.name } : {}) } : undefined;
  const meta: FriendFeedMeta = {
    id: raw.id,
    ...(raw.url ? { url: raw.url } : {}),
    ...(raw.from ? { from: person(raw.from)! } : {}),
    ...(raw.via ? { via: { ...(raw.via.name ? { name: raw.via.name } : {}), ...(original ? { url: original } : raw.via.url ? { url: raw.via.url } : {}) } } : {}),
    comments: raw.comments.map((c) => ({
      ...(c.id ? { id: c.id } : {}),
      ...whenField(c.date),
      body: c.body,
      ...(c.from ? { from: person(c.from)! } : {}),
    })),
    likes: raw.likes.map((l) => ({ ...whenField(l.date), ...(l.from ? { from: person(l.from)! } : {}) })),
    thumbnails: raw.thumbnails.map((t) => ({ url: t.url, ...(t.link ? { link: t.link } : {}) })),
    format: 'v2',
  };
  const thumbnailsHtml = raw.thumbnails
    .map((t) => {
      const size = `${t.width ? ` width="${t.width}"` : ''}${t.height ? ` height="${t.height}"` : ''}`;
      const img = `<img src="${escapeHtml(t.url)}" alt=""${size} />`;
      return t.link ? `<a href="${escapeHtml(t.link)}">${img}</a>` : img;
    })
    .join(' ');
  const content = [
    raw.body,
    thumbnailsHtml && `<p class="friendfeed-thumbnails">${thumbnailsHtml}</p>`,
    options.renderComments ? renderReactions(meta) : '',
  ].filter(Boolean).join('\n');
  const enclosures: Enclosure[] = raw.files.map((f) => ({
    url: f.url,
    ...(f.type ? { type: f.type } : {}),
    ...(f.size !== undefined ? { length: f.size } : {}),
    ...(f.name ? { title: f.name } : {}),
  }));
  const link = original ?? raw.url;
  return makeEntry({
    id: entryId(FRIENDFEED_ID_NAMESPACE, { guid: raw.id }),
    guid: raw.id,
    title: deriveTitle(text),
    ...(link ? { link } : {}),
    content,
    ...(raw.from ? { author: raw.from.name ?? raw.from.id } : {}),
    ...(published ? { published } : {}),
    enclosures,
    source: options.source,
    meta: { friendfeed: meta },
  });
}

/**
 * Where the entry really lives when FriendFeed only mirrored it, so that the merge step can join
 * FriendFeed's copy with the original: the tweet's address for Twitter; for a blog, the link
 * FriendFeed imported (`rawLink`), an entry `url` outside FriendFeed, or the body's link to the
 * blog's host.
 */
export function originalLink(raw: V2Entry): string | undefined {
  const viaUrl = raw.via?.url;
  if (viaUrl && TWEET_URL.test(viaUrl)) return viaUrl;
  if (!raw.via) return undefined;
  if (raw.rawLink && !isFriendFeedUrl(raw.rawLink)) return raw.rawLink;
  if (raw.url && !isFriendFeedUrl(raw.url)) return raw.url;
  const viaHost = hostOf(viaUrl);
  if (!viaHost) return undefined;
  for (const match of raw.body.matchAll(/<a\s[^>]*href="([^"]+)"/gi)) {
    const href = match[1]!.replace(/&amp;/g, '&');
    if (hostOf(href) === viaHost) return href;
  }
  return undefined;
}

export function v1Entry(raw: V1Entry, options: ConvertOptions): Entry {
  // v2 names the entry `e/` + the v1 UUID without dashes: the same item gets the same id from both.
  const guid = `e/${raw.id.replace(/-/g, '').toLowerCase()}`;
  const published = parseDate(raw.published, { defaultZone: 'UTC' });
  const updated = raw.updated ? parseDate(raw.updated, { defaultZone: 'UTC' }) : undefined;
  const user = (u?: { id?: string | undefined; nickname?: string | undefined; name?: string | undefined }): FriendFeedPerson | undefined =>
    u && (u.nickname ?? u.id) ? { id: (u.nickname ?? u.id)!, ...(u.name ? { name: u.name } : {}) } : undefined;
  const service = raw.service;
  const mirrored = service && service.id && service.id !== 'internal';
  const media = raw.media ?? [];
  const thumbnails = media.flatMap((m) => (m.thumbnails ?? []).map((t) => ({ url: t.url, ...(m.content?.[0]?.url ? { link: m.content[0].url } : {}) })));
  const meta: FriendFeedMeta = {
    id: guid,
    ...(user(raw.user) ? { from: user(raw.user)! } : {}),
    ...(mirrored ? { via: { ...(service.name ? { name: service.name } : {}), ...(raw.link ? { url: raw.link } : service.profileUrl ? { url: service.profileUrl } : {}) } } : {}),
    comments: raw.comments.map((c) => ({ ...(c.id ? { id: c.id } : {}), ...whenField(c.date), body: c.body, ...(user(c.user) ? { from: user(c.user)! } : {}) })),
    likes: raw.likes.map((l) => ({ ...whenField(l.date), ...(user(l.user) ? { from: user(l.user)! } : {}) })),
    thumbnails,
    format: 'v1',
  };
  const titleHtml = escapeHtml(raw.title);
  const body = raw.link ? `<a href="${escapeHtml(raw.link)}">${titleHtml}</a>` : titleHtml;
  const thumbnailsHtml = thumbnails
    .map((t) => (t.link ? `<a href="${escapeHtml(t.link)}"><img src="${escapeHtml(t.url)}" alt="" /></a>` : `<img src="${escapeHtml(t.url)}" alt="" />`))
    .join(' ');
  const content = [body, thumbnailsHtml && `<p class="friendfeed-thumbnails">${thumbnailsHtml}</p>`, options.renderComments ? renderReactions(meta) : '']
    .filter(Boolean)
    .join('\n');
  const enclosures: Enclosure[] = media.flatMap((m) =>
    (m.content ?? []).map((c) => ({ url: c.url, ...(c.type ? { type: c.type } : {}), ...(m.title ? { title: m.title } : {}) })),
  );
  return makeEntry({
    id: entryId(FRIENDFEED_ID_NAMESPACE, { guid }),
    guid,
    title: raw.title,
    ...(raw.link ? { link: raw.link } : {}),
    content,
    ...(raw.user ? { author: raw.user.name ?? raw.user.nickname ?? raw.user.id } : {}),
    ...(published ? { published } : {}),
    ...(updated ? { updated } : {}),
    enclosures,
    source: options.source,
    meta: { friendfeed: meta },
  });
}

/** Likes and comments as HTML under the body (`render_comments: true`). */
export function renderReactions(meta: FriendFeedMeta): string {
  const name = (p?: FriendFeedPerson) => escapeHtml(p?.name ?? p?.id ?? '?');
  const parts: string[] = [];
  if (meta.likes.length > 0) {
    parts.push(`<p class="friendfeed-likes">♥ ${meta.likes.map((l) => name(l.from)).join(', ')}</p>`);
  }
  if (meta.comments.length > 0) {
    const items = meta.comments.map((c) => `<li><b>${name(c.from)}</b>: ${c.body}</li>`).join('');
    parts.push(`<ul class="friendfeed-comments">${items}</ul>`);
  }
  return parts.join('\n');
}

function whenField(date: string | undefined): { date?: When } {
  const when = date ? parseDate(date, { defaultZone: 'UTC' }) : undefined;
  return when ? { date: when } : {};
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function isFriendFeedUrl(url: string): boolean {
  return FRIENDFEED_HOST.test(hostOf(url) ?? '');
}
