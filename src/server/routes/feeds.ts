/**
 * `/feeds/NAME.rss|.atom|.json`: the bodies the last run rendered, as stored. Validators come
 * from the content (ETag) and the last change (Last-Modified); a client that has them gets a 304.
 * Codings are compressed once per body and kept, and `Cache-Control` tells readers to come back
 * when the next scheduled run may have changed the feed.
 */
// The route's `compress` option is typed by @fastify/compress's declarations.
import type {} from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FeedFormat } from '../feed-filter.js';
import { FeedQueryError, parseFeedQuery } from '../feed-filter.js';
import type { CachedFeed } from '../feed-cache.js';
import { chooseCoding, ifNoneMatchHits, notModifiedSince } from '../http-cache.js';
import type { ServerContext } from '../context.js';

const FEED_FILE = /^([A-Za-z0-9._-]+)\.(rss|atom|json)$/;
/** When no schedule says when the content may change. */
const DEFAULT_MAX_AGE_S = 300;

export function registerFeedRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const maxAge = maxAgeCache(ctx);

  const respond = (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply, feed: CachedFeed) => {
    let representation = feed.base;
    if (hasQuery(request)) {
      try {
        representation = ctx.feeds.variant(feed, parseFeedQuery(request.query as Record<string, unknown>));
      } catch (error) {
        if (error instanceof FeedQueryError) return reply.code(400).send({ error: 'Bad Request', message: error.message });
        throw error;
      }
    }
    const coding = chooseCoding(request.headers['accept-encoding']);
    reply.header('vary', 'Accept-Encoding');
    reply.header('etag', representation.etags[coding]);
    reply.header('last-modified', representation.lastModifiedHeader);
    reply.header('cache-control', maxAge(feed.name));
    const ifNoneMatch = request.headers['if-none-match'];
    // If-Modified-Since counts only without If-None-Match (RFC 9110 §13.1.3).
    const fresh =
      ifNoneMatch !== undefined
        ? ifNoneMatchHits(ifNoneMatch, representation.etag)
        : notModifiedSince(request.headers['if-modified-since'], representation.lastModified);
    if (fresh) return reply.code(304).send();
    reply.header('content-type', representation.contentType);
    if (coding !== 'identity') reply.header('content-encoding', coding);
    const body = representation.encoded(coding);
    return Buffer.isBuffer(body) ? reply.send(body) : body.then((bytes) => reply.send(bytes));
  };

  app.get<{ Params: { file: string } }>(
    '/feeds/:file',
    // Bodies are compressed here once each (@fastify/compress would do it on every request), and
    // a GET has no body to decompress.
    { compress: false, decompress: false },
    (request, reply) => {
      // The route parameter is the cache key itself: a feed read before is served without waiting.
      const cached = ctx.feeds.peek(request.params.file);
      if (cached) return respond(request, reply, cached);
      const match = FEED_FILE.exec(request.params.file);
      if (!match) return notFound(reply, `no feed ${request.params.file} (expected NAME.rss, NAME.atom or NAME.json)`);
      const name = match[1] as string;
      const format = match[2] as FeedFormat;
      return ctx.feeds.get(name, format).then((feed) =>
        feed ? respond(request, reply, feed) : notFound(reply, `feed ${name}.${format} has not been published (yet)`),
      );
    },
  );
}

/** `Cache-Control` per feed, worked out at most once a second. */
function maxAgeCache(ctx: ServerContext): (feed: string) => string {
  const cache = new Map<string, { second: number; value: string }>();
  return (feed) => {
    const second = Math.floor(ctx.now() / 1000);
    const hit = cache.get(feed);
    if (hit && hit.second === second) return hit.value;
    const value = `public, max-age=${maxAgeSeconds(ctx, feed)}`;
    cache.set(feed, { second, value });
    return value;
  };
}

function hasQuery(request: FastifyRequest): boolean {
  const q = request.url.indexOf('?');
  return q >= 0 && q < request.url.length - 1;
}

function notFound(reply: FastifyReply, message: string) {
  return reply.code(404).send({ error: 'Not Found', message });
}

/**
 * Seconds until the run that may next change this feed (the soonest of all recipes when no recipe
 * says it publishes the feed); before the scheduler has started, the schedule's interval.
 */
export function maxAgeSeconds(ctx: ServerContext, feed: string): number {
  const owners = ctx.recipes.filter((recipe) => recipe.feeds?.includes(feed));
  let soonest: number | undefined;
  for (const recipe of owners.length > 0 ? owners : ctx.recipes) {
    const state = ctx.scheduler.state(recipe.name);
    const seconds =
      state?.nextRunAt !== undefined
        ? Math.ceil((state.nextRunAt - ctx.now()) / 1000)
        : state?.intervalMs !== undefined
          ? Math.ceil(state.intervalMs / 1000)
          : undefined;
    if (seconds !== undefined && (soonest === undefined || seconds < soonest)) soonest = seconds;
  }
  return soonest === undefined ? DEFAULT_MAX_AGE_S : Math.max(0, soonest);
}
