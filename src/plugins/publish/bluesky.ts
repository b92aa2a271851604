/**
 * Publish::Bluesky — each entry as an `app.bsky.feed.post` record (formats.md §5.5). The session
 * is created once (createSession is limited to 30 per 5 minutes and a few hundred a day), kept in
 * the state store, and refreshed when the access token expires. The text fits 300 graphemes with
 * the link shown short and linked by a facet at UTF-8 byte offsets (links are not detected by
 * the app otherwise), plus an external embed card. The record key is a TID derived from the entry,
 * so a retry addresses the record the first attempt made: no duplicate, no window.
 */
import { z } from 'zod';
import type { HttpClient, Logger, Store } from '../../pipeline/context.js';
import { entryTime } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import type { RemoteRef } from '../../store/ledger.js';
import { DeliveryLedger } from '../../store/ledger.js';
import { enqueueDeliveries, handlerOptionsFrom, queueSettings } from './bridges/deliveries.js';
import { classify, jsonOf, request } from './bridges/http.js';
import { noteFromEntry } from './bridges/note.js';
import { postText, postTextSettings } from './bridges/social.js';
import { fitText, graphemeLength, shortLinkText } from './bridges/text.js';
import { tidForEntry } from './bridges/tid.js';

const config = z
  .object({
    /** The PDS; `https://bsky.social` for accounts hosted by Bluesky. */
    service: z.url({ protocol: /^https?$/ }).default('https://bsky.social'),
    /** Handle or DID. */
    identifier: z.string().min(1),
    /** An app password (Settings → App passwords), from the environment: `password: ${BLUESKY_APP_PASSWORD}`. */
    password: z.string().min(1),
    langs: z.array(z.string()).default(['ja']),
    /** Attach a link card (title and description of the entry). */
    embed: z.boolean().default(true),
    max_graphemes: z.number().int().min(50).default(300),
    ...postTextSettings,
    ...queueSettings,
  })
  .strict();

type Config = z.output<typeof config>;

interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: Array<{ $type: 'app.bsky.richtext.facet#link'; uri: string }>;
}

export interface PostRecord {
  $type: 'app.bsky.feed.post';
  text: string;
  createdAt: string;
  langs: string[];
  facets?: Facet[];
  embed?: { $type: 'app.bsky.embed.external'; external: { uri: string; title: string; description: string } };
}

export interface BlueskyJob {
  entryId: string;
  contentHash: string;
  rkey: string;
  record: PostRecord;
}

interface Session {
  did: string;
  handle?: string;
  accessJwt: string;
  refreshJwt: string;
}

const COLLECTION = 'app.bsky.feed.post';
const URL_PATTERN = /https?:\/\/[^\s<>"'「」『』（）()…]+/g;

function serviceUrl(cfg: Config): string {
  return cfg.service.replace(/\/+$/, '');
}

function destinationOf(cfg: Config): string {
  return `bluesky:${serviceUrl(cfg)}/${cfg.identifier}`;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Link facets for the shown link (its short text points to the full URL) and for every URL
 * written out in the text. Offsets count UTF-8 bytes, not UTF-16 units.
 */
export function linkFacets(text: string, link?: { index: number; text: string; uri: string }): Facet[] {
  const facets: Facet[] = [];
  const taken: Array<[number, number]> = [];
  if (link) {
    const byteStart = utf8Length(text.slice(0, link.index));
    const byteEnd = byteStart + utf8Length(link.text);
    facets.push({ index: { byteStart, byteEnd }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: link.uri }] });
    taken.push([link.index, link.index + link.text.length]);
  }
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    const end = start + match[0].length;
    if (taken.some(([a, b]) => start < b && end > a)) continue;
    const uri = match[0].replace(/[.,、。!?！？)]+$/, '');
    const byteStart = utf8Length(text.slice(0, start));
    facets.push({
      index: { byteStart, byteEnd: byteStart + utf8Length(uri) },
      features: [{ $type: 'app.bsky.richtext.facet#link', uri }],
    });
  }
  return facets.sort((a, b) => a.index.byteStart - b.index.byteStart);
}

/** One session per account, shared through the state store by every run and worker. */
class SessionKeeper {
  private current: Session | undefined;
  private pending: Promise<Session> | undefined;
  private readonly key: string;

  constructor(
    private readonly http: HttpClient,
    private readonly store: Store,
    private readonly cfg: Config,
    private readonly log: Logger,
  ) {
    this.key = `${serviceUrl(cfg)}|${cfg.identifier}`;
  }

  async session(): Promise<Session> {
    if (this.current) return this.current;
    const stored = await this.store.get<Session>('bluesky-session', this.key);
    if (stored) return (this.current = stored);
    return this.replace(() => this.create());
  }

  /** The access token expired: refresh it (once, however many jobs noticed). */
  renew(expired: Session): Promise<Session> {
    if (this.current && this.current.accessJwt !== expired.accessJwt) return Promise.resolve(this.current);
    return this.replace(async () => {
      const refreshed = await this.refresh(expired);
      return refreshed ?? this.create();
    });
  }

  private replace(make: () => Promise<Session>): Promise<Session> {
    this.pending ??= make()
      .then(async (session) => {
        this.current = session;
        await this.store.set('bluesky-session', this.key, session);
        return session;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async create(): Promise<Session> {
    const url = `${serviceUrl(this.cfg)}/xrpc/com.atproto.server.createSession`;
    this.log.info({ service: serviceUrl(this.cfg), identifier: this.cfg.identifier }, 'creating a Bluesky session');
    const response = await request(this.http, url, { json: { identifier: this.cfg.identifier, password: this.cfg.password } });
    if (response.status !== 200) throw classify('POST', url, response);
    return sessionOf(jsonOf<Session>(response), url);
  }

  private async refresh(expired: Session): Promise<Session | undefined> {
    const url = `${serviceUrl(this.cfg)}/xrpc/com.atproto.server.refreshSession`;
    const response = await request(this.http, url, { headers: { authorization: `Bearer ${expired.refreshJwt}` } });
    if (response.status === 200) return sessionOf(jsonOf<Session>(response), url);
    if (response.status === 400 || response.status === 401) return undefined; // refresh token gone too: log in again
    throw classify('POST', url, response);
  }
}

function sessionOf(answer: Partial<Session>, url: string): Session {
  if (!answer.did || !answer.accessJwt || !answer.refreshJwt) throw new Error(`POST ${url}: answer without did or tokens`);
  return { did: answer.did, accessJwt: answer.accessJwt, refreshJwt: answer.refreshJwt, ...(answer.handle ? { handle: answer.handle } : {}) };
}

async function isExpired(response: { status: number; json<T>(): T }): Promise<boolean> {
  if (response.status !== 400 && response.status !== 401) return false;
  try {
    return ['ExpiredToken', 'InvalidToken'].includes(response.json<{ error?: string }>().error ?? '');
  } catch {
    return false;
  }
}

export default definePlugin({
  name: 'Publish::Bluesky',
  description: 'Post each entry to Bluesky (300 graphemes, link facet and card, deterministic rkey), through the queue.',
  phase: 'publish',
  config,
  jobs: {
    post: {
      // 5,000 points/hour and 35,000/day at 3 points a post: 450/hour stays inside both.
      options: { concurrency: 1, attempts: 8, backoffMs: 5000, rateLimit: { max: 450, durationMs: 3600_000 } },
      optionsFor: (cfg: Config) => handlerOptionsFrom(cfg),
      handler: (ctx) => {
        const cfg = ctx.config;
        const ledger = new DeliveryLedger(ctx.store, destinationOf(cfg), ctx.clock.now);
        const sessions = new SessionKeeper(ctx.http, ctx.store, cfg, ctx.log);
        const base = serviceUrl(cfg);

        /** A request with the session's token, renewed once if it expired. */
        const authorized = async (url: string, options: Parameters<typeof request>[2]) => {
          let session = await sessions.session();
          for (let round = 0; ; round++) {
            const response = await request(ctx.http, url, { ...options, headers: { ...options?.headers, authorization: `Bearer ${session.accessJwt}` } });
            if (round === 0 && (await isExpired(response))) {
              session = await sessions.renew(session);
              continue;
            }
            return { response, session };
          }
        };

        const existing = async (rkey: string): Promise<RemoteRef | undefined> => {
          const session = await sessions.session();
          const query = new URLSearchParams({ repo: session.did, collection: COLLECTION, rkey });
          const url = `${base}/xrpc/com.atproto.repo.getRecord?${query}`;
          const { response } = await authorized(url, { method: 'GET' });
          if (response.status === 200) {
            const record = jsonOf<{ uri: string }>(response, 'GET');
            return { id: record.uri, url: `https://bsky.app/profile/${session.did}/post/${rkey}` };
          }
          if (response.status === 400 || response.status === 404) return undefined; // RecordNotFound
          throw classify('GET', url, response);
        };

        return async (data) => {
          const job = data as BlueskyJob;
          const outcome = await ledger.deliverOnce({
            entryId: job.entryId,
            contentHash: job.contentHash,
            reconcile: () => existing(job.rkey),
            send: async () => {
              const url = `${base}/xrpc/com.atproto.repo.createRecord`;
              const { response, session } = await authorized(url, {
                json: { repo: (await sessions.session()).did, collection: COLLECTION, rkey: job.rkey, record: job.record },
              });
              if (response.status === 200) {
                const created = jsonOf<{ uri: string }>(response);
                return { id: created.uri, url: `https://bsky.app/profile/${session.did}/post/${job.rkey}` };
              }
              // A PDS answers a taken rkey with an error (500 today): the record may be ours already.
              const found = response.status !== 429 ? await existing(job.rkey) : undefined;
              if (found) return found;
              throw classify('POST', url, response);
            },
          });
          return { status: outcome.status, remote: outcome.remote };
        };
      },
    },
  },
  async publish(feeds, ctx) {
    const cfg = ctx.config;
    return enqueueDeliveries<Config, BlueskyJob>({
      ctx,
      feeds,
      destination: destinationOf(cfg),
      output: `${serviceUrl(cfg)} as ${cfg.identifier}`,
      job: 'post',
      prepare: (entry, feed) => {
        const note = noteFromEntry(entry, feed);
        const linkText = note.link ? shortLinkText(note.link) : undefined;
        const composed = postText(note, cfg, cfg.max_graphemes, graphemeLength, linkText);
        if (!composed.text) return undefined;
        const facets = linkFacets(
          composed.text,
          note.link && composed.linkIndex !== undefined && composed.linkText
            ? { index: composed.linkIndex, text: composed.linkText, uri: note.link }
            : undefined,
        );
        const time = entryTime(entry) ?? ctx.clock.now();
        const record: PostRecord = {
          $type: COLLECTION,
          text: composed.text,
          createdAt: new Date(time).toISOString(),
          langs: cfg.langs,
          ...(facets.length ? { facets } : {}),
          ...(cfg.embed && note.link
            ? {
                embed: {
                  $type: 'app.bsky.embed.external' as const,
                  external: { uri: note.link, title: note.title, description: fitText(note.text, 300, graphemeLength) },
                },
              }
            : {}),
        };
        return {
          contentHash: note.contentHash,
          data: { entryId: entry.id, contentHash: note.contentHash, rkey: tidForEntry(entry.id, entryTime(entry)), record },
        };
      },
    });
  },
});
