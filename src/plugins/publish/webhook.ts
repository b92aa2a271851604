/**
 * Publish::Webhook — each entry POSTed as normalised JSON to a URL of yours (formats.md §5.6):
 * `X-Kakehashi-Signature: sha256=<HMAC-SHA256 of the raw body>` so the receiver can trust it,
 * `Idempotency-Key` so a retried delivery can be recognised, `X-Kakehashi-Event` saying whether
 * the entry is new or a newer version of one delivered before.
 */
import { createHmac, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Entry, Feed } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { sha256Hex } from '../../pipeline/ids.js';
import { DeliveryLedger } from '../../store/ledger.js';
import { enqueueDeliveries, handlerOptionsFrom, queueSettings } from './bridges/deliveries.js';
import { jsonOf, send } from './bridges/http.js';
import { noteFromEntry, rfc3339 } from './bridges/note.js';

const config = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    /** Shared secret for the signature (put it in the environment: `secret: ${WEBHOOK_SECRET}`). */
    secret: z.string().min(16, 'use a secret of at least 16 characters'),
    /** Extra request headers (an Authorization for the receiver, say). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Send an entry again when its content changed since it was delivered (event `item.updated`). */
    send_updates: z.boolean().default(true),
    timeout: z.number().positive().default(30),
    ...queueSettings,
  })
  .strict();

type Config = z.output<typeof config>;

export interface WebhookJob {
  entryId: string;
  contentHash: string;
  event: 'item.published' | 'item.updated';
  idempotencyKey: string;
  /** The exact bytes that are signed and sent. */
  body: string;
}

export const SIGNATURE_HEADER = 'x-kakehashi-signature';

/** `sha256=<hex>` over the raw body: what a receiver recomputes to check a delivery. */
export function signWebhookBody(body: string | Buffer, secret: string | KeyObject): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The entry as a receiver gets it: stable field names, RFC 3339 dates in the recipe's zone. */
export function webhookPayload(entry: Entry, feed: Feed, timezone: string): Record<string, unknown> {
  const note = noteFromEntry(entry, feed);
  return {
    id: entry.id,
    source: entry.source,
    url: entry.link ?? null,
    title: note.title,
    contentHtml: note.html,
    contentText: note.text,
    published: rfc3339(entry.published ?? entry.updated, timezone) ?? null,
    updated: rfc3339(entry.updated, timezone) ?? null,
    author: entry.author ?? null,
    tags: entry.tags,
    enclosures: entry.enclosures.map(({ localPath: _localPath, ...enclosure }) => enclosure),
    via: entry.via,
    original: { guid: entry.guid ?? null, feed: { id: feed.id, title: feed.title, link: feed.link ?? null }, meta: entry.meta },
  };
}

function destinationOf(cfg: Config): string {
  return `webhook:${cfg.url}`;
}

export default definePlugin({
  name: 'Publish::Webhook',
  description: 'POST each entry as signed JSON (HMAC-SHA256, Idempotency-Key) to a URL, through the queue.',
  phase: 'publish',
  config,
  jobs: {
    deliver: {
      options: { concurrency: 8, attempts: 8, backoffMs: 2000 },
      optionsFor: (cfg: Config) => handlerOptionsFrom(cfg),
      handler: (ctx) => {
        const ledger = new DeliveryLedger(ctx.store, destinationOf(ctx.config), ctx.clock.now);
        // What is the same for every delivery is made once, not per note.
        const key = createSecretKey(Buffer.from(ctx.config.secret, 'utf8'));
        const fixedHeaders = { ...ctx.config.headers, 'content-type': 'application/json; charset=utf-8' };
        const timeoutMs = ctx.config.timeout * 1000;
        return async (data) => {
          const job = data as WebhookJob;
          const outcome = await ledger.deliverOnce({
            entryId: job.entryId,
            contentHash: job.contentHash,
            resendChangedContent: ctx.config.send_updates,
            send: async () => {
              // Encoded once: the bytes signed are the bytes sent.
              const body = Buffer.from(job.body, 'utf8');
              const response = await send(ctx.http, ctx.config.url, {
                body,
                timeoutMs,
                headers: {
                  ...fixedHeaders,
                  'idempotency-key': job.idempotencyKey,
                  'x-kakehashi-event': job.event,
                  [SIGNATURE_HEADER]: signWebhookBody(body, key),
                },
              });
              const answer = response.body.length > 0 && /json/i.test(response.headers.get('content-type') ?? '')
                ? jsonOf<{ id?: unknown }>(response)
                : {};
              return { id: typeof answer.id === 'string' || typeof answer.id === 'number' ? String(answer.id) : job.idempotencyKey };
            },
          });
          return { status: outcome.status, remote: outcome.remote?.id };
        };
      },
    },
  },
  async publish(feeds, ctx) {
    const destination = destinationOf(ctx.config);
    const ledger = new DeliveryLedger(ctx.store, destination, ctx.clock.now);
    const delivered = new Map((await ledger.list()).map((record) => [record.entryId, record]));
    return enqueueDeliveries<Config, WebhookJob>({
      ctx,
      feeds,
      destination,
      output: ctx.config.url,
      job: 'deliver',
      resendChangedContent: ctx.config.send_updates,
      prepare: (entry, feed) => {
        const body = JSON.stringify(webhookPayload(entry, feed, ctx.global.timezone));
        const contentHash = sha256Hex(body).slice(0, 16);
        const event = delivered.get(entry.id)?.state === 'delivered' ? 'item.updated' : 'item.published';
        return {
          contentHash,
          data: {
            entryId: entry.id,
            contentHash,
            event,
            idempotencyKey: `kakehashi-${sha256Hex(`${destination}|${entry.id}|${contentHash}`).slice(0, 40)}`,
            body,
          },
        };
      },
    });
  },
});
