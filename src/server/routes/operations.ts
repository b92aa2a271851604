/** Liveness, readiness, status, metrics and the OPML of the subscriptions. */
import type { FastifyInstance } from 'fastify';
import type { RunReport } from '../../pipeline/report.js';
import { VERSION } from '../../version.js';
import type { ServerContext } from '../context.js';
import { metricsRegistry } from '../metrics.js';
import type { StoredSubscription } from '../opml.js';
import { renderOpml } from '../opml.js';
import type { StatusDocument } from '../status.js';
import { isoIn, recipeStatus } from '../status.js';
import { PAGE_SECURITY_HEADERS } from '../views/layout.js';
import { renderStatusPage } from '../views/status-page.js';

/** A check that hangs (Redis gone, commands queued until it returns) must still answer. */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function buildStatus(ctx: ServerContext): Promise<StatusDocument> {
  const recipes = await Promise.all(
    ctx.recipes.map(async (recipe) => {
      const history = (await ctx.store.get<RunReport[]>('runs', recipe.name)) ?? [];
      const state = ctx.scheduler.state(recipe.name) ?? { name: recipe.name, running: false };
      return recipeStatus(state, history, ctx.timezone);
    }),
  );
  let jobs: StatusDocument['queue']['jobs'];
  if (ctx.bullQueues) {
    try {
      jobs = await withTimeout(ctx.bullQueues.jobCounts(), 'queue');
    } catch {
      jobs = undefined;
    }
  }
  return {
    ok: recipes.every((r) => r.healthy),
    now: isoIn(ctx.timezone, ctx.now()),
    startedAt: isoIn(ctx.timezone, ctx.startedAt),
    version: VERSION,
    scheduler: ctx.scheduler.mode,
    queue: { kind: ctx.queue.kind, ...(jobs ? { jobs } : {}) },
    recipes,
  };
}

export function registerOperationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    try {
      await withTimeout(ctx.store.ping(), 'store');
      checks['store'] = 'ok';
    } catch (error) {
      ready = false;
      checks['store'] = message(error);
    }
    try {
      if (ctx.bullQueues) await withTimeout(ctx.bullQueues.ping(), 'queue');
      checks['queue'] = 'ok';
    } catch (error) {
      ready = false;
      checks['queue'] = message(error);
    }
    return reply.code(ready ? 200 : 503).send({ ok: ready, checks });
  });

  app.get('/status.json', async () => buildStatus(ctx));
  app.get('/status', async (request, reply) => {
    const status = await buildStatus(ctx);
    const accept = request.headers.accept ?? '';
    if (!/\btext\/html\b/.test(accept)) return status;
    return reply
      .headers(PAGE_SECURITY_HEADERS)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderStatusPage(status, ctx.timezone));
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metricsRegistry.contentType);
    reply.header('cache-control', 'no-store');
    return metricsRegistry.metrics();
  });

  app.get('/opml', async (_request, reply) => {
    const recipes = await Promise.all(
      ctx.recipes.map(async (recipe) => ({
        name: recipe.name,
        subscriptions: (await ctx.store.get<StoredSubscription[]>('subscriptions', recipe.name)) ?? [],
      })),
    );
    return reply
      .type('text/x-opml; charset=utf-8')
      .header('content-disposition', 'inline; filename="kakehashi.opml"')
      .send(renderOpml(recipes, ctx.now()));
  });
}
