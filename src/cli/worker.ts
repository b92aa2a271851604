/**
 * `kakehashi worker RECIPE…` — process delivery jobs, and nothing else, from a Redis shared with
 * `kakehashi run --redis` and with any number of other workers on other machines. It registers the
 * publish plugins' job handlers of the recipes it is given (the recipes say where and how to
 * post; the jobs say what), then runs until SIGTERM or SIGINT: in-flight jobs get a grace period
 * to finish and are handed back to the queue if they do not.
 */
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import type { Context, Logger, Store } from '../pipeline/context.js';
import { loadRecipe } from '../pipeline/recipe.js';
import type { Recipe } from '../pipeline/recipe.js';
import { createLogger, jobScope, pluginContext } from '../pipeline/run.js';
import { newReport } from '../pipeline/report.js';
import { createHttpClient } from '../http/client.js';
import type { BullQueue } from '../queue/bullmq.js';
import { redactUrl } from '../queue/names.js';
import { registerPluginJobs } from '../queue/register.js';
import { openStore } from '../store/index.js';

export interface WorkerSettings {
  /** Redis URL of the queue. */
  redis: string;
  /** BullMQ key prefix (default `kakehashi`): workers and producers must agree on it. */
  prefix?: string;
  /** State store: the recipe's choice unless given (`redis` shares the ledger between machines). */
  store?: 'sqlite' | 'redis';
  /** State directory for the SQLite store (default: the first recipe's state_dir). */
  stateDir?: string;
  /** Key prefix of the Redis store (default: the queue prefix). */
  storePrefix?: string;
  log?: Logger;
  graceMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface RunningWorker {
  queue: BullQueue;
  store: Store;
  /** The job handlers registered, `recipe/index/Plugin:job`. */
  handlers: string[];
  stop(): Promise<void>;
}

/** Load the recipes and start processing their delivery jobs. */
export async function startWorker(recipePaths: string[], settings: WorkerSettings): Promise<RunningWorker> {
  if (recipePaths.length === 0) throw new Error('kakehashi worker: give at least one recipe (its publish plugins say where to deliver)');
  const recipes: Recipe[] = [];
  for (const path of recipePaths) recipes.push(await loadRecipe(path));
  const first = recipes[0]!;
  const log = settings.log ?? createLogger(first.global.logLevel === 'warn' ? 'info' : first.global.logLevel, recipes.flatMap((r) => r.secrets));
  const prefix = settings.prefix ?? 'kakehashi';
  const storeKind = settings.store ?? first.global.store;
  const store = await openStore({
    stateDir: settings.stateDir ?? first.global.stateDir,
    ...(storeKind === 'redis' ? { redis: settings.redis, prefix: settings.storePrefix ?? prefix } : {}),
  });
  const { BullQueue } = await import('../queue/bullmq.js');
  const queue = new BullQueue({
    connection: settings.redis,
    prefix,
    log,
    runWorkers: true,
    ...(settings.graceMs !== undefined ? { shutdownGraceMs: settings.graceMs } : {}),
    ...(settings.lockDurationMs !== undefined ? { lockDurationMs: settings.lockDurationMs } : {}),
    ...(settings.stalledIntervalMs !== undefined ? { stalledIntervalMs: settings.stalledIntervalMs } : {}),
  });
  const controller = new AbortController();
  const handlers: string[] = [];
  for (const recipe of recipes) {
    const base: Context = {
      global: { timezone: recipe.global.timezone, stateDir: settings.stateDir ?? recipe.global.stateDir, outputDir: recipe.global.outputDir, baseDir: recipe.dir },
      http: createHttpClient({
        store,
        log,
        timeoutMs: recipe.global.timeoutMs,
        // Deliveries are paced by each handler's concurrency and rate limit, not by the fetch politeness cap.
        perHostConcurrency: 64,
        ...(recipe.global.userAgent ? { userAgent: recipe.global.userAgent } : {}),
      }),
      store,
      queue,
      log,
      clock: { now: Date.now },
      report: newReport(recipe.name, Date.now()),
      signal: controller.signal,
    };
    for (const instance of recipe.plugins) {
      if (!instance.plugin.jobs) continue;
      handlers.push(...registerPluginJobs(queue, jobScope(recipe, instance), instance.plugin, pluginContext(base, recipe, instance)));
    }
  }
  if (handlers.length === 0) {
    await queue.close(0);
    await store.close();
    throw new Error(`kakehashi worker: ${recipePaths.join(', ')} ha${recipePaths.length > 1 ? 've' : 's'} no publish plugin with delivery jobs`);
  }
  let stopping: Promise<void> | undefined;
  return {
    queue,
    store,
    handlers,
    stop() {
      stopping ??= (async () => {
        controller.abort();
        await queue.close(settings.graceMs);
        await store.close();
      })();
      return stopping;
    },
  };
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`expected a whole number of milliseconds, got ${value}`);
  return parsed;
}

export function workerCommand(): Command {
  return new Command('worker')
    .description('Process delivery jobs from Redis for the publish plugins of these recipes, until SIGTERM/SIGINT.')
    .argument('<recipes...>', 'recipe YAML files whose publish plugins this worker delivers for')
    .addOption(new Option('--redis <url>', 'Redis URL of the queue').env('REDIS_URL'))
    .option('--prefix <prefix>', 'BullMQ key prefix, as the producers use it', 'kakehashi')
    .addOption(new Option('--store <kind>', 'state store (default: the recipe’s global.store)').choices(['sqlite', 'redis']))
    .option('--state-dir <dir>', 'state directory for the SQLite store')
    .option('--grace <ms>', 'on shutdown, how long in-flight jobs may finish before they are handed back', positiveInt, 30_000)
    .option('--lock-duration <ms>', 'how long a job stays with a worker that stopped answering (a killed one)', positiveInt, 30_000)
    .option('--stalled-interval <ms>', 'how often to look for jobs of workers that died', positiveInt, 30_000)
    .action(async (recipePaths: string[], options: { redis?: string; prefix: string; store?: 'sqlite' | 'redis'; stateDir?: string; grace: number; lockDuration: number; stalledInterval: number }) => {
      const redis = options.redis ?? (await loadRecipe(recipePaths[0]!)).global.redis;
      if (!redis) throw new Error('kakehashi worker needs a Redis: --redis URL, REDIS_URL, or global.redis in the recipe');
      const worker = await startWorker(recipePaths, {
        redis,
        prefix: options.prefix,
        ...(options.store ? { store: options.store } : {}),
        ...(options.stateDir ? { stateDir: options.stateDir } : {}),
        graceMs: options.grace,
        lockDurationMs: options.lockDuration,
        stalledIntervalMs: options.stalledInterval,
      });
      process.stdout.write(`kakehashi worker ready: ${redactUrl(redis)} prefix ${options.prefix}; ${worker.handlers.length} handler(s): ${worker.handlers.join(', ')}\n`);
      const report = setInterval(() => {
        const { completed, failed } = worker.queue.processed;
        if (completed + failed > 0) process.stdout.write(`kakehashi worker: ${completed} delivered, ${failed} failed for good so far\n`);
      }, 60_000);
      report.unref();
      await new Promise<void>((resolveStop) => {
        const shutdown = (signal: NodeJS.Signals) => {
          process.stdout.write(`kakehashi worker: ${signal}, finishing in-flight jobs (at most ${options.grace} ms)\n`);
          process.once(signal, () => process.exit(1)); // a second signal: stop now
          void worker.stop().then(resolveStop);
        };
        process.once('SIGTERM', shutdown);
        process.once('SIGINT', shutdown);
      });
      clearInterval(report);
      process.stdout.write('kakehashi worker stopped\n');
    });
}

// Runnable on its own (`node --import tsx src/cli/worker.ts recipe.yaml --redis …`) as well as
// through `kakehashi worker`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  workerCommand()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.stderr.write(`kakehashi worker: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    });
}
