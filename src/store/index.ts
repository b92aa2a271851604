import { join } from 'node:path';
import type { Store } from '../pipeline/context.js';
import { openSqliteStore } from './sqlite.js';

export interface StoreOptions {
  stateDir: string;
  /** A Redis URL: the state is shared by every worker and server that uses the same Redis. */
  redis?: string;
  prefix?: string;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.redis) {
    const { RedisStore } = await import('./redis.js');
    return new RedisStore(options.redis, { prefix: options.prefix ?? 'kakehashi' });
  }
  return openSqliteStore(join(options.stateDir, 'state.sqlite'));
}
