/**
 * A publish plugin run the way a recipe runs it: its config validated by its own schema, its
 * jobs registered on a real queue (in-process or BullMQ) with the recipe's overrides, a real
 * SQLite or Redis store, the real HTTP client — only the destination is a local fake.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { JobFailure, PluginContext, Queue, Store } from '../../src/pipeline/context.js';
import type { Feed } from '../../src/pipeline/model.js';
import type { PluginDefinition, PublishPlugin, PublishResult } from '../../src/pipeline/plugin.js';
import { createHttpClient } from '../../src/http/client.js';
import { createLogger } from '../../src/pipeline/run.js';
import { newReport } from '../../src/pipeline/report.js';
import { MemoryQueue } from '../../src/queue/memory.js';
import { registerPluginJobs } from '../../src/queue/register.js';
import { openSqliteStore } from '../../src/store/sqlite.js';

export interface HarnessOptions {
  queue?: Queue;
  store?: Store;
  stateDir?: string;
  timezone?: string;
  now?: () => number;
  /** Scope of the job names, as run.ts would give it (recipe/index/plugin). */
  scope?: string;
}

export interface Harness<C> {
  ctx: PluginContext<C>;
  queue: Queue;
  store: Store;
  stateDir: string;
  publish(feeds: Feed[]): Promise<PublishResult | void>;
  /** publish, then wait for every delivery. */
  run(feeds: Feed[]): Promise<{ result: PublishResult | void; completed: number; failed: JobFailure[] }>;
  close(): Promise<void>;
}

export async function publishHarness<C>(plugin: PluginDefinition, rawConfig: unknown, options: HarnessOptions = {}): Promise<Harness<C>> {
  if (plugin.phase !== 'publish') throw new Error(`${plugin.name} is not a publish plugin`);
  const config = plugin.config.parse(rawConfig) as C;
  const ownDir = options.stateDir ? undefined : mkdtempSync(join(tmpdir(), 'kakehashi-publish-'));
  const stateDir = options.stateDir ?? ownDir!;
  const store = options.store ?? openSqliteStore(join(stateDir, 'state.sqlite'));
  const queue = options.queue ?? new MemoryQueue();
  const log = createLogger('silent');
  const now = options.now ?? Date.now;
  const scope = options.scope ?? `test/0/${plugin.name}`;
  const ctx: PluginContext<C> = {
    global: { timezone: options.timezone ?? 'Asia/Tokyo', stateDir, outputDir: join(stateDir, 'out'), baseDir: stateDir },
    http: createHttpClient({ store, log, timeoutMs: 5000, maxRetryAfterMs: 0 }),
    store,
    queue,
    log,
    clock: { now },
    report: newReport('test', now()),
    signal: new AbortController().signal,
    config,
    rule: { always: true, description: 'always', test: () => true },
    pluginName: plugin.name,
    resolvePath: (path) => (isAbsolute(path) ? path : resolve(stateDir, path)),
    enqueue: (job, data, jobOptions) => queue.add(`${scope}:${job}`, data, jobOptions),
  };
  registerPluginJobs(queue, scope, plugin, ctx as PluginContext<unknown>);
  const publisher = plugin as PublishPlugin<typeof plugin.config>;
  return {
    ctx,
    queue,
    store,
    stateDir,
    publish: (feeds) => publisher.publish(feeds, ctx as never),
    async run(feeds) {
      const result = await publisher.publish(feeds, ctx as never);
      const { completed, failed } = await queue.drain();
      return { result, completed, failed };
    },
    async close() {
      if (!options.queue) await queue.close();
      if (!options.store) await store.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
