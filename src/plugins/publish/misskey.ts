/**
 * Publish::Misskey — each entry as a note (formats.md §5.4): `POST /api/notes/create`, at most
 * 300 per hour. Misskey has no idempotency key, so the ledger records the attempt before the
 * request and the note id after it; a retry that finds an attempt without a note id first looks
 * through the account's recent notes for one with the same text, and posts only if there is none.
 */
import { z } from 'zod';
import type { HttpClient } from '../../pipeline/context.js';
import { definePlugin } from '../../pipeline/plugin.js';
import type { LedgerRecord, RemoteRef } from '../../store/ledger.js';
import { DeliveryLedger } from '../../store/ledger.js';
import { enqueueDeliveries, handlerOptionsFrom, queueSettings } from './bridges/deliveries.js';
import { jsonOf, send } from './bridges/http.js';
import { noteFromEntry } from './bridges/note.js';
import { postText, postTextSettings } from './bridges/social.js';
import { codePointLength } from './bridges/text.js';

const config = z
  .object({
    /** The instance, e.g. `https://misskey.io`. */
    instance: z.url({ protocol: /^https?$/ }),
    /** An access token with the "compose notes" permission (`token: ${MISSKEY_TOKEN}`). */
    token: z.string().min(1),
    /** Names the account in the ledger when one instance gets notes from several accounts. */
    account: z.string().optional(),
    visibility: z.enum(['public', 'home', 'followers']).default('home'),
    local_only: z.boolean().default(false),
    /** Content warning. */
    cw: z.string().optional(),
    /** The instance's note length limit (3000 by default). */
    max_chars: z.number().int().min(50).default(3000),
    ...postTextSettings,
    ...queueSettings,
  })
  .strict();

type Config = z.output<typeof config>;

export interface MisskeyJob {
  entryId: string;
  contentHash: string;
  text: string;
}

interface MisskeyNote {
  id: string;
  text: string | null;
  createdAt: string;
}

/** Notes made before the attempt cannot be ours; a little slack for clocks that disagree. */
const RECONCILE_SLACK_MS = 5 * 60_000;

function instanceUrl(cfg: Config): string {
  return cfg.instance.replace(/\/+$/, '');
}

function destinationOf(cfg: Config): string {
  return `misskey:${instanceUrl(cfg)}${cfg.account ? `/@${cfg.account}` : ''}`;
}

/** The account's own notes since the attempt began, searched for the text we sent. */
async function findOwnNote(http: HttpClient, cfg: Config, text: string, unfinished: LedgerRecord): Promise<RemoteRef | undefined> {
  const base = instanceUrl(cfg);
  const me = jsonOf<{ id?: string }>(await send(http, `${base}/api/i`, { json: { i: cfg.token } }));
  if (!me.id) throw new Error(`POST ${base}/api/i: no user id in the answer`);
  const notes = jsonOf<MisskeyNote[]>(
    await send(http, `${base}/api/users/notes`, {
      json: {
        i: cfg.token,
        userId: me.id,
        limit: 100,
        sinceDate: unfinished.firstAttemptAt - RECONCILE_SLACK_MS,
        withReplies: false,
        withRenotes: false,
      },
    }),
  );
  const found = notes.find((note) => (note.text ?? '').trim() === text.trim());
  return found ? { id: found.id, url: `${base}/notes/${found.id}` } : undefined;
}

export default definePlugin({
  name: 'Publish::Misskey',
  description: 'Post each entry as a Misskey note (300 per hour), recording each attempt so a crash never posts twice.',
  phase: 'publish',
  config,
  jobs: {
    post: {
      options: { concurrency: 1, attempts: 8, backoffMs: 5000, rateLimit: { max: 300, durationMs: 3600_000 } },
      optionsFor: (cfg: Config) => handlerOptionsFrom(cfg),
      handler: (ctx) => {
        const ledger = new DeliveryLedger(ctx.store, destinationOf(ctx.config), ctx.clock.now);
        const endpoint = `${instanceUrl(ctx.config)}/api/notes/create`;
        return async (data) => {
          const job = data as MisskeyJob;
          const outcome = await ledger.deliverOnce({
            entryId: job.entryId,
            contentHash: job.contentHash,
            reconcile: (unfinished) => findOwnNote(ctx.http, ctx.config, job.text, unfinished),
            send: async () => {
              const response = await send(ctx.http, endpoint, {
                json: {
                  i: ctx.config.token,
                  text: job.text,
                  visibility: ctx.config.visibility,
                  localOnly: ctx.config.local_only,
                  ...(ctx.config.cw ? { cw: ctx.config.cw } : {}),
                },
              });
              const created = jsonOf<{ createdNote?: { id?: string } }>(response).createdNote;
              if (!created?.id) throw new Error(`POST ${endpoint}: HTTP ${response.status} without createdNote.id`);
              return { id: created.id, url: `${instanceUrl(ctx.config)}/notes/${created.id}` };
            },
          });
          return { status: outcome.status, remote: outcome.remote };
        };
      },
    },
  },
  async publish(feeds, ctx) {
    return enqueueDeliveries<Config, MisskeyJob>({
      ctx,
      feeds,
      destination: destinationOf(ctx.config),
      output: `${instanceUrl(ctx.config)}/api/notes/create`,
      job: 'post',
      prepare: (entry, feed) => {
        const note = noteFromEntry(entry, feed);
        const { text } = postText(note, ctx.config, ctx.config.max_chars, codePointLength);
        return text ? { contentHash: note.contentHash, data: { entryId: entry.id, contentHash: note.contentHash, text } } : undefined;
      },
    });
  },
});
