/**
 * Our own output: RSS 2.0, Atom 1.0 and JSON Feed 1.1, with instants rendered in the recipe's
 * zone (`+0900` in RSS, `+09:00` in Atom and JSON), our stable ids as guids, and full HTML bodies.
 */
import type { Entry, Feed, When } from '../pipeline/model.js';
import { entryTime } from '../pipeline/model.js';
import { formatDate } from '../text/dates.js';
import { htmlToText, stripXmlForbidden } from '../text/html.js';
import { VERSION } from '../version.js';

export interface RenderOptions {
  timezone: string;
  /** Where this rendering will be served or written; becomes the self link. */
  selfUrl?: string;
  /** Generation time, for `lastBuildDate` / `updated` when no entry is dated. */
  now: number;
}

const GENERATOR = `kakehashi ${VERSION}`;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** One pass: escapes markup and drops the characters XML forbids. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, (c) => XML_ESCAPES[c] ?? '');
}

/** CDATA that survives any content, including a literal `]]>` (the forbidden characters already gone). */
function cdata(html: string): string {
  return `<![CDATA[${html.includes(']]>') ? html.replace(/]]>/g, ']]]]><![CDATA[>') : html}]]>`;
}

function newest(feed: Feed, now: number): number {
  let latest: number | undefined;
  for (const entry of feed.entries) {
    const time = Math.max(entry.updated?.epochMs ?? -Infinity, entryTime(entry) ?? -Infinity);
    if (Number.isFinite(time) && (latest === undefined || time > latest)) latest = time;
  }
  return latest ?? feed.updated?.epochMs ?? now;
}

/** What every format writes of an entry's text, worked out once per entry for all three. */
interface EntryText {
  /** The HTML body, without the characters XML forbids. */
  body: string | undefined;
  /** Plain text for `description` / `summary`, at most 300 characters. */
  summary: string | undefined;
}

const entryTexts = new WeakMap<Entry, EntryText>();

function textOf(entry: Entry): EntryText {
  let text = entryTexts.get(entry);
  if (!text) {
    const body = entry.content ?? entry.summary;
    text = { body: body ? stripXmlForbidden(body) : undefined, summary: summaryText(entry) };
    entryTexts.set(entry, text);
  }
  return text;
}

function summaryText(entry: Entry, max = 300): string | undefined {
  const source = entry.summary ?? entry.content;
  if (!source) return undefined;
  const text = htmlToText(source);
  return text.length > max ? `${Array.from(text).slice(0, max).join('')}…` : text;
}

export function renderRss(feed: Feed, options: RenderOptions): string {
  const zone = options.timezone;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<channel>',
    `<title>${escapeXml(feed.title)}</title>`,
    `<description>${escapeXml(feed.description ?? feed.title)}</description>`,
  ];
  const channelLink = feed.link ?? options.selfUrl;
  if (channelLink) out.splice(4, 0, `<link>${escapeXml(channelLink)}</link>`);
  if (options.selfUrl) out.push(`<atom:link href="${escapeXml(options.selfUrl)}" rel="self" type="application/rss+xml"/>`);
  if (feed.language) out.push(`<language>${escapeXml(feed.language)}</language>`);
  out.push(`<lastBuildDate>${formatDate(newest(feed, options.now), zone, 'rss')}</lastBuildDate>`);
  out.push(`<generator>${escapeXml(GENERATOR)}</generator>`);
  for (const entry of feed.entries) {
    out.push('<item>');
    out.push(`<title>${escapeXml(entry.title)}</title>`);
    if (entry.link) out.push(`<link>${escapeXml(entry.link)}</link>`);
    out.push(`<guid isPermaLink="false">${escapeXml(entry.id)}</guid>`);
    const published = entry.published ?? entry.updated;
    if (published) out.push(`<pubDate>${formatDate(published, zone, 'rss')}</pubDate>`);
    if (entry.author) out.push(`<dc:creator>${escapeXml(entry.author)}</dc:creator>`);
    for (const tag of entry.tags) out.push(`<category>${escapeXml(tag)}</category>`);
    const { summary, body } = textOf(entry);
    if (summary) out.push(`<description>${escapeXml(summary)}</description>`);
    if (body) out.push(`<content:encoded>${cdata(body)}</content:encoded>`);
    for (const enclosure of entry.enclosures.filter((e) => /^https?:/.test(e.url))) {
      out.push(
        `<enclosure url="${escapeXml(enclosure.url)}" length="${enclosure.length ?? 0}" type="${escapeXml(enclosure.type ?? 'application/octet-stream')}"/>`,
      );
    }
    out.push('</item>');
  }
  out.push('</channel>', '</rss>', '');
  return out.join('\n');
}

function atomDate(when: When | number, zone: string): string {
  return formatDate(when, zone, 'atom');
}

export function renderAtom(feed: Feed, options: RenderOptions): string {
  const zone = options.timezone;
  const feedId = options.selfUrl ?? `urn:kakehashi:feed:${encodeURIComponent(feed.id)}`;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom"${feed.language ? ` xml:lang="${escapeXml(feed.language)}"` : ''}>`,
    `<id>${escapeXml(feedId)}</id>`,
    `<title>${escapeXml(feed.title)}</title>`,
    `<updated>${atomDate(newest(feed, options.now), zone)}</updated>`,
    `<generator version="${escapeXml(VERSION)}">kakehashi</generator>`,
  ];
  if (feed.description) out.push(`<subtitle>${escapeXml(feed.description)}</subtitle>`);
  if (feed.link) out.push(`<link rel="alternate" type="text/html" href="${escapeXml(feed.link)}"/>`);
  if (options.selfUrl) out.push(`<link rel="self" type="application/atom+xml" href="${escapeXml(options.selfUrl)}"/>`);
  out.push(`<author><name>${escapeXml(feed.author ?? feed.title)}</name></author>`);
  for (const entry of feed.entries) {
    const published = entry.published ?? entry.updated;
    const updated = entry.updated ?? entry.published;
    out.push('<entry>');
    out.push(`<id>${escapeXml(atomEntryId(entry.id))}</id>`);
    out.push(`<title type="text">${escapeXml(entry.title)}</title>`);
    if (entry.link) out.push(`<link rel="alternate" type="text/html" href="${escapeXml(entry.link)}"/>`);
    out.push(`<updated>${atomDate(updated ?? newest(feed, options.now), zone)}</updated>`);
    if (published) out.push(`<published>${atomDate(published, zone)}</published>`);
    if (entry.author) out.push(`<author><name>${escapeXml(entry.author)}</name></author>`);
    for (const tag of entry.tags) out.push(`<category term="${escapeXml(tag)}"/>`);
    const { summary, body } = textOf(entry);
    if (summary) out.push(`<summary type="text">${escapeXml(summary)}</summary>`);
    // CDATA is the same text as escaped markup to an Atom reader, and much cheaper to write.
    if (body) out.push(`<content type="html">${cdata(body)}</content>`);
    for (const enclosure of entry.enclosures.filter((e) => /^https?:/.test(e.url))) {
      out.push(
        `<link rel="enclosure" href="${escapeXml(enclosure.url)}"${enclosure.type ? ` type="${escapeXml(enclosure.type)}"` : ''}${enclosure.length ? ` length="${enclosure.length}"` : ''}/>`,
      );
    }
    out.push('</entry>');
  }
  out.push('</feed>', '');
  return out.join('\n');
}

/** Atom ids must be IRIs; ours are `namespace#guid`, so wrap them in a tag-like URN. */
function atomEntryId(id: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(id) && !/\s/.test(id) ? id : `urn:kakehashi:${encodeURIComponent(id)}`;
}

/** Where an entry came from, without local file paths (a public feed must not show them). */
function publicSource(source: Entry['source']): Partial<Entry['source']> {
  const web = (url: string | undefined) => (url && /^https?:/i.test(url) ? url : undefined);
  const feedUrl = web(source.feedUrl);
  const feedLink = web(source.feedLink);
  const localPath = /(?:^|:)(?:\/|\.{1,2}\/|~)/.test(source.feedId) && !/^https?:/i.test(source.feedId);
  return {
    plugin: source.plugin,
    ...(localPath ? {} : { feedId: source.feedId }),
    ...(source.service ? { service: source.service } : {}),
    ...(source.feedTitle ? { feedTitle: source.feedTitle } : {}),
    ...(feedUrl ? { feedUrl } : {}),
    ...(feedLink ? { feedLink } : {}),
    ...(source.account ? { account: source.account } : {}),
  };
}

export function renderJsonFeed(feed: Feed, options: RenderOptions): string {
  const zone = options.timezone;
  const document = {
    version: 'https://jsonfeed.org/version/1.1',
    title: feed.title,
    ...(feed.link ? { home_page_url: feed.link } : {}),
    ...(options.selfUrl ? { feed_url: options.selfUrl } : {}),
    ...(feed.description ? { description: feed.description } : {}),
    ...(feed.language ? { language: feed.language } : {}),
    items: feed.entries.map((entry) => {
      const published = entry.published ?? entry.updated;
      const { summary, body } = textOf(entry);
      return {
        id: entry.id,
        ...(entry.link ? { url: entry.link } : {}),
        title: entry.title,
        ...(body ? { content_html: body } : { content_text: '' }),
        ...(summary ? { summary } : {}),
        ...(published ? { date_published: atomDate(published, zone) } : {}),
        ...(entry.updated ? { date_modified: atomDate(entry.updated, zone) } : {}),
        ...(entry.author ? { authors: [{ name: entry.author }] } : {}),
        ...(entry.tags.length ? { tags: entry.tags } : {}),
        ...(entry.enclosures.length
          ? {
              attachments: entry.enclosures
                .filter((e) => /^https?:/.test(e.url))
                .map((e) => ({
                  url: e.url,
                  mime_type: e.type ?? 'application/octet-stream',
                  ...(e.length ? { size_in_bytes: e.length } : {}),
                })),
            }
          : {}),
        _kakehashi: {
          source: publicSource(entry.source),
          ...(entry.via.length ? { via: entry.via.map((v) => ({ ...v, source: publicSource(v.source) })) } : {}),
          ...(entry.parts.length ? { parts: entry.parts.length } : {}),
        },
      };
    }),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
