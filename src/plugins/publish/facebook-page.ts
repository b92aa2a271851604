/**
 * Publish::FacebookPage — each entry as a Page post through the Graph API (formats.md §5.2):
 * `POST /{version}/{page-id}/feed` with `message` and `link`, a Page access token from the
 * environment. Throttling (error codes 4, 17, 32, 613, 80001) is waited out — as long as the
 * usage headers say, else with backoff. The Graph API has no idempotency key: the attempt is
 * recorded first, and a retry looks through the Page's recent posts for the same link or message
 * before posting again.
 */
import { z } from 'zod';
import type { HttpClient, HttpResponse } from '../../pipeline/context.js';
import { PermanentJobError } from '../../pipeline/context.js';
import { definePlugin } from '../../pipeline/plugin.js';
import type { LedgerRecord, RemoteRef } from '../../store/ledger.js';
import { DeliveryLedger } from '../../store/ledger.js';
import { enqueueDeliveries, handlerOptionsFrom, queueSettings } from './bridges/deliveries.js';
import { RetryLaterError, jsonOf, request, retryAfterOf } from './bridges/http.js';
import { noteFromEntry } from './bridges/note.js';
import { postText, postTextSettings } from './bridges/social.js';
import { codePointLength } from './bridges/text.js';

const config = z
  .object({
    page_id: z.string().regex(/^\d+$/, 'the numeric Page id'),
    /** A Page access token with pages_manage_posts (`token: ${FACEBOOK_PAGE_TOKEN}`). */
    token: z.string().min(1),
    graph_url: z.url({ protocol: /^https?$/ }).default('https://graph.facebook.com'),
    api_version: z.string().regex(/^v\d+\.\d+$/).default('v23.0'),
    /** Longest message; Page posts allow far more, but a note should stay readable. */
    max_chars: z.number().int().min(50).default(5000),
    ...postTextSettings,
    ...queueSettings,
  })
  .strict();

type Config = z.output<typeof config>;

export interface FacebookJob {
  entryId: string;
  contentHash: string;
  message: string;
  link?: string;
}

/** Graph API error codes that mean "too many calls, come back later" (formats.md §5.2). */
export const THROTTLING_CODES = new Set([4, 17, 32, 613, 80001]);
/** Temporary Graph API failures worth retrying. */
const TRANSIENT_CODES = new Set([1, 2]);
const RECONCILE_SLACK_S = 300;

interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
}

function graphBase(cfg: Config): string {
  return `${cfg.graph_url.replace(/\/+$/, '')}/${cfg.api_version}`;
}

function destinationOf(cfg: Config): string {
  return `facebook-page:${cfg.page_id}`;
}

/**
 * How long the usage headers say to wait: `estimated_time_to_regain_access` is in minutes, in
 * X-Business-Use-Case-Usage (Page tokens) or X-App-Usage.
 */
export function regainAccessMs(response: HttpResponse): number | undefined {
  let longest: number | undefined;
  for (const header of ['x-business-use-case-usage', 'x-app-usage', 'x-page-usage']) {
    const value = response.headers.get(header);
    if (!value) continue;
    try {
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(visit);
        else if (node && typeof node === 'object') {
          for (const [key, inner] of Object.entries(node)) {
            if (key === 'estimated_time_to_regain_access' && typeof inner === 'number' && inner > 0) {
              longest = Math.max(longest ?? 0, inner * 60_000);
            } else visit(inner);
          }
        }
      };
      visit(JSON.parse(value));
    } catch {
      // a header we cannot read tells us nothing
    }
  }
  return longest ?? retryAfterOf(response);
}

/** A Graph API answer that is not 2xx, as the error the queue should act on. */
function graphFailure(method: string, url: string, response: HttpResponse): Error {
  let error: GraphError = {};
  try {
    error = response.json<{ error?: GraphError }>().error ?? {};
  } catch {
    // not JSON
  }
  const detail = error.message ? `: (#${error.code ?? '?'}) ${error.message}` : '';
  const message = `${method} ${url}: HTTP ${response.status}${detail}`;
  if (error.code !== undefined && THROTTLING_CODES.has(error.code)) return new RetryLaterError(`${message} (throttled)`, regainAccessMs(response));
  if ((error.code !== undefined && TRANSIENT_CODES.has(error.code)) || response.status >= 500 || response.status === 429) {
    return new RetryLaterError(message, retryAfterOf(response));
  }
  return new PermanentJobError(message);
}

async function graph(http: HttpClient, cfg: Config, method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<HttpResponse> {
  const url = `${graphBase(cfg)}${path}`;
  // The token travels in a header, so that it never appears in a URL that an error message shows.
  const response = await request(http, url, { method, headers: { authorization: `Bearer ${cfg.token}` }, ...(form ? { form } : {}) });
  if (response.status >= 200 && response.status < 300) return response;
  throw graphFailure(method, url.split('?')[0]!, response);
}

/** The Page's posts since the attempt began, searched for our link or message. */
async function findPagePost(http: HttpClient, cfg: Config, job: FacebookJob, unfinished: LedgerRecord): Promise<RemoteRef | undefined> {
  const since = Math.floor(unfinished.firstAttemptAt / 1000) - RECONCILE_SLACK_S;
  const query = new URLSearchParams({ fields: 'id,message,link,created_time', since: String(since), limit: '100' });
  const response = await graph(http, cfg, 'GET', `/${cfg.page_id}/feed?${query}`);
  const posts = jsonOf<{ data?: Array<{ id: string; message?: string; link?: string }> }>(response, 'GET').data ?? [];
  const found = posts.find((post) => (job.link !== undefined && post.link === job.link) || post.message?.trim() === job.message.trim());
  return found ? { id: found.id, url: `https://www.facebook.com/${found.id}` } : undefined;
}

export default definePlugin({
  name: 'Publish::FacebookPage',
  aliases: ['Publish::Facebook'],
  description: 'Post each entry to a Facebook Page (Graph API /feed with message and link), waiting out throttling.',
  phase: 'publish',
  config,
  jobs: {
    post: {
      // Page tokens: 4,800 calls × engaged users per 24 h; with one engaged user that is 200 an hour.
      options: { concurrency: 1, attempts: 8, backoffMs: 60_000, rateLimit: { max: 200, durationMs: 3600_000 } },
      optionsFor: (cfg: Config) => handlerOptionsFrom(cfg),
      handler: (ctx) => {
        const ledger = new DeliveryLedger(ctx.store, destinationOf(ctx.config), ctx.clock.now);
        return async (data) => {
          const job = data as FacebookJob;
          const outcome = await ledger.deliverOnce({
            entryId: job.entryId,
            contentHash: job.contentHash,
            reconcile: (unfinished) => findPagePost(ctx.http, ctx.config, job, unfinished),
            send: async () => {
              const response = await graph(ctx.http, ctx.config, 'POST', `/${ctx.config.page_id}/feed`, {
                message: job.message,
                ...(job.link ? { link: job.link } : {}),
              });
              const { id } = jsonOf<{ id?: string }>(response);
              if (!id) throw new Error(`POST ${graphBase(ctx.config)}/${ctx.config.page_id}/feed: answer without an id`);
              return { id, url: `https://www.facebook.com/${id}` };
            },
          });
          return { status: outcome.status, remote: outcome.remote };
        };
      },
    },
  },
  async publish(feeds, ctx) {
    return enqueueDeliveries<Config, FacebookJob>({
      ctx,
      feeds,
      destination: destinationOf(ctx.config),
      output: `${graphBase(ctx.config)}/${ctx.config.page_id}/feed`,
      job: 'post',
      prepare: (entry, feed) => {
        const note = noteFromEntry(entry, feed);
        // The link goes in its own field (Facebook shows it as a card), so the message is the words.
        const message = postText({ ...note, link: undefined } as typeof note, ctx.config, ctx.config.max_chars, codePointLength).text;
        if (!message && !note.link) return undefined;
        return {
          contentHash: note.contentHash,
          data: { entryId: entry.id, contentHash: note.contentHash, message, ...(note.link ? { link: note.link } : {}) },
        };
      },
    });
  },
});
