/**
 * `kakehashi serve RECIPE…`: the lifestream server. Loads and validates every recipe first (a
 * broken one stops the start with its file:line), opens one store and one queue for all of them,
 * listens, then runs each recipe now and on its schedule until SIGTERM or SIGINT.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Queue, Store } from '../pipeline/context.js';
import { loadRecipe } from '../pipeline/recipe.js';
import type { Recipe } from '../pipeline/recipe.js';
import { createLogger, runRecipe } from '../pipeline/run.js';
import { createQueue } from '../queue/index.js';
import type { ServerRecipe } from '../server/app.js';
import { openStore } from '../store/index.js';

export interface ServeOptions {
  host: string;
  port: number;
  redis?: string;
  /** BullMQ and Redis-store key prefix; `kakehashi worker` must use the same. */
  prefix?: string;
  /** State store: the first recipe's `global.store` unless given. `redis` lets several servers share renders. */
  store?: 'sqlite' | 'redis';
  stateDir?: string;
  outputDir?: string;
  /** With Redis: also process delivery jobs here (default), or leave them to `kakehashi worker`. */
  workers: boolean;
  runAtStart: boolean;
  logLevel: string;
  env?: NodeJS.ProcessEnv;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new InvalidArgumentError('expected a port number (0–65535)');
  return port;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Serve the lifestream page and the published feeds, and run the recipes at start and on their schedules.')
    .argument('<recipes...>', 'recipe YAML files')
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1').env('KAKEHASHI_HOST'))
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').default(8080).argParser(parsePort).env('KAKEHASHI_PORT'))
    .addOption(
      new Option('--redis <url>', 'Redis for the queue and the schedulers (BullMQ: several servers share the work), and for the store with --store redis').env(
        'REDIS_URL',
      ),
    )
    .option('--prefix <prefix>', 'Redis key prefix of the queue and the store, as the workers use it', 'kakehashi')
    .addOption(new Option('--store <kind>', 'state store (default: the first recipe’s global.store); redis shares feeds between servers').choices(['sqlite', 'redis']))
    .option('--state-dir <dir>', 'state directory for the SQLite store (default: global.state_dir of the first recipe)')
    .option('--output-dir <dir>', 'output directory for feed files (default: each recipe’s global.output_dir)')
    .option('--no-workers', 'with --redis: leave delivery jobs to `kakehashi worker` processes')
    .option('--no-run-at-start', 'wait for each recipe’s schedule instead of running it at start')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error']).default('info'))
    .action(async (paths: string[], options: ServeOptions) => {
      await serve(paths, options);
    });
}

export interface RunningServer {
  app: FastifyInstance;
  /** `http://127.0.0.1:8080` */
  url: string;
  /** Stop the scheduler (aborting runs in progress), close the socket, the queue and the store. */
  stop(): Promise<void>;
}

/** Load the recipes, open the store and queue, listen and start the scheduler. */
export async function startServer(paths: string[], options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const recipes: Recipe[] = [];
  for (const path of paths) recipes.push(await loadRecipe(path, { env }));
  const byName = new Map<string, string>();
  for (const recipe of recipes) {
    const other = byName.get(recipe.name);
    if (other) throw new Error(`two recipes are both named ${recipe.name} (${other} and ${recipe.path}); rename one file`);
    byName.set(recipe.name, recipe.path);
  }
  const first = recipes[0] as Recipe;
  const log = createLogger(options.logLevel, recipes.flatMap((r) => r.secrets));
  const redis = options.redis ?? first.global.redis;

  const storeKind = options.store ?? first.global.store;
  if (storeKind === 'redis' && !redis) throw new Error('--store redis needs a Redis: --redis URL, REDIS_URL, or global.redis in the recipe');
  const prefix = options.prefix ?? 'kakehashi';
  const store: Store = await openStore({
    stateDir: options.stateDir ?? first.global.stateDir,
    ...(storeKind === 'redis' && redis ? { redis, prefix } : {}),
  });
  let queue: Queue | undefined;
  let app: FastifyInstance | undefined;
  const closeAll = async () => {
    await app?.close();
    await queue?.close();
    await store.close();
  };
  try {
    queue = await createQueue({ log, ...(redis ? { redis, prefix, runWorkers: options.workers } : {}) });
    const sharedQueue = queue;
    const serverRecipes: ServerRecipe[] = recipes.map((recipe) => ({
      name: recipe.name,
      ...(recipe.schedule !== undefined ? { schedule: recipe.schedule } : {}),
      timezone: recipe.global.timezone,
      feeds: publishedFeeds(recipe),
    }));
    // Loaded here, not with the CLI: `kakehashi run` has no use for Fastify.
    const { buildServer } = await import('../server/app.js');
    app = await buildServer({
      store,
      queue: sharedQueue,
      recipes: serverRecipes,
      ...(redis ? { redis } : {}),
      prefix,
      env,
      loggerInstance: log,
      timezone: first.global.timezone,
      runAtStart: options.runAtStart,
      run: (name, signal) =>
        // Read from disk each time: an edited recipe takes effect at its next run.
        runRecipe(byName.get(name) as string, {
          env,
          store,
          queue: sharedQueue,
          signal,
          log: log.child({ recipe: name }),
          ...(options.stateDir ? { stateDir: options.stateDir } : {}),
          ...(options.outputDir ? { outputDir: options.outputDir } : {}),
        }),
    });
    const url = await app.listen({ host: options.host, port: options.port });
    log.info({ url, recipes: [...byName.keys()], scheduler: redis ? 'bullmq' : 'memory', store: storeKind }, 'kakehashi serving');
    if (!app.kakehashi.admin.mounted) log.info({ reason: app.kakehashi.admin.reason }, 'queue dashboard not mounted');
    await app.kakehashi.start();
    const running = app;
    let stopping: Promise<void> | undefined;
    return {
      app: running,
      url,
      stop: () => {
        stopping ??= closeAll().then(() => log.info('stopped'));
        return stopping;
      },
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

/** Serve until SIGTERM or SIGINT, then shut down in order; resolves when everything is closed. */
export async function serve(paths: string[], options: ServeOptions): Promise<void> {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  // Listening from the start: a SIGTERM while recipes load still ends in an orderly stop.
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
  });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const server = await startServer(paths, options);
    const signal = await stopped;
    server.app.log.info({ signal }, 'shutting down: finishing requests, stopping runs');
    await server.stop();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** The feeds a recipe publishes, for Cache-Control and the page at `/`. */
export function publishedFeeds(recipe: Recipe): string[] {
  return recipe.plugins
    .filter((instance) => instance.plugin.name === 'Publish::Feed')
    .map((instance) => (instance.config as { name?: string }).name ?? 'lifestream');
}
