/**
 * The lifestream page at `/` (the default feed) and `/NAME`, with `?view=everything` and paging
 * by `?page=N` or `?before=TIME` (entries older than TIME: RFC 3339, or epoch seconds or ms).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { entryTime } from '../../pipeline/model.js';
import { parseDate } from '../../text/dates.js';
import type { FeedFormat } from '../feed-filter.js';
import { FEED_FORMATS } from '../feed-cache.js';
import type { CachedFeed } from '../feed-cache.js';
import type { ServerContext } from '../context.js';
import { PAGE_SECURITY_HEADERS } from '../views/layout.js';
import type { StreamView } from '../views/lifestream.js';
import { renderLifestream } from '../views/lifestream.js';

const FEED_NAME = /^[A-Za-z0-9._-]+$/;

interface PageQuery {
  view?: string;
  page?: string;
  before?: string;
}

interface FeedMeta {
  title?: string;
  description?: string;
  link?: string;
}

const metaByRender = new WeakMap<CachedFeed, FeedMeta>();

export function registerPageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const handler = async (name: string, query: PageQuery, reply: FastifyReply, path: string) => {
    if (!FEED_NAME.test(name)) return notFoundPage(reply);
    const view: StreamView = query.view === 'everything' ? 'everything' : 'aggregated';
    const page = /^\d{1,6}$/.test(query.page ?? '') ? Math.max(1, Number(query.page)) : 1;
    const before = query.before ? parseDate(query.before)?.epochMs : undefined;
    if (query.before && before === undefined) {
      return reply.code(400).type('text/plain; charset=utf-8').send(`before: cannot read "${query.before}" as a time`);
    }

    const [stream, renders] = await Promise.all([
      ctx.streams.get(name),
      Promise.all(FEED_FORMATS.map(async (format) => [format, await ctx.feeds.get(name, format)] as const)),
    ]);
    const formats = renders.filter(([, feed]) => feed !== undefined).map(([format]) => format as FeedFormat);
    const isDefault = path === '/';
    if (!isDefault && formats.length === 0 && stream.aggregated.length === 0) return notFoundPage(reply);

    const pageKey = `${view}|${page}|${before ?? ''}|${renders.map(([, feed]) => feed?.base.etag ?? '-').join(',')}`;
    let html = stream.pages.get(pageKey);
    if (html === undefined) {
      const all = stream[view];
      const older = before === undefined ? all : all.filter((entry) => (entryTime(entry) ?? -Infinity) < before);
      const offset = (page - 1) * ctx.pageSize;
      const entries = older.slice(offset, offset + ctx.pageSize);
      const params = (extra: Record<string, string>) => {
        const search = new URLSearchParams({ ...(view === 'everything' ? { view } : {}), ...extra });
        const text = search.toString();
        return text ? `${path}?${text}` : path;
      };
      const meta = feedMeta(renders.find(([format]) => format === 'json')?.[1]);
      html = renderLifestream({
        feedName: name,
        title: meta.title || name,
        ...(meta.description ? { description: meta.description } : {}),
        ...(meta.link ? { link: meta.link } : {}),
        view,
        counts: { aggregated: stream.aggregated.length, everything: stream.everything.length },
        entries,
        page,
        path,
        ...(offset + ctx.pageSize < older.length
          ? { olderHref: params({ ...(before !== undefined ? { before: String(before) } : {}), page: String(page + 1) }) }
          : {}),
        ...(page > 1
          ? { newerHref: params({ ...(before !== undefined ? { before: String(before) } : {}), ...(page > 2 ? { page: String(page - 1) } : {}) }) }
          : {}),
        timezone: ctx.timezone,
        formats,
      });
      stream.pages.set(pageKey, html);
      if (stream.pages.size > ctx.streams.maxPages) {
        const oldest = stream.pages.keys().next().value;
        if (oldest !== undefined) stream.pages.delete(oldest);
      }
    }
    return reply
      .headers(PAGE_SECURITY_HEADERS)
      .header('cache-control', 'public, max-age=60')
      .type('text/html; charset=utf-8')
      .send(html);
  };

  app.get<{ Querystring: PageQuery }>('/', (request, reply) => handler(ctx.defaultFeed, request.query, reply, '/'));
  app.get<{ Params: { name: string }; Querystring: PageQuery }>('/:name', (request, reply) =>
    handler(request.params.name, request.query, reply, `/${encodeURIComponent(request.params.name)}`),
  );
}

function feedMeta(feed: CachedFeed | undefined): FeedMeta {
  if (!feed) return {};
  let meta = metaByRender.get(feed);
  if (!meta) {
    try {
      const document = JSON.parse(feed.base.body.toString('utf8')) as Record<string, unknown>;
      const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
      meta = {
        ...(text(document['title']) ? { title: text(document['title']) } : {}),
        ...(text(document['description']) ? { description: text(document['description']) } : {}),
        ...(text(document['home_page_url']) ? { link: text(document['home_page_url']) } : {}),
      };
    } catch {
      meta = {};
    }
    metaByRender.set(feed, meta);
  }
  return meta;
}

function notFoundPage(reply: FastifyReply) {
  return reply
    .code(404)
    .headers(PAGE_SECURITY_HEADERS)
    .type('text/html; charset=utf-8')
    .send('<!doctype html><html lang="ja"><meta charset="utf-8"><title>見つかりません</title><h1>見つかりません</h1><p><a href="/">トップへ</a></p></html>');
}
