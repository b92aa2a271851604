/**
 * The published feeds as the server hands them out. Runs render each feed once and put it in the
 * store (`render` namespace, `NAME.FORMAT`); this cache keeps those bodies in memory as Buffers,
 * with their gzip and brotli codings computed once, and the filtered variants that queries ask
 * for. It rereads the store after `ttlMs` in the background, so a run on another server (BullMQ
 * mode) shows up within seconds while requests never wait on the store.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { Store } from '../pipeline/context.js';
import type { RenderedFeed, RenderRecord } from '../plugins/publish/feed.js';
import type { FeedFormat, FeedQuery, IndexedFeed } from './feed-filter.js';
import { applyFeedQuery, indexFeed } from './feed-filter.js';
import type { ContentCoding } from './http-cache.js';
import { codingEtag, contentEtag, httpDate, quoteEtag } from './http-cache.js';

/** What Publish::Feed stores for each format of a feed: `store.getBlob('render', 'NAME.FORMAT')`. */
export type { RenderedFeed };

export const FEED_FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];

const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** One set of bytes we serve, with its validators and its compressed codings. */
export class Representation {
  readonly byteLength: number;
  /** Header values, computed once: the hot path only copies them. */
  readonly lastModifiedHeader: string;
  readonly etags: Readonly<Record<ContentCoding, string>>;
  private readonly codings = new Map<Exclude<ContentCoding, 'identity'>, Promise<Buffer>>();
  private readonly done = new Map<Exclude<ContentCoding, 'identity'>, Buffer>();

  constructor(
    readonly body: Buffer,
    readonly etag: string,
    readonly contentType: string,
    readonly lastModified: number,
    readonly entries: number,
  ) {
    this.byteLength = body.length;
    this.lastModifiedHeader = httpDate(lastModified);
    this.etags = { identity: etag, gzip: codingEtag(etag, 'gzip'), br: codingEtag(etag, 'br') };
  }

  /** The body in a coding; compressed once, on first demand, off the event loop. */
  encoded(coding: ContentCoding): Promise<Buffer> | Buffer {
    if (coding === 'identity') return this.body;
    const ready = this.done.get(coding);
    if (ready) return ready;
    let pending = this.codings.get(coding);
    if (!pending) {
      pending =
        coding === 'br'
          ? brotliAsync(this.body, {
              params: {
                [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
                [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
                [zlibConstants.BROTLI_PARAM_SIZE_HINT]: this.body.length,
              },
            })
          : gzipAsync(this.body, { level: 9 });
      pending.then(
        (buffer) => this.done.set(coding, buffer),
        () => this.codings.delete(coding),
      );
      this.codings.set(coding, pending);
    }
    return pending;
  }
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export interface CachedFeed {
  name: string;
  format: FeedFormat;
  base: Representation;
  /** Parsed on the first query against this render. */
  index?: IndexedFeed;
  variants: Map<string, Representation>;
}

interface Slot {
  feed: CachedFeed | undefined;
  /** When the store was last read for this feed; undefined until the first read succeeds. */
  checkedAt?: number;
  refreshing?: Promise<void>;
}

export interface FeedCacheOptions {
  /** How long a render is served before the store is read again (in the background). */
  ttlMs?: number;
  /** Filtered variants kept per feed, least recently used dropped first. */
  maxVariantsPerFeed?: number;
  now?: () => number;
  /** A background reread failed; the last good render keeps being served. */
  onError?: (error: unknown, key: string) => void;
}

export class FeedCache {
  private readonly slots = new Map<string, Slot>();
  private readonly ttlMs: number;
  private readonly maxVariants: number;
  private readonly now: () => number;
  private readonly onError: (error: unknown, key: string) => void;

  constructor(
    private readonly store: Store,
    options: FeedCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.maxVariants = options.maxVariantsPerFeed ?? 64;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  /** The feed as last rendered, or undefined when no run has published it. */
  async get(name: string, format: FeedFormat): Promise<CachedFeed | undefined> {
    const key = `${name}.${format}`;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { feed: undefined };
      this.slots.set(key, slot);
    }
    if (slot.checkedAt === undefined) {
      await this.reload(key, slot);
      // Names nobody published are not remembered: a client guessing names cannot grow the cache.
      if (!slot.feed) this.slots.delete(key);
      return slot.feed;
    }
    if (this.now() - slot.checkedAt > this.ttlMs) {
      this.reload(key, slot).catch((error: unknown) => this.onError(error, key));
    }
    return slot.feed;
  }

  /**
   * The feed for `NAME.FORMAT` without waiting, when it has been read before (a stale one is
   * served while it is reread); undefined when only `get` can tell.
   */
  peek(file: string): CachedFeed | undefined {
    const slot = this.slots.get(file);
    if (!slot || slot.checkedAt === undefined || !slot.feed) return undefined;
    if (this.now() - slot.checkedAt > this.ttlMs) {
      this.reload(file, slot).catch((error: unknown) => this.onError(error, file));
    }
    return slot.feed;
  }

  /** Reread every feed from the store now (after a run in this process). */
  async refresh(): Promise<void> {
    await Promise.all([...this.slots].map(([key, slot]) => this.reload(key, slot)));
  }

  private reload(key: string, slot: Slot): Promise<void> {
    if (slot.refreshing) return slot.refreshing;
    slot.refreshing = (async () => {
      try {
        // The small record says whether the bytes changed; only then are they read.
        const record = await this.store.getBlobRecord<RenderRecord>('render', key);
        const [name = '', format = 'rss'] = splitKey(key);
        if (!record) slot.feed = undefined;
        else if (slot.feed?.base.etag !== quoteEtag(record.etag)) {
          const render = await this.store.getBlob<RenderRecord>('render', key);
          slot.feed = render
            ? {
                name,
                format: format as FeedFormat,
                base: new Representation(
                  render.body,
                  quoteEtag(render.record.etag || contentEtag(render.body)),
                  withCharset(render.record.contentType || CONTENT_TYPES[format as FeedFormat]),
                  render.record.lastModified,
                  render.record.entries,
                ),
                variants: new Map(),
              }
            : undefined;
        }
        slot.checkedAt = this.now();
      } finally {
        slot.refreshing = undefined;
      }
    })();
    return slot.refreshing;
  }

  /** The representation a query asks for: the render itself, or the render with items left out. */
  variant(feed: CachedFeed, query: FeedQuery | undefined): Representation {
    if (!query) return feed.base;
    // `filter_time` depends on the clock: bucket it by minute so the cache still helps.
    const key = query.filterTimeSeconds === undefined ? query.key : `${query.key}@${Math.floor(this.now() / 60_000)}`;
    const hit = feed.variants.get(key);
    if (hit) {
      feed.variants.delete(key);
      feed.variants.set(key, hit);
      return hit;
    }
    feed.index ??= indexFeed(feed.format, feed.base.body.toString('utf8'));
    const filtered = applyFeedQuery(feed.index, query, this.now());
    const body = Buffer.from(filtered.body, 'utf8');
    const representation = new Representation(body, contentEtag(body), feed.base.contentType, feed.base.lastModified, filtered.items);
    feed.variants.set(key, representation);
    if (feed.variants.size > this.maxVariants) {
      const oldest = feed.variants.keys().next().value;
      if (oldest !== undefined) feed.variants.delete(oldest);
    }
    return representation;
  }
}

function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

function withCharset(contentType: string): string {
  return /;\s*charset=/i.test(contentType) ? contentType : `${contentType}; charset=utf-8`;
}
