/**
 * `kakehashi serve` as a Fastify app (DESIGN.md §7): the published feeds, the lifestream page,
 * status and metrics, the queue dashboard behind credentials, and the scheduler that runs the
 * recipes. Built separately from listening, so tests drive it with `inject`.
 */
import compress from '@fastify/compress';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Queue, Store } from '../pipeline/context.js';
import type { Entry } from '../pipeline/model.js';
import { expandEntries } from '../plugins/smartfeed/expand.js';
import { ADMIN_PATH, adminCredentials, mountAdmin } from './admin.js';
import { BullQueueDirectory } from './bull-queues.js';
import type { ServerContext, ServerRecipe } from './context.js';
import { FeedCache } from './feed-cache.js';
import { addQueueDepthSource, collectProcessMetrics, recordRun } from './metrics.js';
import { registerFeedRoutes } from './routes/feeds.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerPageRoutes } from './routes/pages.js';
import type { RecipeRunner, RunFinished } from './scheduler.js';
import { Scheduler } from './scheduler.js';
import { StreamCache } from './stream-cache.js';

export type { ServerRecipe } from './context.js';

export interface ServerOptions {
  store: Store;
  queue: Queue;
  recipes: ServerRecipe[];
  /** Runs one recipe by name with the shared store and queue; without it nothing is scheduled. */
  run?: RecipeRunner;
  /** Redis URL: BullMQ job schedulers, and the dashboard at /admin/queues (with credentials). */
  redis?: string;
  /** Redis key prefix shared with the queue backend (default `kakehashi`). */
  prefix?: string;
  /** Where the admin credentials come from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Fastify's logger: options for its pino, or an existing pino logger. */
  logger?: FastifyServerOptions['logger'];
  loggerInstance?: FastifyBaseLogger;
  /** Zone for times on the pages (default Asia/Tokyo). */
  timezone?: string;
  /** The feed `/` shows (default: the first feed of the first recipe, else `lifestream`). */
  defaultFeed?: string;
  pageSize?: number;
  /** How long the feed and entry caches trust the store before rereading it (default 5 s). */
  cacheTtlMs?: number;
  /** Run every recipe when `start()` is called (default true). */
  runAtStart?: boolean;
  expand?: (entries: Entry[]) => Entry[];
  now?: () => number;
}

export interface KakehashiServer {
  context: ServerContext;
  /** Whether /admin/queues is mounted, and why not. */
  admin: { mounted: true } | { mounted: false; reason: string };
  /** Start the scheduler: every recipe runs now and then on its schedule. */
  start(): Promise<void>;
  /** Run one recipe now (skipped if it is running); resolves when it has finished. */
  runNow(recipe: string): Promise<RunFinished | undefined>;
}

declare module 'fastify' {
  interface FastifyInstance {
    kakehashi: KakehashiServer;
  }
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    // Feed readers poll; a restart should not cut a response off halfway.
    return503OnClosing: true,
    // Routes are case-sensitive and feed names are ASCII; ignore a trailing slash people type.
    routerOptions: { ignoreTrailingSlash: true },
  });
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? 'kakehashi';
  const timezone = options.timezone ?? options.recipes[0]?.timezone ?? 'Asia/Tokyo';
  const onCacheError = (error: unknown, key: string) => app.log.warn({ err: error, key }, 'could not reread from the store');

  const feeds = new FeedCache(options.store, { ttlMs: options.cacheTtlMs ?? 5_000, now, onError: onCacheError });
  const streams = new StreamCache(options.store, {
    expand: options.expand ?? expandEntries,
    ttlMs: options.cacheTtlMs ?? 5_000,
    now,
    onError: onCacheError,
  });
  const scheduler = new Scheduler({
    recipes: options.recipes.map(({ name, schedule, timezone: zone }) => ({
      name,
      ...(schedule !== undefined ? { schedule } : {}),
      ...(zone ? { timezone: zone } : {}),
    })),
    run: options.run ?? (async (name) => Promise.reject(new Error(`no runner configured for ${name}`))),
    log: app.log,
    ...(options.redis ? { redis: options.redis } : {}),
    prefix,
    runAtStart: options.runAtStart ?? true,
    now,
    onRunFinished: async (finished) => {
      recordRun(finished.recipe, finished.report, finished.durationMs, finished.error);
      await Promise.all([feeds.refresh(), streams.refresh()]);
    },
  });
  const bullQueues =
    options.redis && options.queue.kind === 'bullmq'
      ? new BullQueueDirectory(options.redis, prefix, () => scheduler.bullQueues())
      : undefined;

  const context: ServerContext = {
    store: options.store,
    queue: options.queue,
    recipes: options.recipes,
    scheduler,
    feeds,
    streams,
    timezone,
    defaultFeed: options.defaultFeed ?? options.recipes.find((r) => r.feeds?.length)?.feeds?.[0] ?? 'lifestream',
    pageSize: options.pageSize ?? 20,
    startedAt: now(),
    now,
    expand: options.expand ?? expandEntries,
    ...(bullQueues ? { bullQueues } : {}),
  };

  collectProcessMetrics();
  const removeDepthSource = addQueueDepthSource(async () => {
    if (bullQueues) return bullQueues.jobCounts().catch(() => []);
    const pending = options.queue.progress?.().pending;
    return pending === undefined ? [] : [{ queue: options.queue.kind, state: 'pending', count: pending }];
  });

  await app.register(compress, { encodings: ['br', 'gzip'] });

  let admin: KakehashiServer['admin'];
  const credentials = adminCredentials(options.env ?? process.env);
  if (!bullQueues) admin = { mounted: false, reason: 'the queue dashboard needs the BullMQ queue (--redis)' };
  else if (credentials.kind === 'none') admin = { mounted: false, reason: credentials.reason };
  else {
    await mountAdmin(app, { credentials, queues: () => bullQueues.list() });
    admin = { mounted: true };
  }
  if (!admin.mounted) {
    const reason = admin.reason;
    app.log.info({ reason }, `${ADMIN_PATH} is not mounted`);
    app.all(`${ADMIN_PATH}*`, async (_request, reply) =>
      reply.code(404).send({ error: 'Not Found', message: `the queue dashboard is not mounted: ${reason}` }),
    );
  }

  registerFeedRoutes(app, context);
  registerOperationRoutes(app, context);
  registerPageRoutes(app, context);

  app.addHook('onClose', async () => {
    await scheduler.stop();
    removeDepthSource();
    await bullQueues?.close();
  });

  app.decorate('kakehashi', {
    context,
    admin,
    start: () => scheduler.start(),
    runNow: (recipe: string) => scheduler.trigger(recipe, 'manual'),
  } satisfies KakehashiServer);
  return app;
}
