/**
 * The delivery ledger (DESIGN.md §5): which entry went to which destination, in which version,
 * under which remote id. It is what makes re-running an import safe — nothing posted twice,
 * nothing skipped — and it lives in the state store, so workers sharing a Redis share it.
 *
 * Destinations with their own idempotency (Mastodon's Idempotency-Key, a Bluesky rkey) need the
 * ledger only to skip work. For those without (Facebook Page, Misskey) the attempt is written
 * BEFORE the request and the result AFTER it; a retry that finds an attempt without a result
 * first asks the destination whether the post exists (reconcile) and posts only if it does not.
 * What remains is the window documented in the README ("The delivery ledger, and the window that remains"): a request the
 * destination accepted but had not yet made visible when the retry looked.
 */
import type { Store } from '../pipeline/context.js';

export interface RemoteRef {
  /** The destination's id for what was posted (status id, note id, at:// uri, post id). */
  id: string;
  url?: string;
}

export interface LedgerRecord {
  destination: string;
  entryId: string;
  /** The version of the entry that was (or is being) delivered. */
  contentHash: string;
  state: 'attempting' | 'delivered';
  remote?: RemoteRef;
  attempts: number;
  firstAttemptAt: number;
  lastAttemptAt: number;
  deliveredAt?: number;
  /** Delivered by finding it at the destination after a crash, not by our own request's answer. */
  reconciled?: boolean;
}

export type DeliveryOutcome =
  | { status: 'delivered'; remote: RemoteRef; record: LedgerRecord }
  | { status: 'reconciled'; remote: RemoteRef; record: LedgerRecord }
  | { status: 'already-delivered'; remote?: RemoteRef; record: LedgerRecord; contentChanged: boolean };

export interface DeliverOnceOptions {
  entryId: string;
  contentHash: string;
  /** Make the request; resolves with what the destination answered. */
  send: () => Promise<RemoteRef>;
  /**
   * Look at the destination for a delivery whose answer we never recorded (we crashed, or the
   * connection dropped after the request went out). Omit when the destination is idempotent.
   */
  reconcile?: (unfinished: LedgerRecord) => Promise<RemoteRef | undefined>;
  /** A newer version of an entry that was delivered: send it again (webhook), or not (posts). */
  resendChangedContent?: boolean;
}

export class DeliveryLedger {
  readonly namespace: string;

  constructor(
    private readonly store: Store,
    /** Names the destination account, not the plugin instance: `mastodon:https://social.example`. */
    readonly destination: string,
    private readonly now: () => number = Date.now,
  ) {
    this.namespace = `ledger:${destination}`;
  }

  get(entryId: string): Promise<LedgerRecord | undefined> {
    return this.store.get<LedgerRecord>(this.namespace, entryId);
  }

  /** Delivered in this version (or in any version, when `contentHash` is omitted). */
  async isDelivered(entryId: string, contentHash?: string): Promise<boolean> {
    const record = await this.get(entryId);
    return record?.state === 'delivered' && (contentHash === undefined || record.contentHash === contentHash);
  }

  /** `previous`: the record as just read, when the caller has it (saves a read per delivery). */
  async recordAttempt(entryId: string, contentHash: string, previous?: LedgerRecord | null): Promise<LedgerRecord> {
    const before = previous === undefined ? await this.get(entryId) : (previous ?? undefined);
    const now = this.now();
    const unfinished = before?.state === 'attempting' ? before : undefined;
    const record: LedgerRecord = {
      destination: this.destination,
      entryId,
      contentHash,
      state: 'attempting',
      attempts: (unfinished?.attempts ?? 0) + 1,
      firstAttemptAt: unfinished?.firstAttemptAt ?? now,
      lastAttemptAt: now,
      ...(before?.remote ? { remote: before.remote } : {}),
    };
    await this.store.set(this.namespace, entryId, record);
    return record;
  }

  async recordDelivered(
    entryId: string,
    contentHash: string,
    remote: RemoteRef,
    reconciled = false,
    previous?: LedgerRecord | null,
  ): Promise<LedgerRecord> {
    const before = previous === undefined ? await this.get(entryId) : (previous ?? undefined);
    const now = this.now();
    const record: LedgerRecord = {
      destination: this.destination,
      entryId,
      contentHash,
      state: 'delivered',
      remote,
      attempts: before?.attempts ?? 1,
      firstAttemptAt: before?.firstAttemptAt ?? now,
      lastAttemptAt: before?.lastAttemptAt ?? now,
      deliveredAt: now,
      ...(reconciled ? { reconciled } : {}),
    };
    await this.store.set(this.namespace, entryId, record);
    return record;
  }

  async list(): Promise<LedgerRecord[]> {
    return (await this.store.entries<LedgerRecord>(this.namespace)).map(([, record]) => record);
  }

  /**
   * Deliver an entry at most once: skip it when the ledger has it, reconcile an unfinished
   * attempt, otherwise record the attempt, send, and record the result.
   */
  async deliverOnce(options: DeliverOnceOptions): Promise<DeliveryOutcome> {
    const { entryId, contentHash } = options;
    const existing = (await this.get(entryId)) ?? null;
    if (existing?.state === 'delivered') {
      const contentChanged = existing.contentHash !== contentHash;
      if (!contentChanged || !options.resendChangedContent) {
        return { status: 'already-delivered', ...(existing.remote ? { remote: existing.remote } : {}), record: existing, contentChanged };
      }
    }
    if (existing?.state === 'attempting' && options.reconcile) {
      const found = await options.reconcile(existing);
      if (found) {
        const record = await this.recordDelivered(entryId, contentHash, found, true, existing);
        return { status: 'reconciled', remote: found, record };
      }
    }
    // Only a destination that can be reconciled needs the attempt on record before the request;
    // for an idempotent one (Idempotency-Key, fixed rkey) the retry itself is safe.
    const attempt = options.reconcile ? await this.recordAttempt(entryId, contentHash, existing) : null;
    const remote = await options.send();
    const record = await this.recordDelivered(entryId, contentHash, remote, false, attempt ?? existing);
    return { status: 'delivered', remote, record };
  }
}
