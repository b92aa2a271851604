/**
 * Real Redis for the queue and store tests. Without one, the suites that need it are skipped with
 * one line saying how to start it — unless KAKEHASHI_REQUIRE_REDIS is set (CI), where a missing
 * Redis is a failure. Every test file works under its own key prefix and deletes it afterwards.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

export const TEST_REDIS_URL = process.env.KAKEHASHI_TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function probe(url: string): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.disconnect();
  }
}

const unreachableBecause = await probe(TEST_REDIS_URL);

export const redisReachable = unreachableBecause === undefined;

export const NO_REDIS_MESSAGE =
  `no Redis at ${TEST_REDIS_URL} (${unreachableBecause ?? ''}): ` +
  'start one with `docker compose up -d redis` or `redis-server`';

/** A describe() that needs Redis: skipped with the reason when there is none, failed under CI. */
export function describeWithRedis(name: string, body: () => void): void {
  if (!redisReachable && process.env.KAKEHASHI_REQUIRE_REDIS) {
    describe(name, () => {
      it('reaches Redis (KAKEHASHI_REQUIRE_REDIS is set)', () => {
        throw new Error(`KAKEHASHI_REQUIRE_REDIS is set, but there is ${NO_REDIS_MESSAGE}`);
      });
    });
    return;
  }
  describe.skipIf(!redisReachable)(redisReachable ? name : `${name} — skipped: ${NO_REDIS_MESSAGE}`, body);
}

/** A key prefix no other test file (or earlier run) uses. */
export function uniquePrefix(label: string): string {
  return `kh-test-${label}-${randomBytes(4).toString('hex')}`;
}

/** Delete every key under `prefix:` (BullMQ queues, store keys). */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

/** A free TCP port on 127.0.0.1 (redis-server cannot listen on port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Shut down (the append-only file is flushed, as a production Redis with AOF would). */
  stop(): Promise<void>;
  /** Start again on the same port and data directory. */
  start(): Promise<void>;
  /** Stop and delete the data directory. */
  dispose(): Promise<void>;
}

/**
 * A redis-server of our own, on its own port and data directory, for tests that stop and restart
 * Redis: the shared one at 6379 is never touched. AOF is on, as it must be for a queue that
 * should survive a restart.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kh-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
        '--dir', dir, '--logfile', join(dir, 'redis.log')],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while ((await probe(url)) !== undefined) {
      if (Date.now() > deadline) throw new Error(`private redis-server on port ${port} did not start (log: ${dir}/redis.log)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url,
    port,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
