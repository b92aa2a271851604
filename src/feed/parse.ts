/**
 * Feed documents (RSS 0.9x, RSS 1.0/RDF, RSS 2.0, Atom 1.0 and 0.3, JSON Feed 1.x) into one
 * neutral shape. rss-parser does the XML feeds; where it gives up (a bare `&`, an HTML entity, an
 * unparsable date) or cannot be right (`xml:base`), a lenient parse on cheerio's XML mode takes
 * over, so one bad byte never costs a whole feed. Dates always come from the raw strings through
 * our own parser, never from `new Date(string)`.
 */
import * as cheerio from 'cheerio';
import type { Element } from 'domhandler';
import { decodeHTML } from 'entities';
import RssParser from 'rss-parser';
import type { Enclosure, Entry, EntrySource, When } from '../pipeline/model.js';
import { makeEntry } from '../pipeline/model.js';
import { entryId } from '../pipeline/ids.js';
import { parseDate } from '../text/dates.js';
import { htmlToText, stripXmlForbidden, unescapeEntities } from '../text/html.js';

export type FeedFormat = 'rss0.9' | 'rss1.0' | 'rss2.0' | 'atom1.0' | 'atom0.3' | 'json';

export interface ParsedItem {
  guid?: string;
  title: string;
  link?: string;
  content?: string;
  summary?: string;
  author?: string;
  published?: When;
  updated?: When;
  tags: string[];
  enclosures: Enclosure[];
  /** Every child element by qualified name; repeated elements as arrays. */
  raw: Record<string, string | string[]>;
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string;
  link?: string;
  description?: string;
  language?: string;
  author?: string;
  updated?: When;
  items: ParsedItem[];
  /** Repairs and fallbacks that did not stop the parse, for the run report. */
  warnings: string[];
}

export interface ParseOptions {
  /** The feed's own URL: relative links resolve against it (after any xml:base). */
  url?: string;
  /** Zone for dates written without one. */
  defaultZone: string;
}

export class FeedParseError extends Error {
  override name = 'FeedParseError';
}

/** Extension elements rss-parser does not map itself but that sources and dates need. */
const RSS_EXTRA_ITEM_FIELDS = [
  'dc:date',
  'dc:creator',
  'dc:subject',
  'dc:description',
  'content:encoded',
  'pubDate',
  'author',
  'comments',
  'source',
  'description',
  'published',
  'updated',
  'issued',
  'modified',
  'created',
  'summary',
  'id',
  'hatena:bookmarkcount',
  'hatena:imageurl',
  'media:thumbnail',
  'media:content',
  'slash:comments',
];

const rssParser = new RssParser({
  customFields: {
    item: RSS_EXTRA_ITEM_FIELDS.map((name) => [name, name, { keepArray: true }] as [string, string, { keepArray: boolean }]),
    feed: ['dc:date', 'dc:language', 'language', 'updated', 'modified', 'subtitle', 'tagline'],
  },
});

export async function parseFeedDocument(text: string, options: ParseOptions): Promise<ParsedFeed> {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) return parseJsonFeed(trimmed, options);
  if (!trimmed.startsWith('<')) {
    throw new FeedParseError(`${where(options)}not a feed: the body starts with ${JSON.stringify(trimmed.slice(0, 40))}`);
  }
  if (looksLikeHtmlPage(trimmed)) {
    throw new FeedParseError(`${where(options)}an HTML page was served where a feed was expected (${pageTitle(trimmed)})`);
  }
  const warnings: string[] = [];
  // xml:base changes what relative links mean; rss-parser drops it, so only the DOM path is right.
  if (!trimmed.includes('xml:base')) {
    try {
      return fromRssParser(await rssParser.parseString(trimmed), trimmed, options, warnings);
    } catch (error) {
      warnings.push(`strict XML parse failed (${firstLine(error)}); parsed leniently`);
    }
  }
  return parseLenient(trimmed, options, warnings);
}

function where(options: ParseOptions): string {
  return options.url ? `${options.url}: ` : '';
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}

function looksLikeHtmlPage(text: string): boolean {
  return /^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<!doctype html|^<html[\s>]/i.test(text);
}

function pageTitle(text: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  return title ? `title: ${JSON.stringify(htmlToText(title).slice(0, 80))}` : 'no title';
}

// ─── rss-parser path ─────────────────────────────────────────────────────────────────────────

type RssParserOutput = Awaited<ReturnType<typeof rssParser.parseString>>;
type RawValue = string | { _?: string; $?: Record<string, string> } | Array<string | { _?: string; $?: Record<string, string> }>;

function rawText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return rawText(value[0]);
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as { _?: unknown })._ === 'string') return (value as { _: string })._;
  return undefined;
}

function rawTexts(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => rawText(v)).filter((v): v is string => v !== undefined && v.trim() !== '');
}

function detectFormat(xml: string): FeedFormat {
  const head = xml.slice(0, 2048);
  if (/<feed[\s>]/.test(head)) return /version=["']0\.3["']/.test(head) ? 'atom0.3' : 'atom1.0';
  if (/<rdf:RDF[\s>]/.test(head)) return 'rss1.0';
  if (/<rss[^>]*version=["']0\.9/.test(head)) return 'rss0.9';
  return 'rss2.0';
}

function fromRssParser(output: RssParserOutput, xml: string, options: ParseOptions, warnings: string[]): ParsedFeed {
  const format = detectFormat(xml);
  const feedUrl = options.url;
  const feedRecord = output as unknown as Record<string, unknown>;
  const isAtom = format.startsWith('atom');
  const items = (output.items ?? []).map((item, index) => {
    const record = item as unknown as Record<string, RawValue | undefined>;
    const raw: Record<string, string | string[]> = {};
    for (const name of RSS_EXTRA_ITEM_FIELDS) {
      const values = rawTexts(record[name]);
      if (values.length === 1) raw[name] = values[0]!;
      else if (values.length > 1) raw[name] = values;
    }
    const dateText = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string) : undefined);
    const published = isAtom
      ? dateText('published') ?? dateText('issued') ?? dateText('created')
      : dateText('pubDate') ?? dateText('dc:date');
    const updated = isAtom ? dateText('updated') ?? dateText('modified') : undefined;
    const content = dateText('content:encoded') ?? (isAtom ? (item.content as string | undefined) : undefined);
    const description = isAtom ? (record.summary !== undefined ? rawText(record.summary) : undefined) : dateText('description');
    const tags = [
      ...rawTexts((item as { categories?: unknown }).categories).map((c) => c.trim()),
      ...rawTexts(record['dc:subject']).map((c) => c.trim()),
    ];
    const enclosure = (item as { enclosure?: { url?: string; type?: string; length?: string } }).enclosure;
    const enclosures: Enclosure[] = enclosure?.url
      ? [
          {
            url: resolveUrl(enclosure.url, feedUrl),
            ...(enclosure.type ? { type: enclosure.type } : {}),
            ...(enclosure.length && Number(enclosure.length) > 0 ? { length: Number(enclosure.length) } : {}),
          },
        ]
      : [];
    const guid = isAtom ? rawText(record.id) : (item.guid as string | undefined) ?? (item as { 'rdf:about'?: string })['rdf:about'];
    const parsed: ParsedItem = {
      title: cleanTitle(item.title ?? ''),
      tags: unique(tags),
      enclosures,
      raw,
    };
    if (guid?.trim()) parsed.guid = guid.trim();
    const link = item.link?.trim();
    if (link) parsed.link = resolveUrl(link, feedUrl);
    if (content?.trim()) parsed.content = content;
    const summary = isAtom ? description : content === undefined ? undefined : description;
    if (summary?.trim()) parsed.summary = summary;
    if (!parsed.content && !isAtom && description?.trim()) parsed.content = description;
    const author = item.creator ?? dateText('dc:creator') ?? (item as { author?: string }).author ?? dateText('author');
    if (author?.trim()) parsed.author = author.trim();
    setDates(parsed, published, updated, options, warnings, index);
    return parsed;
  });
  const feed: ParsedFeed = {
    format,
    title: cleanTitle(output.title ?? ''),
    items,
    warnings,
  };
  if (output.link) feed.link = resolveUrl(output.link, feedUrl);
  const description = output.description ?? rawText(feedRecord.subtitle) ?? rawText(feedRecord.tagline);
  if (description) feed.description = description;
  const language = rawText(feedRecord.language) ?? rawText(feedRecord['dc:language']);
  if (language) feed.language = language;
  const updated = parseDate(
    rawText(feedRecord.lastBuildDate) ?? rawText(feedRecord.updated) ?? rawText(feedRecord['dc:date']) ?? rawText(feedRecord.modified),
    { defaultZone: options.defaultZone },
  );
  if (updated) feed.updated = updated;
  return feed;
}

function setDates(
  item: ParsedItem,
  published: string | undefined,
  updated: string | undefined,
  options: ParseOptions,
  warnings: string[],
  index: number,
): void {
  const zone = { defaultZone: options.defaultZone };
  if (published) {
    const when = parseDate(published, zone);
    if (when) item.published = when;
    else warnings.push(`item ${index + 1}: unreadable date ${JSON.stringify(published)}`);
  }
  if (updated) {
    const when = parseDate(updated, zone);
    if (when) item.updated = when;
    else warnings.push(`item ${index + 1}: unreadable date ${JSON.stringify(updated)}`);
  }
  if (!item.published && item.updated) item.published = item.updated;
}

/** Titles are plain text; feeds often escape them twice. */
function cleanTitle(title: string): string {
  return htmlToText(unescapeEntities(title.trim()));
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

export function resolveUrl(link: string, base: string | undefined): string {
  const trimmed = link.trim();
  if (!base) return trimmed;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return trimmed;
  }
}

// ─── Lenient path (cheerio, XML mode) ────────────────────────────────────────────────────────

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/** HTML named entities are not XML; a feed that uses them is still meant to be read. */
function decodeHtmlOnlyEntities(text: string): string {
  return text.replace(/&([a-zA-Z][a-zA-Z0-9]*);/g, (match, name: string) =>
    XML_ENTITIES.has(name) ? match : decodeHTML(match),
  );
}

function parseLenient(xml: string, options: ParseOptions, warnings: string[]): ParsedFeed {
  // Characters XML forbids (control bytes, U+FFFE/FFFF) are dropped before parsing.
  const cleaned = stripXmlForbidden(xml);
  const $ = cheerio.load(cleaned, { xml: { decodeEntities: true } });
  const root = $.root().children().first();
  const rootName = (root.get(0) as Element | undefined)?.tagName ?? '';
  let format: FeedFormat;
  if (rootName === 'feed') format = root.attr('version') === '0.3' ? 'atom0.3' : 'atom1.0';
  else if (rootName === 'rdf:RDF') format = 'rss1.0';
  else if (rootName === 'rss') format = (root.attr('version') ?? '').startsWith('0.9') ? 'rss0.9' : 'rss2.0';
  else throw new FeedParseError(`${where(options)}not a feed: the root element is <${rootName || '?'}>`);

  const isAtom = format.startsWith('atom');
  const channel = isAtom ? root : root.children('channel').first();
  const feedBase = baseOf(root.get(0) as Element, options.url);
  const itemNodes = isAtom ? root.children('entry') : format === 'rss1.0' ? root.children('item') : channel.children('item');
  const text = (el: cheerio.Cheerio<Element>) => decodeHtmlOnlyEntities(el.first().text());

  const items = itemNodes.toArray().map((node, index) => {
    const item = $(node);
    const base = baseOf(node, feedBase);
    const raw: Record<string, string | string[]> = {};
    for (const child of item.children().toArray()) {
      const value = decodeHtmlOnlyEntities($(child).text());
      const previous = raw[child.tagName];
      raw[child.tagName] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
    }
    const one = (name: string) => {
      const value = raw[name];
      return Array.isArray(value) ? value[0] : value;
    };
    let link: string | undefined;
    if (isAtom) {
      const links = item.children('link').toArray();
      const alternate = links.find((l) => ($(l).attr('rel') ?? 'alternate') === 'alternate') ?? links[0];
      link = alternate ? $(alternate).attr('href') : undefined;
    } else {
      link = one('link') ?? (item.attr('rdf:about') || undefined);
    }
    const contentNode = isAtom ? item.children('content').first() : undefined;
    const content = isAtom ? (contentNode && contentNode.length ? atomText($, contentNode) : undefined) : one('content:encoded');
    const summary = isAtom
      ? item.children('summary').length ? atomText($, item.children('summary').first()) : undefined
      : one('description');
    const tags = isAtom
      ? item.children('category').toArray().map((c) => $(c).attr('term') ?? $(c).text())
      : [...item.children('category').toArray().map((c) => $(c).text()), ...toList(raw['dc:subject'])];
    const enclosures: Enclosure[] = isAtom
      ? item
          .children('link[rel="enclosure"]')
          .toArray()
          .map((l) => ({ url: resolveUrl($(l).attr('href') ?? '', base), ...typeAndLength($(l).attr('type'), $(l).attr('length')) }))
      : item
          .children('enclosure')
          .toArray()
          .map((e) => ({ url: resolveUrl($(e).attr('url') ?? '', base), ...typeAndLength($(e).attr('type'), $(e).attr('length')) }));
    const authorNode = item.children('author').first();
    const author = isAtom ? text(authorNode.children('name')) || text(authorNode) : one('dc:creator') ?? one('author');
    const parsed: ParsedItem = {
      title: cleanTitle(one('title') ?? ''),
      tags: unique(tags.map((t) => t.trim())),
      enclosures: enclosures.filter((e) => e.url),
      raw,
    };
    const guid = isAtom ? one('id') : one('guid') ?? (item.attr('rdf:about') || undefined);
    if (guid?.trim()) parsed.guid = guid.trim();
    if (link?.trim()) parsed.link = resolveUrl(link, base);
    if (content?.trim()) parsed.content = content;
    if (summary?.trim()) {
      if (!isAtom && !parsed.content) parsed.content = summary;
      else parsed.summary = summary;
    }
    if (author?.trim()) parsed.author = author.trim();
    const published = isAtom ? one('published') ?? one('issued') ?? one('created') : one('pubDate') ?? one('dc:date');
    const updated = isAtom ? one('updated') ?? one('modified') : undefined;
    setDates(parsed, published, updated, options, warnings, index);
    return parsed;
  });

  const feed: ParsedFeed = { format, title: cleanTitle(text(channel.children('title'))), items, warnings };
  const feedLink = isAtom
    ? channel.children('link').toArray().find((l) => ($(l).attr('rel') ?? 'alternate') === 'alternate')
    : undefined;
  const link = isAtom ? (feedLink ? $(feedLink).attr('href') : undefined) : text(channel.children('link'));
  if (link?.trim()) feed.link = resolveUrl(link, feedBase);
  const description = text(channel.children(isAtom ? 'subtitle, tagline' : 'description'));
  if (description) feed.description = description;
  const language = text(channel.children('language, dc\\:language')) || root.attr('xml:lang');
  if (language) feed.language = language;
  const updated = parseDate(
    text(channel.children(isAtom ? 'updated, modified' : 'lastBuildDate, dc\\:date')) || undefined,
    { defaultZone: options.defaultZone },
  );
  if (updated) feed.updated = updated;
  return feed;
}

function atomText($: cheerio.CheerioAPI, node: cheerio.Cheerio<Element>): string {
  const type = node.attr('type');
  if (type === 'xhtml') {
    const div = node.children().first();
    return (div.length ? $.xml(div.contents()) : $.xml(node.contents())).trim();
  }
  const value = decodeHtmlOnlyEntities(node.text());
  return type === 'html' || type === 'text/html' ? value : type === undefined || type === 'text' ? escapeText(value) : value;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The xml:base in force on an element, resolved against its ancestors' and the feed URL. */
function baseOf(node: Element | undefined, inherited: string | undefined): string | undefined {
  const own = node?.attribs?.['xml:base'];
  return own ? resolveUrl(own, inherited) : inherited;
}

function typeAndLength(type: string | undefined, length: string | undefined): Partial<Enclosure> {
  const result: Partial<Enclosure> = {};
  if (type) result.type = type;
  if (length && Number(length) > 0) result.length = Number(length);
  return result;
}

function toList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

// ─── JSON Feed ───────────────────────────────────────────────────────────────────────────────

interface JsonFeedItem {
  id?: string | number;
  url?: string;
  external_url?: string;
  title?: string;
  content_html?: string;
  content_text?: string;
  summary?: string;
  date_published?: string;
  date_modified?: string;
  author?: { name?: string };
  authors?: Array<{ name?: string }>;
  tags?: string[];
  attachments?: Array<{ url?: string; mime_type?: string; size_in_bytes?: number; title?: string }>;
}

function parseJsonFeed(text: string, options: ParseOptions): ParsedFeed {
  let document: { version?: string; title?: string; home_page_url?: string; description?: string; language?: string; items?: unknown };
  try {
    document = JSON.parse(text) as typeof document;
  } catch (error) {
    throw new FeedParseError(`${where(options)}invalid JSON (${firstLine(error)})`);
  }
  if (!document.version?.startsWith('https://jsonfeed.org/version/') || !Array.isArray(document.items)) {
    throw new FeedParseError(`${where(options)}JSON without a JSON Feed "version" and "items"`);
  }
  const warnings: string[] = [];
  const items: ParsedItem[] = [];
  (document.items as JsonFeedItem[]).forEach((source, index) => {
    if (typeof source !== 'object' || source === null) {
      warnings.push(`item ${index + 1}: not an object; skipped`);
      return;
    }
    const item: ParsedItem = {
      title: cleanTitle(source.title ?? ''),
      tags: unique((source.tags ?? []).map(String)),
      enclosures: (source.attachments ?? [])
        .filter((a) => a.url)
        .map((a) => ({
          url: resolveUrl(a.url!, options.url),
          ...(a.mime_type ? { type: a.mime_type } : {}),
          ...(a.size_in_bytes ? { length: a.size_in_bytes } : {}),
          ...(a.title ? { title: a.title } : {}),
        })),
      raw: {},
    };
    if (source.id !== undefined && String(source.id).trim()) item.guid = String(source.id).trim();
    const link = source.url ?? source.external_url;
    if (link) item.link = resolveUrl(link, options.url);
    if (source.content_html) item.content = source.content_html;
    else if (source.content_text) item.content = escapeText(source.content_text).replace(/\n/g, '<br>');
    if (source.summary) item.summary = source.summary;
    const author = source.authors?.[0]?.name ?? source.author?.name;
    if (author) item.author = author;
    setDates(item, source.date_published, source.date_modified, options, warnings, index);
    items.push(item);
  });
  const feed: ParsedFeed = { format: 'json', title: cleanTitle(document.title ?? ''), items, warnings };
  if (document.home_page_url) feed.link = resolveUrl(document.home_page_url, options.url);
  if (document.description) feed.description = document.description;
  if (document.language) feed.language = document.language;
  return feed;
}

// ─── Into entries ────────────────────────────────────────────────────────────────────────────

/** Parsed items as entries of one source; `namespace` keeps ids of different sources apart. */
export function feedToEntries(parsed: ParsedFeed, source: EntrySource, namespace: string): Entry[] {
  return parsed.items.map((item) => {
    const entry = makeEntry({
      id: entryId(namespace, { guid: item.guid, link: item.link, title: item.title, content: item.content ?? item.summary }),
      title: item.title,
      source,
      tags: item.tags,
      enclosures: item.enclosures,
    });
    if (item.guid) entry.guid = item.guid;
    if (item.link) entry.link = item.link;
    if (item.content) entry.content = item.content;
    if (item.summary) entry.summary = item.summary;
    if (item.author) entry.author = item.author;
    if (item.published) entry.published = item.published;
    if (item.updated) entry.updated = item.updated;
    return entry;
  });
}
