/**
 * The entry and feed fields a rule can look at, by the names a recipe uses. One table serves the
 * condition form (`title: { regex: … }`) and the expression form (`entry.title =~ /…/`).
 */
import type { Entry, Feed, When } from '../model.js';
import { htmlToText } from '../../text/html.js';

export type FieldKind = 'text' | 'list' | 'date';

export interface FieldSpec {
  kind: FieldKind;
  help: string;
  read(entry: Entry, feed: Feed): string | readonly string[] | When | undefined;
}

/** Tag stripping is the costly part of a content match; an entry's text is kept per HTML string. */
const textCache = new WeakMap<Entry, { html: string; text: string }>();

function plainText(entry: Entry, html: string | undefined): string {
  if (!html) return '';
  if (!/[<&]/.test(html)) return html;
  const cached = textCache.get(entry);
  if (cached?.html === html) return cached.text;
  const text = htmlToText(html);
  textCache.set(entry, { html, text });
  return text;
}

function defined(values: Array<string | undefined>): string[] {
  return values.filter((value): value is string => value !== undefined && value !== '');
}

const text = (help: string, read: (entry: Entry, feed: Feed) => string | undefined): FieldSpec => ({ kind: 'text', help, read });
const list = (help: string, read: (entry: Entry, feed: Feed) => readonly string[]): FieldSpec => ({ kind: 'list', help, read });
const date = (help: string, read: (entry: Entry, feed: Feed) => When | undefined): FieldSpec => ({ kind: 'date', help, read });

export const FIELDS: Readonly<Record<string, FieldSpec>> = {
  title: text('entry title (plain text)', (e) => e.title),
  content: text('entry body, as text (tags stripped)', (e) => plainText(e, e.content)),
  summary: text('entry summary, as text', (e) => (e.summary ? htmlToText(e.summary) : undefined)),
  body: text('the body as text, else the summary', (e) => plainText(e, e.content) || (e.summary ? htmlToText(e.summary) : undefined)),
  html: text('entry body as HTML source', (e) => e.content),
  text: text('title, summary and body as one text', (e) =>
    [e.title, e.summary ? htmlToText(e.summary) : '', plainText(e, e.content)].filter(Boolean).join('\n'),
  ),
  author: text('entry author', (e) => e.author),
  link: text('entry permalink', (e) => e.link),
  guid: text('the id the source gave the item', (e) => e.guid),
  id: text('kakehashi entry id', (e) => e.id),
  tags: list('entry tags', (e) => e.tags),
  via: list('services, feeds and links of the other places a merged entry was seen', (e) =>
    e.via.flatMap((v) => defined([v.source.service, v.source.feedId, v.source.feedTitle, v.link])),
  ),
  source: list('service, plugin, feed id, feed title and account of the source', (e) =>
    defined([e.source.service, e.source.plugin, e.source.feedId, e.source.feedTitle, e.source.account]),
  ),
  'source.plugin': text('source plugin name (Source::Feed)', (e) => e.source.plugin),
  'source.feed': text('source feed id (usually its URL)', (e) => e.source.feedId),
  'source.feed_title': text('source feed title', (e) => e.source.feedTitle),
  'source.feed_url': text('source feed URL', (e) => e.source.feedUrl),
  'source.feed_link': text('source feed home page', (e) => e.source.feedLink),
  'source.service': text('service key: feed, twitter, hatena, friendfeed…', (e) => e.source.service),
  'source.account': text('account at the service', (e) => e.source.account),
  date: date('published, else updated', (e) => e.published ?? e.updated),
  published: date('published date', (e) => e.published),
  updated: date('updated date', (e) => e.updated),
  'feed.id': text('id of the feed the entry is in', (_e, f) => f.id),
  'feed.type': text('feed type: feed, smartfeed, twitter…', (_e, f) => f.type),
  'feed.title': text('feed title', (_e, f) => f.title),
  'feed.url': text('feed URL', (_e, f) => f.url),
  'feed.link': text('feed home page', (_e, f) => f.link),
  'feed.author': text('feed author', (_e, f) => f.author),
  'feed.description': text('feed description', (_e, f) => f.description),
  'feed.language': text('feed language', (_e, f) => f.language),
  'feed.tags': list('feed tags', (_e, f) => f.tags),
  'feed.updated': date('feed updated date', (_e, f) => f.updated),
};

/** Plagger's and other spellings of the same fields. */
export const FIELD_ALIASES: Readonly<Record<string, string>> = {
  permalink: 'link',
  url: 'link',
  description: 'summary',
  tag: 'tags',
  category: 'tags',
  categories: 'tags',
  service: 'source.service',
  plugin: 'source.plugin',
  'source.feed_id': 'source.feed',
  feed: 'feed.id',
  feed_type: 'feed.type',
  type: 'feed.type',
  'feed.tag': 'feed.tags',
  issued: 'published',
  modified: 'updated',
};

export function lookupField(name: string): { name: string; spec: FieldSpec } | undefined {
  const canonical = Object.hasOwn(FIELDS, name) ? name : FIELD_ALIASES[name];
  if (canonical === undefined || !Object.hasOwn(FIELDS, canonical)) return undefined;
  return { name: canonical, spec: FIELDS[canonical]! };
}

export function fieldNames(): string[] {
  return Object.keys(FIELDS);
}

/** Nearest known names, for "did you mean". */
export function nearestNames(name: string, candidates: string[]): string[] {
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(name.toLowerCase(), candidate.toLowerCase()) }))
    .filter(({ candidate, distance }) => distance <= Math.max(2, Math.floor(candidate.length / 3)))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
