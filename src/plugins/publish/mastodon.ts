/**
 * Publish::Mastodon — each entry as a status (formats.md §5.3): `POST /api/v1/statuses` with an
 * `Idempotency-Key` derived from the entry, so a retry after a lost answer returns the status
 * already made instead of a second one (Mastodon keeps keys about an hour; the ledger covers the
 * rest). The text fits the 500-character limit, URLs counted as 23, cut at a word, link kept.
 */
import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';
import { sha256Hex } from '../../pipeline/ids.js';
import { DeliveryLedger } from '../../store/ledger.js';
import { enqueueDeliveries, handlerOptionsFrom, queueSettings } from './bridges/deliveries.js';
import { jsonOf, send } from './bridges/http.js';
import { noteFromEntry } from './bridges/note.js';
import { postText, postTextSettings } from './bridges/social.js';
import { mastodonLength } from './bridges/text.js';

const config = z
  .object({
    /** The instance, e.g. `https://mastodon.social`. */
    instance: z.url({ protocol: /^https?$/ }),
    /** An access token with `write:statuses` (from the environment: `token: ${MASTODON_TOKEN}`). */
    token: z.string().min(1),
    /** Names the account in the ledger when one instance gets posts from several accounts. */
    account: z.string().optional(),
    visibility: z.enum(['public', 'unlisted', 'private', 'direct']).default('unlisted'),
    language: z.string().default('ja'),
    /** Content warning shown before the text. */
    spoiler_text: z.string().optional(),
    /** The instance's limit (500 on a stock server). */
    max_chars: z.number().int().min(50).default(500),
    ...postTextSettings,
    ...queueSettings,
  })
  .strict();

type Config = z.output<typeof config>;

export interface MastodonJob {
  entryId: string;
  contentHash: string;
  status: string;
  idempotencyKey: string;
}

function instanceUrl(cfg: Config): string {
  return cfg.instance.replace(/\/+$/, '');
}

function destinationOf(cfg: Config): string {
  return `mastodon:${instanceUrl(cfg)}${cfg.account ? `/@${cfg.account}` : ''}`;
}

export default definePlugin({
  name: 'Publish::Mastodon',
  description: 'Post each entry as a Mastodon status (500 characters, link kept, Idempotency-Key), through the queue.',
  phase: 'publish',
  config,
  jobs: {
    post: {
      // Stock limit: 300 statuses per account per 3 hours. One at a time keeps the timeline in order.
      options: { concurrency: 1, attempts: 8, backoffMs: 5000, rateLimit: { max: 300, durationMs: 3 * 3600_000 } },
      optionsFor: (cfg: Config) => handlerOptionsFrom(cfg),
      handler: (ctx) => {
        const ledger = new DeliveryLedger(ctx.store, destinationOf(ctx.config), ctx.clock.now);
        const endpoint = `${instanceUrl(ctx.config)}/api/v1/statuses`;
        return async (data) => {
          const job = data as MastodonJob;
          const outcome = await ledger.deliverOnce({
            entryId: job.entryId,
            contentHash: job.contentHash,
            send: async () => {
              const response = await send(ctx.http, endpoint, {
                headers: { authorization: `Bearer ${ctx.config.token}`, 'idempotency-key': job.idempotencyKey },
                json: {
                  status: job.status,
                  visibility: ctx.config.visibility,
                  language: ctx.config.language,
                  ...(ctx.config.spoiler_text ? { spoiler_text: ctx.config.spoiler_text } : {}),
                },
              });
              const status = jsonOf<{ id?: string; url?: string; uri?: string }>(response);
              if (!status.id) throw new Error(`POST ${endpoint}: HTTP ${response.status} without a status id`);
              return { id: status.id, ...(status.url || status.uri ? { url: status.url ?? status.uri } : {}) };
            },
          });
          return { status: outcome.status, remote: outcome.remote };
        };
      },
    },
  },
  async publish(feeds, ctx) {
    const destination = destinationOf(ctx.config);
    return enqueueDeliveries<Config, MastodonJob>({
      ctx,
      feeds,
      destination,
      output: `${instanceUrl(ctx.config)}/api/v1/statuses`,
      job: 'post',
      prepare: (entry, feed) => {
        const note = noteFromEntry(entry, feed);
        const { text } = postText(note, ctx.config, ctx.config.max_chars, mastodonLength);
        if (!text) return undefined;
        return {
          contentHash: note.contentHash,
          data: {
            entryId: entry.id,
            contentHash: note.contentHash,
            status: text,
            // Per entry, not per version: an edit within the hour must not become a second status.
            idempotencyKey: `kakehashi-${sha256Hex(`${destination}|${entry.id}`).slice(0, 40)}`,
          },
        };
      },
    });
  },
});
