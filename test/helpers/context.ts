/** A real plugin context for tests: SQLite store in a temp dir, the real HTTP client, MemoryQueue. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { PluginContext, Store } from '../../src/pipeline/context.js';
import { createHttpClient } from '../../src/http/client.js';
import { createLogger } from '../../src/pipeline/run.js';
import { newReport } from '../../src/pipeline/report.js';
import { MemoryQueue } from '../../src/queue/memory.js';
import { openSqliteStore } from '../../src/store/sqlite.js';

export interface TestContextOptions {
  timezone?: string;
  now?: number;
  stateDir?: string;
  /** Directory relative config paths resolve against. */
  baseDir?: string;
  store?: Store;
}

export async function makeTestContext<C>(
  config: C,
  options: TestContextOptions = {},
): Promise<{ ctx: PluginContext<C>; close(): Promise<void>; stateDir: string }> {
  const ownDir = options.stateDir ? undefined : mkdtempSync(join(tmpdir(), 'kakehashi-test-'));
  const stateDir = options.stateDir ?? ownDir!;
  const store = options.store ?? openSqliteStore(join(stateDir, 'state.sqlite'));
  const log = createLogger('silent');
  const queue = new MemoryQueue();
  const baseDir = options.baseDir ?? process.cwd();
  const ctx: PluginContext<C> = {
    global: { timezone: options.timezone ?? 'Asia/Tokyo', stateDir, outputDir: join(stateDir, 'out'), baseDir },
    http: createHttpClient({ store, log, timeoutMs: 10_000 }),
    store,
    queue,
    log,
    clock: { now: () => options.now ?? Date.now() },
    report: newReport('test', options.now ?? Date.now()),
    signal: new AbortController().signal,
    config,
    rule: { always: true, description: 'always', test: () => true },
    pluginName: 'test',
    resolvePath: (path) => (isAbsolute(path) ? path : resolve(baseDir, path)),
    enqueue: (job, data, jobOptions) => queue.add(job, data, jobOptions),
  };
  return {
    ctx,
    stateDir,
    async close() {
      await queue.close();
      if (!options.store) await store.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
