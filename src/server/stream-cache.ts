/**
 * The entries behind the lifestream page, kept in memory between requests: each feed's retained
 * entries (the "aggregated" view) and their expansion into single items (the "everything" view),
 * both newest first. Like FeedCache, it rereads the store in the background after `ttlMs`.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../pipeline/context.js';
import type { Entry } from '../pipeline/model.js';
import { sortNewestFirst } from '../pipeline/model.js';

export interface Stream {
  aggregated: Entry[];
  everything: Entry[];
  /** Rendered pages of this version of the stream, by view and page. */
  pages: Map<string, string>;
}

interface Slot {
  stream: Stream;
  checkedAt?: number;
  refreshing?: Promise<void>;
  /** The retained array last loaded, to tell a change from a reread of the same content. */
  signature?: string;
}

export interface StreamCacheOptions {
  expand: (entries: Entry[]) => Entry[];
  ttlMs?: number;
  now?: () => number;
  onError?: (error: unknown, feed: string) => void;
  /** Pages kept per stream version. */
  maxPages?: number;
}

export class StreamCache {
  private readonly slots = new Map<string, Slot>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  readonly maxPages: number;

  constructor(
    private readonly store: Store,
    private readonly options: StreamCacheOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.maxPages = options.maxPages ?? 32;
  }

  async get(feed: string): Promise<Stream> {
    let slot = this.slots.get(feed);
    if (!slot) {
      slot = { stream: emptyStream() };
      this.slots.set(feed, slot);
    }
    if (slot.checkedAt === undefined) {
      await this.reload(feed, slot);
      if (slot.stream.aggregated.length === 0) this.slots.delete(feed);
    } else if (this.now() - slot.checkedAt > this.ttlMs) {
      this.reload(feed, slot).catch((error: unknown) => this.options.onError?.(error, feed));
    }
    return slot.stream;
  }

  async refresh(): Promise<void> {
    await Promise.all([...this.slots].map(([feed, slot]) => this.reload(feed, slot)));
  }

  private reload(feed: string, slot: Slot): Promise<void> {
    if (slot.refreshing) return slot.refreshing;
    slot.refreshing = (async () => {
      try {
        const retained = await this.store.loadRetained(feed);
        const signature = signatureOf(retained);
        if (signature !== slot.signature) {
          slot.stream = {
            aggregated: sortNewestFirst(retained),
            everything: sortNewestFirst(this.options.expand(retained)),
            pages: new Map(),
          };
          slot.signature = signature;
        }
        slot.checkedAt = this.now();
      } finally {
        slot.refreshing = undefined;
      }
    })();
    return slot.refreshing;
  }
}

function emptyStream(): Stream {
  return { aggregated: [], everything: [], pages: new Map() };
}

/** A reread of unchanged entries keeps the rendered pages. */
function signatureOf(entries: Entry[]): string {
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url');
}
