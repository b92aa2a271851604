/**
 * RSSHub's common query parameters (`limit`, `filter`, `filterout`, `filter_time` and their
 * per-field forms; reference/peers.md §1.1) applied to a feed body that was rendered when the
 * recipe ran. The body is indexed once per render: each item's byte range plus the fields the
 * filters look at. A query then keeps a subset of the items and splices their original text back
 * together, so a filtered feed is exactly the published feed with items left out — nothing is
 * re-rendered and no pipeline runs per request. Patterns are compiled with re2js (linear time),
 * so a visitor's `filter` cannot stall the server.
 */
import { RE2JS } from 're2js';
import { SaxesParser } from 'saxes';
import { parseDate } from '../text/dates.js';

export type FeedFormat = 'rss' | 'atom' | 'json';

export interface IndexedItem {
  /** Character range of the item in the body (XML formats). */
  start: number;
  end: number;
  title: string;
  /** The item's HTML or text body, as RSSHub's `description`. */
  description: string;
  author: string;
  categories: string[];
  /** Epoch ms of publication, when the item has a readable date. */
  time?: number;
}

export interface IndexedFeed {
  format: FeedFormat;
  body: string;
  items: IndexedItem[];
  /** JSON Feed only: the parsed document, whose `items` line up with `items`. */
  json?: { document: Record<string, unknown>; items: unknown[]; indent: number };
}

export class FeedQueryError extends Error {
  override name = 'FeedQueryError';
}

// ─── Indexing ────────────────────────────────────────────────────────────────────────────────

interface ItemFields {
  title: string[];
  description: string[];
  content: string[];
  author: string[];
  categories: string[];
  dates: string[];
}

const RSS_FIELDS: Record<string, keyof ItemFields> = {
  title: 'title',
  description: 'description',
  'content:encoded': 'content',
  author: 'author',
  'dc:creator': 'author',
  category: 'categories',
  pubDate: 'dates',
  'dc:date': 'dates',
};

const ATOM_FIELDS: Record<string, keyof ItemFields> = {
  title: 'title',
  summary: 'description',
  content: 'content',
  name: 'author',
  published: 'dates',
  updated: 'dates',
};

export function indexFeed(format: FeedFormat, body: string): IndexedFeed {
  return format === 'json' ? indexJsonFeed(body) : indexXmlFeed(format, body);
}

function indexXmlFeed(format: 'rss' | 'atom', body: string): IndexedFeed {
  const itemTag = format === 'rss' ? 'item' : 'entry';
  const fieldOf = format === 'rss' ? RSS_FIELDS : ATOM_FIELDS;
  const items: IndexedItem[] = [];
  const parser = new SaxesParser({ position: true });
  let current: { start: number; fields: ItemFields } | undefined;
  /** Element names from the item down to the innermost open element, and the text under each. */
  const path: string[] = [];
  const texts: string[] = [];

  parser.on('opentag', (tag) => {
    if (!current) {
      if (tag.name === itemTag) {
        // saxes reports the position after the tag; the item starts at its `<`.
        const start = body.lastIndexOf(`<${itemTag}`, parser.position - 1);
        current = { start, fields: { title: [], description: [], content: [], author: [], categories: [], dates: [] } };
      }
      return;
    }
    path.push(tag.name);
    texts.push('');
    if (format === 'atom' && tag.name === 'category' && path.length === 1) {
      const term = tag.attributes['term'];
      if (typeof term === 'string') current.fields.categories.push(term);
    }
  });
  const collect = (chunk: string) => {
    if (!current) return;
    // Text counts for every open element, so markup inside (Atom xhtml content) keeps its words.
    for (let i = 0; i < texts.length; i++) texts[i] += chunk;
  };
  parser.on('text', collect);
  parser.on('cdata', collect);
  parser.on('closetag', (tag) => {
    if (!current) return;
    if (path.length === 0 && tag.name === itemTag) {
      const { fields } = current;
      const dateText = fields.dates[0];
      const when = dateText ? parseDate(dateText.trim()) : undefined;
      items.push({
        start: current.start,
        end: parser.position,
        title: fields.title.join(' '),
        description: fields.description[0] ?? fields.content[0] ?? fields.title.join(' '),
        author: fields.author.join(' '),
        categories: fields.categories,
        ...(when ? { time: when.epochMs } : {}),
      });
      current = undefined;
      return;
    }
    const depth = path.length;
    const text = texts.pop() ?? '';
    path.pop();
    const field = fieldOf[tag.name];
    // Direct children of the item, and Atom's author name, which sits inside <author>.
    const wanted = field && (depth === 1 || (format === 'atom' && field === 'author' && depth === 2 && path[0] === 'author'));
    if (wanted) current.fields[field].push(text);
  });
  try {
    parser.write(body).close();
  } catch (error) {
    throw new Error(`stored ${format} render is not well-formed XML: ${(error as Error).message}`, { cause: error });
  }
  return { format, body, items };
}

function indexJsonFeed(body: string): IndexedFeed {
  const document = JSON.parse(body) as Record<string, unknown>;
  const rawItems = Array.isArray(document['items']) ? (document['items'] as unknown[]) : [];
  const items = rawItems.map((raw, index): IndexedItem => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const str = (value: unknown) => (typeof value === 'string' ? value : '');
    const title = str(item['title']);
    const authors = Array.isArray(item['authors']) ? (item['authors'] as Array<Record<string, unknown>>) : [];
    const legacyAuthor = item['author'] as Record<string, unknown> | undefined;
    const authorNames = [...authors, ...(legacyAuthor ? [legacyAuthor] : [])].map((a) => str(a?.['name'])).filter(Boolean);
    const when = parseDate(str(item['date_published']) || str(item['date_modified']) || undefined);
    return {
      start: index,
      end: index + 1,
      title,
      description: str(item['content_html']) || str(item['content_text']) || str(item['summary']) || title,
      author: authorNames.join(' '),
      categories: Array.isArray(item['tags']) ? (item['tags'] as unknown[]).filter((t): t is string => typeof t === 'string') : [],
      ...(when ? { time: when.epochMs } : {}),
    };
  });
  const indentMatch = /^\{\r?\n( +)"/.exec(body);
  return { format: 'json', body, items, json: { document, items: rawItems, indent: indentMatch?.[1]?.length ?? 0 } };
}

// ─── Queries ─────────────────────────────────────────────────────────────────────────────────

type Field = 'title' | 'description' | 'author' | 'category';
const FIELDS: readonly Field[] = ['title', 'description', 'author', 'category'];

export interface FeedQuery {
  limit?: number;
  filter?: RE2JS;
  filterFields: Partial<Record<Field, RE2JS>>;
  filterout: Partial<Record<Field, RE2JS>>;
  filterTimeSeconds?: number;
  /** Canonical text of the query: the cache key of its result. */
  key: string;
}

export const FEED_QUERY_PARAMETERS = [
  'limit',
  'filter',
  'filterout',
  'filter_time',
  'filter_case_sensitive',
  ...FIELDS.flatMap((f) => [`filter_${f}`, `filterout_${f}`]),
] as const;

/** The feed query in a request's query string, or undefined when it has none. */
export function parseFeedQuery(query: Record<string, unknown>): FeedQuery | undefined {
  const values = new Map<string, string>();
  for (const name of FEED_QUERY_PARAMETERS) {
    const raw = query[name];
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (typeof value === 'string' && value !== '') values.set(name, value);
  }
  const has = [...values.keys()].some((name) => name !== 'filter_case_sensitive');
  if (!has) return undefined;

  const caseInsensitive = values.get('filter_case_sensitive') === 'false';
  const compile = (name: string): RE2JS | undefined => {
    const pattern = values.get(name);
    if (pattern === undefined) return undefined;
    if (pattern.length > 1000) throw new FeedQueryError(`${name} is longer than 1000 characters`);
    try {
      return RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    } catch (error) {
      throw new FeedQueryError(`${name} is not a valid regular expression: ${(error as Error).message}`);
    }
  };
  const positiveInteger = (name: string): number | undefined => {
    const text = values.get(name);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new FeedQueryError(`${name} must be a whole number, got "${text}"`);
    return Number(text);
  };

  const parsed: FeedQuery = { filterFields: {}, filterout: {}, key: '' };
  const limit = positiveInteger('limit');
  if (limit !== undefined) parsed.limit = limit;
  const filterTime = positiveInteger('filter_time');
  if (filterTime !== undefined) parsed.filterTimeSeconds = filterTime;
  const filter = compile('filter');
  if (filter) parsed.filter = filter;
  for (const field of FIELDS) {
    const keep = compile(`filter_${field}`);
    if (keep) parsed.filterFields[field] = keep;
    // `filterout` stands for title and description unless a per-field form overrides it (RSSHub).
    const drop = compile(`filterout_${field}`) ?? (field === 'title' || field === 'description' ? compile('filterout') : undefined);
    if (drop) parsed.filterout[field] = drop;
  }
  parsed.key = [...values.entries()]
    .filter(([name]) => name !== 'filter_case_sensitive' || caseInsensitive)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return parsed;
}

function fieldText(item: IndexedItem, field: Exclude<Field, 'category'>): string {
  return item[field];
}

function matches(regex: RE2JS, text: string): boolean {
  return regex.matcher(text).find();
}

/** The items a query keeps, in feed order. `now` is for `filter_time`. */
export function selectItems(feed: IndexedFeed, query: FeedQuery, now: number): IndexedItem[] {
  let items = feed.items;
  const { filter } = query;
  if (filter) {
    items = items.filter(
      (item) =>
        matches(filter, item.title) ||
        matches(filter, item.description) ||
        matches(filter, item.author) ||
        item.categories.some((c) => matches(filter, c)),
    );
  } else if (Object.keys(query.filterFields).length > 0) {
    // As in RSSHub, `filter` wins over the per-field forms; the per-field forms all must match.
    items = items.filter((item) =>
      FIELDS.every((field) => {
        const regex = query.filterFields[field];
        if (!regex) return true;
        return field === 'category' ? item.categories.some((c) => matches(regex, c)) : matches(regex, fieldText(item, field));
      }),
    );
  }
  if (Object.keys(query.filterout).length > 0) {
    items = items.filter((item) =>
      FIELDS.every((field) => {
        const regex = query.filterout[field];
        if (!regex) return true;
        return field === 'category' ? item.categories.every((c) => !matches(regex, c)) : !matches(regex, fieldText(item, field));
      }),
    );
  }
  if (query.filterTimeSeconds !== undefined) {
    const oldest = now - query.filterTimeSeconds * 1000;
    // Undated items stay, as in RSSHub: there is no date to judge them by.
    items = items.filter((item) => item.time === undefined || item.time >= oldest);
  }
  if (query.limit !== undefined) items = items.slice(0, query.limit);
  return items;
}

/** The feed body with only the items the query keeps, and how many it kept. */
export function applyFeedQuery(feed: IndexedFeed, query: FeedQuery, now: number): { body: string; items: number } {
  const kept = selectItems(feed, query, now);
  if (feed.json) {
    const { document, items, indent } = feed.json;
    const keptItems = kept.map((item) => items[item.start]);
    return { body: JSON.stringify({ ...document, items: keptItems }, null, indent || undefined), items: kept.length };
  }
  const { body, items } = feed;
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return { body, items: 0 };
  // Items are re-joined with the whitespace the renderer put between the first two.
  const separator = items[1] ? body.slice(first.end, items[1].start) : '\n';
  const keptText = kept.map((item) => body.slice(item.start, item.end)).join(separator);
  return { body: body.slice(0, first.start) + keptText + body.slice(last.end), items: kept.length };
}
