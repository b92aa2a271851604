/**
 * Fetching a Hatena feed page by page. Each page goes through the shared feed parser; a page that
 * fails after the first ends the paging with a warning and keeps what the earlier pages gave, and
 * a cut-off document keeps only the items that were complete.
 */
import * as cheerio from 'cheerio';
import type { PluginContext } from '../../../pipeline/context.js';
import { parseFeedDocument, type ParsedFeed } from '../../../feed/parse.js';

export interface FeedPage {
  /** Final URL after redirects. */
  url: string;
  parsed: ParsedFeed;
  text: string;
}

export interface PagedFeed {
  pages: FeedPage[];
  warnings: string[];
  notModified: boolean;
  encoding: string;
}

export interface PagingOptions {
  maxPages: number;
  defaultZone: string;
  /** The next page's URL, or undefined to stop. */
  nextPageUrl(page: FeedPage, pageIndex: number): string | undefined;
}

const ACCEPT = 'application/atom+xml, application/rss+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';

export async function fetchFeedPages(ctx: PluginContext<unknown>, firstUrl: string, options: PagingOptions): Promise<PagedFeed> {
  const result: PagedFeed = { pages: [], warnings: [], notModified: false, encoding: '' };
  const seen = new Set<string>();
  let url: string | undefined = firstUrl;
  for (let pageIndex = 0; url && pageIndex < options.maxPages; pageIndex++) {
    seen.add(url);
    let page: FeedPage;
    try {
      page = await fetchPage(ctx, url, pageIndex === 0, options.defaultZone, result);
    } catch (error) {
      if (pageIndex === 0) throw error;
      const kept = result.pages.reduce((sum, p) => sum + p.parsed.items.length, 0);
      result.warnings.push(`${(error as Error).message}; paging stopped, keeping the ${kept} item(s) of the first ${pageIndex} page(s)`);
      break;
    }
    result.pages.push(page);
    if (page.parsed.items.length === 0) break;
    const next = options.nextPageUrl(page, pageIndex);
    url = next && !seen.has(next) ? next : undefined;
  }
  return result;
}

async function fetchPage(
  ctx: PluginContext<unknown>,
  url: string,
  conditional: boolean,
  defaultZone: string,
  result: PagedFeed,
): Promise<FeedPage> {
  const response = await ctx.http.fetch(url, { conditional, headers: { accept: ACCEPT } });
  if (conditional) result.notModified = response.notModified;
  const decoded = response.text('xml');
  result.encoding ||= decoded.encoding;
  for (const override of decoded.overrides) result.warnings.push(`${response.url}: charset: ${override}`);
  const parsed = await parseFeedDocument(decoded.text, { url: response.url, defaultZone });
  const warnings = parsed.warnings.map((warning) => `${response.url}: ${warning}`);
  if (parsed.truncated && parsed.items.length === 0) throw new Error(warnings.find((w) => w.includes('cut short')) ?? `${response.url}: truncated`);
  result.warnings.push(...warnings);
  return { url: response.url, parsed, text: decoded.text };
}

/** `<link rel="next">` of an Atom feed (or `atom:link` in an RSS channel), resolved against the page. */
export function nextLinkOf(page: FeedPage): string | undefined {
  const $ = cheerio.load(page.text, { xml: true });
  const href =
    $('feed > link[rel="next"]').first().attr('href') ??
    $('channel > atom\\:link[rel="next"]').first().attr('href') ??
    $('rdf\\:RDF > channel > atom\\:link[rel="next"]').first().attr('href');
  if (!href) return undefined;
  try {
    return new URL(href, page.url).href;
  } catch {
    return undefined;
  }
}
