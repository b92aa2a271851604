/**
 * Feed documents (RSS 0.9x, RSS 1.0/RDF, RSS 2.0, Atom 1.0 and 0.3, JSON Feed 1.x) into one
 * neutral shape. XML feeds go through htmlparser2 in XML mode (the parser cheerio runs on), which
 * never gives up on a document: a bare `&`, an HTML entity or an unparsable date costs nothing
 * but a warning, and `xml:base` is honoured. Dates always come from the raw strings through our
 * own parser, never from `new Date(string)`.
 *
 * rss-parser, which the project first used here, rejects a whole feed for any of those, reads
 * `JST` as nothing and drops `xml:base`; it was also 2–3× slower than this path on a 5,000-item
 * feed (bench/feed-path.ts). It stays as the independent reader our tests re-parse output with.
 */
import { parseDocument } from 'htmlparser2';
import type { AnyNode, Element } from 'domhandler';
import { getInnerHTML, textContent } from 'domutils';
import { decodeHTML } from 'entities';
import type { Enclosure, Entry, EntrySource, Feed, When } from '../pipeline/model.js';
import { makeEntry, makeFeed } from '../pipeline/model.js';
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
  /** Every child element by qualified name (text content); repeated elements as arrays. */
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
  /** Problems that did not stop the parse (an unreadable date…), for the run report. */
  warnings: string[];
  /** The document stopped before its closing root tag. */
  truncated?: boolean;
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

export async function parseFeedDocument(text: string, options: ParseOptions): Promise<ParsedFeed> {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) return parseJsonFeed(trimmed, options);
  if (!trimmed.startsWith('<')) {
    throw new FeedParseError(`${where(options)}not a feed: the body starts with ${JSON.stringify(trimmed.slice(0, 40))}`);
  }
  if (looksLikeHtmlPage(trimmed)) {
    throw new FeedParseError(`${where(options)}an HTML page was served where a feed was expected (${pageTitle(trimmed)})`);
  }
  return parseXmlFeed(trimmed, options);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}

function where(options: ParseOptions): string {
  return options.url ? `${options.url}: ` : '';
}

function looksLikeHtmlPage(text: string): boolean {
  return /^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<!doctype html|^<html[\s>]/i.test(text);
}

function pageTitle(text: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  return title ? `title: ${JSON.stringify(htmlToText(title).slice(0, 80))}` : 'no title';
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

function setDates(
  item: ParsedItem,
  published: string | undefined,
  updated: string | undefined,
  options: ParseOptions,
  warnings: string[],
  index: number,
): void {
  const zone = { defaultZone: options.defaultZone };
  if (published?.trim()) {
    const when = parseDate(published, zone);
    if (when) item.published = when;
    else warnings.push(`item ${index + 1}: unreadable date ${JSON.stringify(published.trim())}`);
  }
  if (updated?.trim()) {
    const when = parseDate(updated, zone);
    if (when) item.updated = when;
    else warnings.push(`item ${index + 1}: unreadable date ${JSON.stringify(updated.trim())}`);
  }
  if (!item.published && item.updated) item.published = item.updated;
}

// ─── XML feeds on raw DOM nodes (no wrapper objects: this runs on every item) ─────────────────

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/** HTML named entities are not XML; a feed that uses them is still meant to be read. */
function decodeHtmlOnlyEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([a-zA-Z][a-zA-Z0-9]*);/g, (match, name: string) => (XML_ENTITIES.has(name) ? match : decodeHTML(match)));
}

function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function childElements(node: Element): Element[] {
  const out: Element[] = [];
  for (const child of node.children) if (isElement(child)) out.push(child);
  return out;
}

function firstChild(node: Element, ...names: string[]): Element | undefined {
  for (const child of node.children) if (isElement(child) && names.includes(child.name)) return child;
  return undefined;
}

function textOf(node: Element | undefined): string {
  return node ? decodeHtmlOnlyEntities(textContent(node)) : '';
}

/** The xml:base in force on an element, resolved against its ancestors' and the feed URL. */
function baseOf(node: Element | undefined, inherited: string | undefined): string | undefined {
  const own = node?.attribs['xml:base'];
  return own ? resolveUrl(own, inherited) : inherited;
}

function typeAndLength(type: string | undefined, length: string | undefined): Partial<Enclosure> {
  const result: Partial<Enclosure> = {};
  if (type) result.type = type;
  if (length && Number(length) > 0) result.length = Number(length);
  return result;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Atom text constructs: `text` is escaped into HTML, `html` is HTML, `xhtml` is inline markup. */
function atomText(node: Element): string {
  const type = node.attribs.type;
  if (type === 'xhtml') {
    const div = childElements(node)[0];
    return getInnerHTML(div ?? node, { xmlMode: true, decodeEntities: false }).trim();
  }
  const value = textOf(node);
  return type === undefined || type === 'text' || type === 'text/plain' ? escapeText(value) : value;
}

function parseXmlFeed(xml: string, options: ParseOptions): ParsedFeed {
  // Characters XML forbids (control bytes, U+FFFE/FFFF) are dropped before parsing.
  const cleaned = stripXmlForbidden(xml);
  const document = parseDocument(cleaned, { xmlMode: true, decodeEntities: true, withStartIndices: true });
  const root = document.children.find(isElement);
  const rootName = root?.name ?? '';
  let format: FeedFormat;
  if (rootName === 'feed') format = root!.attribs.version === '0.3' ? 'atom0.3' : 'atom1.0';
  else if (rootName === 'rdf:RDF') format = 'rss1.0';
  else if (rootName === 'rss') format = (root!.attribs.version ?? '').startsWith('0.9') ? 'rss0.9' : 'rss2.0';
  else throw new FeedParseError(`${where(options)}not a feed: the root element is <${rootName || '?'}>`);

  const isAtom = format.startsWith('atom');
  const channel = isAtom ? root! : firstChild(root!, 'channel') ?? root!;
  const rootBase = baseOf(root, options.url);
  const feedBase = channel === root ? rootBase : baseOf(channel, rootBase);
  const itemParent = format === 'rss1.0' ? root! : channel;
  const itemName = isAtom ? 'entry' : 'item';
  const warnings: string[] = [];
  const itemNodes = itemParent.children.filter((node): node is Element => isElement(node) && node.name === itemName);
  // A download cut short still parses (the parser closes what is open), but its last item is a
  // fragment: keep only items whose end tag arrived, and say where the document stops.
  let truncated = false;
  if (!endsWithClosingTag(cleaned, rootName)) {
    truncated = true;
    const last = itemNodes.at(-1);
    const dropped = last && !cleaned.includes(`</${itemName}`, last.startIndex ?? 0) ? 1 : 0;
    if (dropped) itemNodes.pop();
    const lines = cleaned.split('\n');
    warnings.push(
      `the document ends at line ${lines.length}, column ${(lines.at(-1)?.length ?? 0) + 1} without its closing </${rootName}> ` +
        `(a download cut short?); kept ${itemNodes.length} complete item(s)${dropped ? `, dropped ${dropped} incomplete` : ''}`,
    );
  }
  const items = itemNodes.map((node, index) =>
    isAtom ? atomItem(node, feedBase, options, warnings, index) : rssItem(node, feedBase, options, warnings, index),
  );

  const feed: ParsedFeed = { format, title: cleanTitle(textOf(firstChild(channel, 'title'))), items, warnings };
  if (truncated) feed.truncated = true;
  if (isAtom) {
    const alternate = childElements(channel).find((l) => l.name === 'link' && (l.attribs.rel ?? 'alternate') === 'alternate');
    if (alternate?.attribs.href) feed.link = resolveUrl(alternate.attribs.href, feedBase);
  } else {
    const link = textOf(firstChild(channel, 'link')).trim();
    if (link) feed.link = resolveUrl(link, feedBase);
  }
  const description = textOf(firstChild(channel, ...(isAtom ? ['subtitle', 'tagline'] : ['description'])));
  if (description) feed.description = description;
  const language = textOf(firstChild(channel, 'language', 'dc:language')) || root!.attribs['xml:lang'];
  if (language) feed.language = language;
  const author = isAtom ? textOf(firstChild(firstChild(channel, 'author') ?? channel, 'name')) : textOf(firstChild(channel, 'managingEditor', 'dc:creator'));
  if (author) feed.author = author;
  const updated = parseDate(textOf(firstChild(channel, ...(isAtom ? ['updated', 'modified'] : ['lastBuildDate', 'dc:date', 'pubDate']))) || undefined, {
    defaultZone: options.defaultZone,
  });
  if (updated) feed.updated = updated;
  return feed;
}

/**
 * Whether the root's end tag closes the document (only whitespace and comments after it). Tried
 * where the end tag occurs, from the last: an unanchored search would walk the whole document.
 */
function endsWithClosingTag(document: string, rootName: string): boolean {
  const closing = new RegExp(`</${rootName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*>(?:\\s|<!--[\\s\\S]*?-->)*$`, 'y');
  for (let at = document.lastIndexOf(`</${rootName}`); at >= 0; at = at > 0 ? document.lastIndexOf(`</${rootName}`, at - 1) : -1) {
    closing.lastIndex = at;
    if (closing.test(document)) return true;
  }
  return false;
}

function collectRaw(node: Element): Record<string, string | string[]> {
  const raw: Record<string, string | string[]> = {};
  for (const child of node.children) {
    if (!isElement(child)) continue;
    const value = textOf(child);
    const previous = raw[child.name];
    raw[child.name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return raw;
}

function first(raw: Record<string, string | string[]>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = raw[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined && text.trim() !== '') return text;
  }
  return undefined;
}

function all(raw: Record<string, string | string[]>, name: string): string[] {
  const value = raw[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function rssItem(node: Element, feedBase: string | undefined, options: ParseOptions, warnings: string[], index: number): ParsedItem {
  const base = baseOf(node, feedBase);
  const raw = collectRaw(node);
  const item: ParsedItem = {
    title: cleanTitle(first(raw, 'title') ?? ''),
    tags: unique([...all(raw, 'category'), ...all(raw, 'dc:subject')].map((t) => t.trim())),
    enclosures: childElements(node)
      .filter((e) => e.name === 'enclosure' && e.attribs.url)
      .map((e) => ({ url: resolveUrl(e.attribs.url!, base), ...typeAndLength(e.attribs.type, e.attribs.length) })),
    raw,
  };
  const guid = first(raw, 'guid') ?? node.attribs['rdf:about'];
  if (guid?.trim()) item.guid = guid.trim();
  const link = first(raw, 'link') ?? node.attribs['rdf:about'];
  if (link?.trim()) item.link = resolveUrl(link, base);
  const content = first(raw, 'content:encoded');
  const description = first(raw, 'description', 'dc:description');
  if (content) {
    item.content = content;
    if (description) item.summary = description;
  } else if (description) {
    item.content = description;
  }
  const author = first(raw, 'dc:creator', 'author');
  if (author) item.author = author.trim();
  setDates(item, first(raw, 'pubDate', 'dc:date'), first(raw, 'dcterms:modified', 'atom:updated'), options, warnings, index);
  return item;
}

function atomItem(node: Element, feedBase: string | undefined, options: ParseOptions, warnings: string[], index: number): ParsedItem {
  const base = baseOf(node, feedBase);
  const raw = collectRaw(node);
  const links = childElements(node).filter((l) => l.name === 'link');
  const alternate = links.find((l) => (l.attribs.rel ?? 'alternate') === 'alternate');
  const item: ParsedItem = {
    title: cleanTitle(first(raw, 'title') ?? ''),
    tags: unique(childElements(node).filter((c) => c.name === 'category').map((c) => (c.attribs.term ?? textOf(c)).trim())),
    enclosures: links
      .filter((l) => l.attribs.rel === 'enclosure' && l.attribs.href)
      .map((l) => ({ url: resolveUrl(l.attribs.href!, base), ...typeAndLength(l.attribs.type, l.attribs.length) })),
    raw,
  };
  const guid = first(raw, 'id');
  if (guid) item.guid = guid.trim();
  if (alternate?.attribs.href) item.link = resolveUrl(alternate.attribs.href, base);
  const content = firstChild(node, 'content');
  if (content) {
    const html = atomText(content);
    if (html.trim()) item.content = html;
  }
  const summary = firstChild(node, 'summary');
  if (summary) {
    const html = atomText(summary);
    if (html.trim()) item.summary = html;
  }
  const author = firstChild(node, 'author');
  const name = author ? textOf(firstChild(author, 'name')) || textOf(author) : '';
  if (name.trim()) item.author = name.trim();
  setDates(item, first(raw, 'published', 'issued', 'created'), first(raw, 'updated', 'modified'), options, warnings, index);
  return item;
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

/** A feed carrying a parsed document's channel fields (link, description, language, updated). */
export function feedFromParsed(parsed: ParsedFeed, fields: Partial<Feed> & Pick<Feed, 'id'>): Feed {
  const feed = makeFeed(fields);
  if (parsed.link && !feed.link) feed.link = parsed.link;
  if (parsed.description && !feed.description) feed.description = parsed.description;
  if (parsed.language && !feed.language) feed.language = parsed.language;
  if (parsed.updated && !feed.updated) feed.updated = parsed.updated;
  return feed;
}
