/**
 * Reading FriendFeed's JSON APIs page by page (`start`/`num`). The API answered errors as JSON
 * (`{"errorCode": "unauthorized"}`) with a 4xx status, and near the end of a long feed it started
 * repeating pages (formats.md §4.2): both end the paging with what was read so far.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import type { Context, HttpResponse } from '../../../pipeline/context.js';

export interface PagingOptions {
  /** Entries per request. */
  num: number;
  /** Requests at most. */
  pages: number;
  /** Entries at most, over all pages. */
  maxEntries?: number;
  delayMs: number;
  headers?: Record<string, string>;
}

export interface PagedResult<T> {
  entries: T[];
  /** The first page's top-level object without its entries (v2: `id`, `name`, `type`). */
  feedInfo: Record<string, unknown>;
  warnings: string[];
  requests: number;
}

/** The API (or something in its place) said no, in its own words. */
export class FriendFeedApiError extends Error {
  override name = 'FriendFeedApiError';
}

export async function fetchPages<S extends z.ZodType>(
  ctx: Context,
  pageUrl: (start: number, num: number) => string,
  entrySchema: S,
  options: PagingOptions,
): Promise<PagedResult<z.output<S>>> {
  const entries: Array<z.output<S>> = [];
  const seen = new Set<string>();
  const warnings: string[] = [];
  let feedInfo: Record<string, unknown> = {};
  let requests = 0;
  const cap = options.maxEntries ?? Number.POSITIVE_INFINITY;
  for (let page = 0; page < options.pages && entries.length < cap; page++) {
    const url = pageUrl(page * options.num, options.num);
    if (page > 0 && options.delayMs > 0) await sleep(options.delayMs, undefined, { signal: ctx.signal });
    let body: { entries?: unknown } & Record<string, unknown>;
    try {
      requests++;
      body = await readJson(ctx, url, options.headers);
    } catch (error) {
      // Nothing read yet: the source fails. Later pages: what the earlier pages gave is kept.
      if (page === 0) throw error;
      warnings.push(`${(error as Error).message}; kept the ${entries.length} entries of the pages before`);
      break;
    }
    if (!Array.isArray(body.entries)) {
      const error = new FriendFeedApiError(`friendfeed: ${url}: no "entries" list in the answer`);
      if (page === 0) throw error;
      warnings.push(error.message);
      break;
    }
    if (page === 0) feedInfo = Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'entries'));
    let fresh = 0;
    body.entries.forEach((raw: unknown, index: number) => {
      const parsed = entrySchema.safeParse(raw);
      if (!parsed.success) {
        const id = typeof (raw as { id?: unknown })?.id === 'string' ? ` (id ${(raw as { id: string }).id})` : '';
        const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ');
        warnings.push(`friendfeed: ${url}: entry ${index + 1}${id} skipped: ${reason}`);
        return;
      }
      const id = (parsed.data as { id: string }).id;
      if (seen.has(id)) return;
      seen.add(id);
      fresh++;
      if (entries.length < cap) entries.push(parsed.data);
    });
    if (body.entries.length < options.num) break;
    if (fresh === 0) {
      warnings.push(`friendfeed: ${url} repeated entries already read; paging stopped`);
      break;
    }
  }
  return { entries, feedInfo, warnings, requests };
}

async function readJson(ctx: Context, url: string, headers?: Record<string, string>): Promise<{ entries?: unknown } & Record<string, unknown>> {
  const response = await ctx.http.request(url, { headers: { accept: 'application/json', ...headers }, signal: ctx.signal });
  const parsed = parseBody(response);
  const errorCode = typeof parsed?.errorCode === 'string' ? parsed.errorCode : undefined;
  if (response.status < 200 || response.status > 299 || errorCode) {
    const said = errorCode ? `errorCode "${errorCode}"` : describeBody(response);
    throw new FriendFeedApiError(`friendfeed: ${url} answered HTTP ${response.status}: ${said}${hint(errorCode, response.status)}`);
  }
  if (!parsed) throw new FriendFeedApiError(`friendfeed: ${url}: not JSON; ${describeBody(response)}`);
  return parsed as { entries?: unknown } & Record<string, unknown>;
}

function parseBody(response: HttpResponse): Record<string, unknown> | undefined {
  try {
    const value = response.json<unknown>();
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function describeBody(response: HttpResponse): string {
  const start = response.text('text').text.trimStart().slice(0, 60).replace(/\s+/g, ' ');
  return `the body starts with ${JSON.stringify(start)}`;
}

function hint(errorCode: string | undefined, status: number): string {
  if (errorCode === 'unauthorized' || errorCode === 'forbidden' || status === 401 || status === 403) {
    return ' (a private feed: give remote_key, or read your Clio archive with `archive:`)';
  }
  if (errorCode === 'limit-exceeded' || status === 429) return ' (rate limited: raise `delay` or lower `pages`)';
  return '';
}
