/**
 * The state store on Redis (DESIGN.md §5), for when the queue is Redis too: workers on several
 * machines then share the HTTP cache, the seen-keys, the retained feeds and the delivery ledger.
 *
 * Layout under the prefix (namespaces are URI-encoded, so a `:` inside one cannot be confused
 * with the separator):
 *   PREFIX:kv:NAMESPACE:KEY     the JSON value, with Redis's own expiry when it has a TTL
 *   PREFIX:idx:NAMESPACE        sorted set of the namespace's keys, scored by expiry (or +inf)
 *   PREFIX:retained:FEED        the JSON array of a feed's retained entries
 *   PREFIX:retained-index:FEED  its ids, digests and times in order, and its version
 *   PREFIX:blob:NAMESPACE:KEY   hash of `record` (JSON) and `body` (bytes), e.g. a rendered feed
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RetainedIndex, RetainedRef, Store } from '../pipeline/context.js';
import type { Entry } from '../pipeline/model.js';
import { entryTime } from '../pipeline/model.js';
import { redactUrl } from '../queue/names.js';
import { writeAtomically } from './atomic-file.js';

export interface RedisStoreOptions {
  /** Key prefix; several installations (or tests) can share one Redis. Default `kakehashi`. */
  prefix?: string;
}

const PING_TIMEOUT_MS = 5000;
const MGET_CHUNK = 500;

export class RedisStore implements Store {
  readonly prefix: string;
  private readonly client: Redis;
  private readonly where: string;
  private lastError: string | undefined;
  /** The digest the index held for each entry object `loadRetained` handed out. */
  private readonly loadedDigest = new WeakMap<Entry, string>();

  constructor(url: string, options: RedisStoreOptions = {}) {
    this.prefix = options.prefix ?? 'kakehashi';
    this.where = redactUrl(url);
    // Commands wait through a Redis restart rather than failing a delivery half-way.
    this.client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    // It reconnects on its own; ping() reports the last reason.
    this.client.on('error', (error: Error) => (this.lastError = error.message));
    this.client.on('ready', () => (this.lastError = undefined));
  }

  async get<T = unknown>(namespace: string, key: string): Promise<T | undefined> {
    const raw = await this.run('get', () => this.client.get(this.valueKey(namespace, key)));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(namespace: string, key: string, value: unknown, ttlMs?: number): Promise<void> {
    const json = JSON.stringify(value ?? null);
    const valueKey = this.valueKey(namespace, key);
    const ttl = ttlMs !== undefined && ttlMs > 0 ? Math.ceil(ttlMs) : undefined;
    const multi = this.client.multi();
    if (ttl) multi.set(valueKey, json, 'PX', ttl);
    else multi.set(valueKey, json);
    multi.zadd(this.indexKey(namespace), ttl ? Date.now() + ttl : '+inf', key);
    await this.run('set', () => multi.exec());
  }

  async delete(namespace: string, key: string): Promise<void> {
    await this.run('delete', () =>
      this.client.multi().del(this.valueKey(namespace, key)).zrem(this.indexKey(namespace), key).exec(),
    );
  }

  async entries<T = unknown>(namespace: string): Promise<Array<[string, T]>> {
    const indexKey = this.indexKey(namespace);
    await this.run('entries', () => this.client.zremrangebyscore(indexKey, '-inf', Date.now()));
    const keys = (await this.run('entries', () => this.client.zrange(indexKey, 0, -1))).sort();
    const result: Array<[string, T]> = [];
    for (let start = 0; start < keys.length; start += MGET_CHUNK) {
      const chunk = keys.slice(start, start + MGET_CHUNK);
      const values = await this.run('entries', () => this.client.mget(chunk.map((key) => this.valueKey(namespace, key))));
      chunk.forEach((key, i) => {
        const raw = values[i];
        if (raw !== null && raw !== undefined) result.push([key, JSON.parse(raw) as T]);
      });
    }
    return result;
  }

  async loadRetained(feed: string): Promise<Entry[]> {
    const [raw, index] = await this.run('loadRetained', () => this.client.mget(this.retainedKey(feed), this.retainedIndexKey(feed)));
    if (!raw) return [];
    const entries = JSON.parse(raw) as Entry[];
    const refs = index ? (JSON.parse(index) as RetainedIndex).entries : [];
    entries.forEach((entry, i) => {
      const digest = refs[i]?.id === entry.id ? refs[i]!.digest : undefined;
      if (digest !== undefined) this.loadedDigest.set(entry, digest);
    });
    return entries;
  }

  async retainedIndex(feed: string): Promise<RetainedIndex | undefined> {
    const raw = await this.run('retainedIndex', () => this.client.get(this.retainedIndexKey(feed)));
    return raw === null ? undefined : (JSON.parse(raw) as RetainedIndex);
  }

  /**
   * The window is one JSON value, rewritten whole when anything in it changed; beside it, its
   * index (ids, digests, times, version). When every entry's digest matches the index, nothing
   * is read or written.
   */
  async saveRetained(feed: string, entries: Entry[], digestOf?: (entry: Entry) => string | undefined): Promise<string> {
    const refs: RetainedRef[] = entries.map((entry) => {
      const digest = this.loadedDigest.get(entry) ?? digestOf?.(entry);
      const time = entryTime(entry);
      return { id: entry.id, ...(digest !== undefined ? { digest } : {}), ...(time !== undefined ? { time } : {}) };
    });
    const previous = await this.retainedIndex(feed);
    const unchanged =
      previous !== undefined &&
      previous.entries.length === refs.length &&
      refs.every((ref, i) => ref.digest !== undefined && ref.id === previous.entries[i]!.id && ref.digest === previous.entries[i]!.digest);
    if (unchanged) return previous.version;
    const json = JSON.stringify(entries);
    // The content is the version: equal windows, equal digests, whoever saved them.
    const version = createHash('sha1').update(json).digest('hex');
    const index: RetainedIndex = { version, entries: refs };
    await this.run('saveRetained', () => this.client.multi().set(this.retainedKey(feed), json).set(this.retainedIndexKey(feed), JSON.stringify(index)).exec());
    return version;
  }

  async putBlob(namespace: string, key: string, record: unknown, body: Uint8Array): Promise<void> {
    const blobKey = this.blobKey(namespace, key);
    await this.run('putBlob', () => this.client.hset(blobKey, 'record', JSON.stringify(record ?? null), 'body', Buffer.from(body.buffer, body.byteOffset, body.byteLength)));
  }

  async getBlobRecord<T = unknown>(namespace: string, key: string): Promise<T | undefined> {
    const raw = await this.run('getBlobRecord', () => this.client.hget(this.blobKey(namespace, key), 'record'));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async getBlob<T = unknown>(namespace: string, key: string): Promise<{ record: T; body: Buffer } | undefined> {
    const [record, body] = await this.run('getBlob', () => this.client.hmgetBuffer(this.blobKey(namespace, key), 'record', 'body'));
    return record && body ? { record: JSON.parse(record.toString('utf8')) as T, body } : undefined;
  }

  async writeBlobTo<T = unknown>(namespace: string, key: string, path: string): Promise<T | undefined> {
    const blob = await this.getBlob<T>(namespace, key);
    if (!blob) return undefined;
    await writeAtomically(path, blob.body);
    return blob.record;
  }

  async ping(): Promise<void> {
    const probeKey = `${this.prefix}:ping`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `Redis store ${this.where}: no answer within ${PING_TIMEOUT_MS} ms` +
                (this.lastError ? ` (${this.lastError})` : ''),
            ),
          ),
        PING_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.run('ping', () => this.client.set(probeKey, String(Date.now()), 'PX', 10_000)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    // quit() would wait for a connection that may never come; an unreachable Redis is dropped.
    if (this.client.status !== 'ready') this.client.disconnect();
    else await this.client.quit().catch(() => this.client.disconnect());
  }

  private valueKey(namespace: string, key: string): string {
    return `${this.prefix}:kv:${encodeURIComponent(namespace)}:${key}`;
  }

  private indexKey(namespace: string): string {
    return `${this.prefix}:idx:${encodeURIComponent(namespace)}`;
  }

  private blobKey(namespace: string, key: string): string {
    return `${this.prefix}:blob:${encodeURIComponent(namespace)}:${key}`;
  }

  private retainedKey(feed: string): string {
    return `${this.prefix}:retained:${encodeURIComponent(feed)}`;
  }

  private retainedIndexKey(feed: string): string {
    return `${this.prefix}:retained-index:${encodeURIComponent(feed)}`;
  }

  private async run<R>(operation: string, command: () => Promise<R>): Promise<R> {
    try {
      return await command();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`Redis store ${this.where}: ${operation} failed: ${message}`, { cause: error });
    }
  }
}
