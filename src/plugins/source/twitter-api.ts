/**
 * Source::TwitterAPI — a user's posts from X API v2 (`GET /2/users/:id/tweets`). Reads are paid
 * per post, so a run asks only for what is new: the newest id seen is kept in the state store
 * and sent as `since_id`. The rate limit is honoured from its headers: a short wait is waited
 * out, a long one ends the run with the time to retry, keeping what was fetched.
 */
import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';
import type { PluginContext } from '../../pipeline/context.js';
import type { Entry, EntrySource } from '../../pipeline/model.js';
import { makeFeed } from '../../pipeline/model.js';
import { formatDate } from '../../text/dates.js';
import { MalformedTweetError } from './twitter/archive-tweet.js';
import { includeSchema, kindsIncluded } from './twitter/include.js';
import { tweetKind, tweetToEntry } from './twitter/tweet.js';
import type { V2Includes, V2Tweet, V2User } from './twitter/v2-tweet.js';
import { V2Lookup, fromV2Tweet } from './twitter/v2-tweet.js';

const PLUGIN = 'Source::TwitterAPI';
const STATE = 'twitter-api';

export const TWEET_FIELDS = 'created_at,entities,referenced_tweets,attachments,public_metrics,in_reply_to_user_id,author_id,lang,note_tweet';
export const EXPANSIONS = 'attachments.media_keys,referenced_tweets.id,referenced_tweets.id.author_id,author_id,in_reply_to_user_id';
export const MEDIA_FIELDS = 'url,preview_image_url,type,variants,alt_text';
export const USER_FIELDS = 'username,name';

const configSchema = z
  .object({
    username: z
      .string()
      .regex(/^@?[A-Za-z0-9_]{1,15}$/, 'an X username such as taro')
      .transform((name) => name.replace(/^@/, ''))
      .optional()
      .describe('The account (looked up once to find its id; give user_id to skip the lookup)'),
    user_id: z.string().regex(/^\d+$/, 'a numeric user id').optional().describe('The account id'),
    bearer_token: z.string().min(1).describe('App bearer token; write `${X_BEARER_TOKEN}` and set it in the environment'),
    base_url: z.url().default('https://api.x.com').describe('API root (a test server, a proxy)'),
    include: includeSchema,
    max_results: z.number().int().min(5).max(100).default(100).describe('Posts per page (5–100)'),
    max_pages: z.number().int().positive().default(10).describe('Pages per run at most'),
    max_wait_seconds: z
      .number()
      .min(0)
      .default(60)
      .describe('Longest wait for the rate limit to reset; a longer one stops the run with the time to retry'),
    title: z.string().optional(),
  })
  .refine((config) => config.username || config.user_id, { message: 'give username or user_id' });

type Config = z.output<typeof configSchema>;

interface V2Page {
  data?: V2Tweet[];
  includes?: V2Includes;
  meta?: { result_count?: number; newest_id?: string; oldest_id?: string; next_token?: string };
  errors?: Array<{ title?: string; detail?: string; value?: string; resource_id?: string }>;
}

/** What a run leaves for the next one (per user id). */
interface TimelineState {
  /** The newest post id read by a finished paging: the next run asks only for newer ones. */
  sinceId?: string;
  /** A paging stopped by the rate limit: where to go on, and the newest id it had seen. */
  resume?: { paginationToken: string; newestId?: string; sinceId?: string };
  screenName?: string;
}

/** Stops the paging with a message for the user; what was read so far is kept. */
class RateLimitStop extends Error {}

function isNewer(a: string | undefined, b: string | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  return a.length !== b.length ? a.length > b.length : a > b;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('cancelled while waiting for the rate limit'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

class XApi {
  constructor(private readonly ctx: PluginContext<Config>) {}

  private get root(): string {
    return this.ctx.config.base_url.replace(/\/+$/, '');
  }

  /**
   * One GET with the bearer token. A 429 or an exhausted limit is waited out when its reset is
   * near enough; otherwise RateLimitStop says when to come back.
   */
  async get<T>(path: string, query: Record<string, string>): Promise<{ body: T; remaining?: number; reset?: number }> {
    const url = `${this.root}${path}?${new URLSearchParams(query).toString()}`;
    for (let attempt = 0; ; attempt++) {
      const response = await this.ctx.http.request(url, {
        headers: { authorization: `Bearer ${this.ctx.config.bearer_token}`, accept: 'application/json' },
        signal: this.ctx.signal,
      });
      const remainingHeader = response.headers.get('x-rate-limit-remaining');
      const resetHeader = response.headers.get('x-rate-limit-reset');
      const remaining = remainingHeader !== null && /^\d+$/.test(remainingHeader) ? Number(remainingHeader) : undefined;
      const reset = resetHeader !== null && /^\d+$/.test(resetHeader) ? Number(resetHeader) : undefined;
      if (response.status === 429) {
        if (attempt >= 3) throw new RateLimitStop(this.retryMessage(reset, 'the rate limit is still exhausted after waiting'));
        await this.waitForReset(reset, `${path}: HTTP 429 Too Many Requests`);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new Error(
          `${url}: HTTP ${response.status} — the API refused the bearer token or this app's access (${problemText(response)}); check X_BEARER_TOKEN and the app's plan`,
        );
      }
      if (response.status < 200 || response.status > 299) {
        throw new Error(`${url}: HTTP ${response.status} (${problemText(response)})`);
      }
      const result: { body: T; remaining?: number; reset?: number } = { body: response.json<T>() };
      if (remaining !== undefined) result.remaining = remaining;
      if (reset !== undefined) result.reset = reset;
      return result;
    }
  }

  /** Waits until `reset` (epoch seconds) if that is within max_wait_seconds, else stops the run. */
  async waitForReset(reset: number | undefined, why: string): Promise<void> {
    const now = this.ctx.clock.now();
    const waitMs = reset === undefined ? undefined : Math.max(0, reset * 1000 - now) + 1000;
    if (waitMs === undefined || waitMs > this.ctx.config.max_wait_seconds * 1000) throw new RateLimitStop(this.retryMessage(reset, why));
    this.ctx.log.info({ waitMs }, `${why}; waiting ${Math.ceil(waitMs / 1000)} s for the rate limit to reset`);
    await sleep(waitMs, this.ctx.signal);
  }

  retryMessage(reset: number | undefined, why: string): string {
    if (reset === undefined) return `${why}; the rate limit is exhausted and the API did not say until when: retry later`;
    const at = formatDate(reset * 1000, this.ctx.global.timezone, 'display');
    const minutes = Math.ceil((reset * 1000 - this.ctx.clock.now()) / 60_000);
    return `${why}; the rate limit resets at ${at} (x-rate-limit-reset ${reset}, in about ${minutes} min, longer than max_wait_seconds ${this.ctx.config.max_wait_seconds}): run again after that`;
  }
}

function problemText(response: { body: Buffer; headers: Headers }): string {
  try {
    const problem = JSON.parse(response.body.toString('utf8')) as { title?: string; detail?: string; errors?: Array<{ message?: string }> };
    return problem.detail ?? problem.title ?? problem.errors?.[0]?.message ?? 'no details';
  } catch {
    return response.body.toString('utf8').slice(0, 120).replace(/\s+/g, ' ') || 'empty body';
  }
}

async function resolveUser(api: XApi, config: Config, state: TimelineState): Promise<{ id: string; screenName?: string }> {
  if (config.user_id) {
    const screenName = config.username ?? state.screenName;
    return screenName ? { id: config.user_id, screenName } : { id: config.user_id };
  }
  const { body } = await api.get<{ data?: V2User; errors?: Array<{ detail?: string }> }>(
    `/2/users/by/username/${encodeURIComponent(config.username!)}`,
    { 'user.fields': USER_FIELDS },
  );
  if (!body.data?.id) throw new Error(`X user ${config.username}: ${body.errors?.[0]?.detail ?? 'not found'}`);
  return { id: body.data.id, screenName: body.data.username ?? config.username! };
}

export default definePlugin({
  name: PLUGIN,
  aliases: ['CustomFeed::TwitterAPI'],
  phase: 'source',
  description: "A user's posts from X API v2, only the new ones on each run (since_id kept in the state store)",
  config: configSchema,
  async fetch(subscription, ctx) {
    const config = ctx.config;
    const api = new XApi(ctx);
    const stateKey = config.user_id ?? `@${config.username!.toLowerCase()}`;
    const state = (await ctx.store.get<TimelineState>(STATE, stateKey)) ?? {};
    const user = await resolveUser(api, config, state);
    const account = { userId: user.id, ...(user.screenName ? { screenName: user.screenName } : {}) };
    const source: EntrySource = {
      plugin: PLUGIN,
      feedId: `twitter-api:${user.id}`,
      feedTitle: config.title ?? subscription.title ?? (user.screenName ? `@${user.screenName} on X` : `X user ${user.id}`),
      service: 'twitter',
    };
    if (user.screenName) {
      source.account = user.screenName;
      source.feedLink = `https://x.com/${user.screenName}`;
    }

    const kinds = kindsIncluded(config.include);
    const warnings: string[] = [];
    const entries: Entry[] = [];
    const seen = new Set<string>();
    // A paging the rate limit cut short is taken up where it stopped, against the same since_id.
    const sinceId = state.resume ? state.resume.sinceId : state.sinceId;
    let token = state.resume?.paginationToken;
    let newestId = state.resume?.newestId;
    let pages = 0;
    let stopped: string | undefined;
    let finished = false;

    try {
      while (pages < config.max_pages) {
        const query: Record<string, string> = {
          max_results: String(config.max_results),
          'tweet.fields': TWEET_FIELDS,
          expansions: EXPANSIONS,
          'media.fields': MEDIA_FIELDS,
          'user.fields': USER_FIELDS,
        };
        // Retweets left out by the recipe are not paid for; replies are filtered here, because the
        // API's exclude=replies would drop the account's own threads too.
        if (!config.include.includes('retweets')) query.exclude = 'retweets';
        if (sinceId) query.since_id = sinceId;
        if (token) query.pagination_token = token;
        const { body: page, remaining, reset } = await api.get<V2Page>(`/2/users/${user.id}/tweets`, query);
        pages++;
        if (isNewer(page.meta?.newest_id, newestId)) newestId = page.meta!.newest_id;
        const lookup = new V2Lookup(page.includes);
        for (const tweet of page.data ?? []) {
          if (!tweet.id || seen.has(tweet.id)) continue;
          seen.add(tweet.id);
          try {
            const record = fromV2Tweet(tweet, lookup, account);
            if (kinds.has(tweetKind(record, account))) entries.push(tweetToEntry(record, { source, account }));
          } catch (error) {
            if (!(error instanceof MalformedTweetError)) throw error;
            warnings.push(`${config.base_url}/2/users/${user.id}/tweets page ${pages}: skipped a post, ${error.message}`);
          }
        }
        for (const problem of page.errors ?? []) {
          // Partial errors name referenced posts that are deleted or protected; the page is still good.
          warnings.push(`page ${pages}: ${problem.title ?? 'error'}${problem.detail ? `: ${problem.detail}` : ''}`);
        }
        token = page.meta?.next_token;
        if (!token) {
          finished = true;
          break;
        }
        if (remaining === 0) await api.waitForReset(reset, `/2/users/${user.id}/tweets: the rate limit is used up`);
      }
      if (!finished) {
        warnings.push(
          `stopped after max_pages ${config.max_pages} with older posts left${sinceId ? ' (more new posts than one run reads: raise max_pages)' : ''}`,
        );
      }
    } catch (error) {
      if (!(error instanceof RateLimitStop)) throw error;
      stopped = error.message;
      if (entries.length === 0 && pages === 0) throw new Error(`${PLUGIN} ${user.screenName ?? user.id}: ${stopped}`, { cause: error });
      warnings.push(`stopped early after ${pages} page(s): ${stopped}`);
    }

    const next: TimelineState = { ...(user.screenName ? { screenName: user.screenName } : {}) };
    if (stopped && token) {
      next.resume = { paginationToken: token, ...(newestId ? { newestId } : {}), ...(sinceId ? { sinceId } : {}) };
      if (state.sinceId) next.sinceId = state.sinceId;
    } else {
      const advanced = isNewer(newestId, sinceId) ? newestId : sinceId;
      if (advanced) next.sinceId = advanced;
    }
    await ctx.store.set(STATE, stateKey, next);
    for (const warning of warnings) ctx.log.warn(warning);

    return makeFeed({
      id: source.feedId,
      type: 'twitter',
      title: source.feedTitle ?? '',
      ...(source.feedLink ? { link: source.feedLink } : {}),
      ...(user.screenName ? { author: user.screenName } : {}),
      entries,
      meta: { warnings, twitterApi: { userId: user.id, pages, sinceId: sinceId ?? null, newestId: next.sinceId ?? null } },
    });
  },
});
