/**
 * What every posting publisher shares: the queue settings a recipe may override, and the publish
 * step that turns entries into one delivery job each — skipping what the ledger says is already
 * there, so that a re-run (or a resumed import) posts only what is missing.
 */
import { z } from 'zod';
import type { HandlerOptions, PluginContext } from '../../../pipeline/context.js';
import type { Entry, Feed } from '../../../pipeline/model.js';
import type { PublishResult } from '../../../pipeline/plugin.js';
import { parseDuration } from '../../../server/duration.js';
import { DeliveryLedger } from '../../../store/ledger.js';
import { entriesOldestFirst } from './note.js';

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** Queue settings a recipe may give any publisher; the defaults respect each destination's limit. */
export const queueSettings = {
  /** At most `max` posts per `per` (e.g. `{ max: 300, per: 3h }`). */
  rate_limit: z.object({ max: z.number().int().positive(), per: duration }).strict().optional(),
  concurrency: z.number().int().positive().optional(),
  /** Tries per entry before the job ends in the failed set. */
  attempts: z.number().int().positive().optional(),
  /** First retry delay; doubles each time, with jitter. */
  backoff: duration.optional(),
};

export interface QueueSettings {
  rate_limit?: { max: number; per: number } | undefined;
  concurrency?: number | undefined;
  attempts?: number | undefined;
  backoff?: number | undefined;
}

/** A recipe's queue settings as HandlerOptions (only what it set; the plugin's defaults fill the rest). */
export function handlerOptionsFrom(settings: QueueSettings): HandlerOptions {
  return {
    ...(settings.rate_limit ? { rateLimit: { max: settings.rate_limit.max, durationMs: settings.rate_limit.per } } : {}),
    ...(settings.concurrency ? { concurrency: settings.concurrency } : {}),
    ...(settings.attempts ? { attempts: settings.attempts } : {}),
    ...(settings.backoff ? { backoffMs: settings.backoff } : {}),
  };
}

export interface PreparedDelivery<T> {
  data: T;
  contentHash: string;
}

export interface EnqueueOptions<C, T> {
  ctx: PluginContext<C>;
  feeds: Feed[];
  /** Destination account, as the ledger names it. */
  destination: string;
  /** Where posts go, for the run summary (no secrets). */
  output: string;
  /** The job name in the plugin's `jobs`. */
  job: string;
  prepare(entry: Entry, feed: Feed): PreparedDelivery<T> | undefined;
  /** Send a newer version of an entry that was already delivered (webhooks: yes; posts: no). */
  resendChangedContent?: boolean;
}

/** One job per entry not yet delivered, oldest first; job id = destination + entry id + content version. */
export async function enqueueDeliveries<C, T>(options: EnqueueOptions<C, T>): Promise<PublishResult> {
  const { ctx, destination } = options;
  const ledger = new DeliveryLedger(ctx.store, destination, ctx.clock.now);
  let queued = 0;
  let delivered = 0;
  for (const { entry, feed } of entriesOldestFirst(options.feeds)) {
    const prepared = options.prepare(entry, feed);
    if (!prepared) continue;
    const record = await ledger.get(entry.id);
    if (record?.state === 'delivered' && (!options.resendChangedContent || record.contentHash === prepared.contentHash)) {
      delivered++;
      continue;
    }
    await ctx.enqueue(options.job, prepared.data, { jobId: `${destination}|${entry.id}@${prepared.contentHash}` });
    queued++;
  }
  ctx.log.info({ destination: options.output, queued, alreadyDelivered: delivered }, 'deliveries queued');
  return { outputs: [`${options.output} (${queued} queued, ${delivered} already delivered)`], entries: queued };
}
