/**
 * Source::Mixi — the user's own mixi diary (and optionally friends' diaries and echo/voice),
 * scraped with the user's own session, as Plagger's CustomFeed::Mixi and ::MixiScraper did
 * (plagger.md §4.1, formats.md §3). Markup lives in mixi/eras.ts; manners in mixi/session.ts.
 */
import { homedir } from 'node:os';
import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';
import { makeFeed, type Entry, type EntrySource, type Feed } from '../../pipeline/model.js';
import type { PluginContext } from '../../pipeline/context.js';
import { sha256Hex } from '../../pipeline/ids.js';
import { readCookiesTxtFile } from './mixi/cookies-txt.js';
import { MIXI_PAGES } from './mixi/eras.js';
import { diaryEntry, voiceEntry } from './mixi/entries.js';
import { scrapeDiaryList, scrapeDiaryPage, scrapeVoiceList, type DiaryPage, type DiaryRow } from './mixi/scrape.js';
import { hasCookiesFor, MixiEncodingError, MixiSession, MixiSessionError } from './mixi/session.js';

const PLUGIN_NAME = 'Source::Mixi';
const DEFAULT_DELAY_SECONDS = 2;

/** Plagger's `feed_type` names, and our own lower-case ones. */
const FEED_TYPE_NAMES: Record<string, FeedType> = {
  mydiary: 'diary',
  diary: 'diary',
  frienddiary: 'friend_diary',
  friend_diary: 'friend_diary',
  echo: 'echo',
  voice: 'voice',
};
type FeedType = 'diary' | 'friend_diary' | 'echo' | 'voice';

const feedTypeSchema = z
  .string()
  .transform((name, ctx) => {
    const type = FEED_TYPE_NAMES[name.toLowerCase()];
    if (!type) {
      ctx.addIssue({ code: 'custom', message: `unknown feed_type "${name}" (MyDiary, FriendDiary, Echo or Voice)` });
      return z.NEVER;
    }
    return type;
  });

const configSchema = z
  .object({
    /** mixi's address; tests and mirrors point it elsewhere. */
    base_url: z.url().default('https://mixi.jp/'),
    /** Member id whose diary is read (`list_diary.pl?id=`). Without it, the logged-in member's own. */
    owner_id: z.union([z.string().regex(/^\d+$/, 'owner_id is the number in list_diary.pl?id='), z.number().int()]).transform(String).optional(),
    /** A Netscape cookies.txt exported from a browser that is logged in to mixi. */
    cookies: z.string().min(1).optional(),
    /** Login form credentials, for recipes that take them from the environment (`${MIXI_EMAIL}`). */
    email: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    feed_type: z.union([feedTypeSchema, z.array(feedTypeSchema).min(1)]).default(['diary']).transform((v) => (Array.isArray(v) ? v : [v])),
    /** Rows taken from the lists (Plagger's default: 20). */
    fetch_items: z.coerce.number().int().positive().default(20),
    /** Diary list pages read (`&page=2`…). */
    list_pages: z.coerce.number().int().positive().default(1),
    /** Open each own diary page for its body, photos and comments. */
    fetch_body: z.boolean().default(true),
    /** Open friends' diary pages too. Off by default: every visit leaves a footprint on the friend's page. */
    fetch_friend_body: z.boolean().default(false),
    /** Seconds between requests (Plagger: fetch_body_interval). */
    // Numbers may come from the environment as text (`delay: ${MIXI_DELAY:-2}`).
    delay: z.coerce.number().min(0).optional(),
    fetch_body_interval: z.coerce.number().min(0).optional(),
    /** Hours a fetched diary page is reused. */
    cache_hours: z.coerce.number().min(0).default(12),
  })
  .superRefine((config, ctx) => {
    if (!config.cookies && !(config.email && config.password)) {
      ctx.addIssue({ code: 'custom', message: 'give `cookies` (a cookies.txt exported from your browser) or `email` and `password`' });
    }
    if (config.feed_type.some((t) => t === 'echo' || t === 'voice') && !config.owner_id) {
      ctx.addIssue({ code: 'custom', path: ['owner_id'], message: 'feed_type Echo/Voice needs owner_id (the member whose rows are read)' });
    }
  });

type MixiConfig = z.output<typeof configSchema>;

export default definePlugin({
  phase: 'source',
  name: PLUGIN_NAME,
  aliases: ['CustomFeed::Mixi', 'CustomFeed::MixiScraper'],
  description: "mixi diary (own and friends') and echo/voice, scraped with your own session (cookies.txt or login)",
  config: configSchema,
  subscriptions: (config) => [{ url: new URL(MIXI_PAGES.diaryList, config.base_url).href, tags: [], config }],
  async fetch(_subscription, ctx) {
    const config = ctx.config;
    const session = await openSession(ctx);
    const feeds: Feed[] = [];
    try {
      for (const type of new Set(config.feed_type)) {
        if (type === 'diary') feeds.push(await diaryFeed(session, ctx));
        else if (type === 'friend_diary') feeds.push(await friendDiaryFeed(session, ctx));
        else feeds.push(await voiceFeed(session, ctx, type));
      }
    } finally {
      await session.persist();
    }
    ctx.log.info({ requests: session.requests }, 'mixi: done');
    return feeds;
  },
});

async function openSession(ctx: PluginContext<MixiConfig>): Promise<MixiSession> {
  const config = ctx.config;
  const common = {
    baseUrl: config.base_url,
    delayMs: delayMs(config),
    cacheTtlMs: config.cache_hours * 3_600_000,
    account: accountKey(config),
  };
  if (config.cookies) {
    // `~/` as a shell would read it: recipes name the cookies file the way users type it.
    const file = ctx.resolvePath(config.cookies.replace(/^~(?=\/|$)/, homedir()));
    const { jar, warnings } = await readCookiesTxtFile(file);
    for (const warning of warnings) ctx.log.warn(warning);
    if (!(await hasCookiesFor(jar, config.base_url))) {
      if (!(config.email && config.password)) {
        throw new MixiSessionError(
          `mixi: session expired; export a new cookies.txt (${file} has no unexpired cookie for ${new URL(config.base_url).host})`,
        );
      }
      return MixiSession.withStoredLogin(ctx, { ...common, credentials: { email: config.email, password: config.password } });
    }
    return new MixiSession(ctx, {
      ...common,
      jar,
      cookiesFile: file,
      ...(config.email && config.password ? { credentials: { email: config.email, password: config.password } } : {}),
    });
  }
  return MixiSession.withStoredLogin(ctx, { ...common, credentials: { email: config.email!, password: config.password! } });
}

/** Seconds between requests: `delay`, else Plagger's `fetch_body_interval`, else 2 s. */
export function delayMs(config: Pick<MixiConfig, 'delay' | 'fetch_body_interval'>): number {
  return (config.delay ?? config.fetch_body_interval ?? DEFAULT_DELAY_SECONDS) * 1000;
}

function accountKey(config: MixiConfig): string {
  return config.owner_id ?? sha256Hex(config.email ?? config.cookies ?? '').slice(0, 16);
}

function source(ctx: PluginContext<MixiConfig>, feedId: string, feedTitle: string, feedLink: string): EntrySource {
  return {
    plugin: PLUGIN_NAME,
    feedId,
    feedTitle,
    feedLink,
    ...(ctx.config.owner_id ? { account: ctx.config.owner_id } : {}),
    service: 'mixi',
  };
}

// ─── own diary ───────────────────────────────────────────────────────────────────────────────

/** What is remembered of each diary between runs: the list row as last seen, and the page read for it. */
interface DiaryMemo {
  fingerprint: string;
  page: DiaryPage;
  era: string;
}

const MEMO_NAMESPACE = 'mixi';
/** Memos outlive the page cache: an unchanged row is never fetched again, however old. */
const MEMO_TTL_MS = 400 * 24 * 3_600_000;

async function diaryFeed(session: MixiSession, ctx: PluginContext<MixiConfig>): Promise<Feed> {
  const config = ctx.config;
  const query = config.owner_id ? `?id=${config.owner_id}` : '';
  const listPath = `${MIXI_PAGES.diaryList}${query}`;
  const warnings: string[] = [];
  const rows: DiaryRow[] = [];
  let listUrl = session.absolute(listPath);
  let era: string | undefined;
  for (let page = 1; page <= config.list_pages && rows.length < config.fetch_items; page++) {
    const path = page === 1 ? listPath : `${listPath}${query ? '&' : '?'}page=${page}`;
    const fetched = await session.page(path, { cache: false });
    warnings.push(...fetched.notes);
    if (page === 1) listUrl = fetched.url;
    const scraped = scrapeDiaryList(fetched.html, { url: fetched.url, where: fetched.url });
    era ??= scraped.era;
    warnings.push(...scraped.warnings);
    rows.push(...scraped.value);
  }
  const fetchedAt = ctx.clock.now();
  const feedId = `mixi:diary:${config.owner_id ?? accountKey(config)}`;
  const entries: Entry[] = [];
  let ownerName: string | undefined;
  for (const row of rows.slice(0, config.fetch_items)) {
    if (!row.diaryId) {
      warnings.push(`${listUrl}: row "${row.title}" links to ${row.link}, which has no diary id; skipped`);
      continue;
    }
    const page = config.fetch_body ? await diaryPage(session, ctx, row, warnings) : undefined;
    ownerName ??= page?.page.ownerName;
    const built = diaryEntry({
      diaryId: row.diaryId,
      ...(row.ownerId ? { ownerId: row.ownerId } : {}),
      link: row.link,
      row,
      ...(page ? { page: page.page, era: page.era } : era ? { era } : {}),
      fetchedAt,
      source: { ...source(ctx, feedId, '', listUrl), ...(row.ownerId ? { account: row.ownerId } : {}) },
    });
    warnings.push(...built.warnings);
    entries.push(built.entry);
  }
  const title = ownerName ? `${ownerName}の日記` : 'mixi diary';
  for (const entry of entries) entry.source.feedTitle = title;
  return makeFeed({ id: feedId, type: 'mixi', title, link: listUrl, url: listUrl, language: 'ja', entries, meta: { warnings, mixi: { era } } });
}

/**
 * The diary page for a list row, without visiting mixi when the row is as it was last run (same
 * title, date, comment count and photos): the page read then is reused, however long ago.
 */
async function diaryPage(
  session: MixiSession,
  ctx: PluginContext<MixiConfig>,
  row: DiaryRow,
  warnings: string[],
): Promise<{ page: DiaryPage; era: string } | undefined> {
  const memoKey = `${accountKey(ctx.config)}|diary|${row.diaryId}`;
  const fingerprint = sha256Hex(JSON.stringify([row.link, row.title, row.dateText, row.commentCount ?? null, row.thumbnails]));
  const memo = await ctx.store.get<DiaryMemo>(MEMO_NAMESPACE, memoKey);
  if (memo?.fingerprint === fingerprint) return { page: memo.page, era: memo.era };
  let fetched;
  try {
    fetched = await session.page(row.link, { cache: true });
  } catch (error) {
    if (error instanceof MixiSessionError) throw error;
    // A deleted diary (404) or a page that lies about its encoding: keep the list row's entry
    // and say so; the memo is not written, so the next run tries the page again.
    const reason = error instanceof MixiEncodingError ? error.message : (error as Error).message;
    warnings.push(`${reason}; entry kept from the list row only`);
    return undefined;
  }
  warnings.push(...fetched.notes);
  const scraped = scrapeDiaryPage(fetched.html, { url: fetched.url, where: fetched.url });
  warnings.push(...scraped.warnings);
  // A changed row answered from the page cache is not yet seen fresh: leave the memo as it was,
  // so that the page is fetched once the cache has expired.
  if (!fetched.fromCache || !memo) {
    await ctx.store.set(MEMO_NAMESPACE, memoKey, { fingerprint, page: scraped.value, era: scraped.era } satisfies DiaryMemo, MEMO_TTL_MS);
  }
  return { page: scraped.value, era: scraped.era };
}

// ─── friends' diaries ────────────────────────────────────────────────────────────────────────

async function friendDiaryFeed(session: MixiSession, ctx: PluginContext<MixiConfig>): Promise<Feed> {
  const config = ctx.config;
  const fetched = await session.page(MIXI_PAGES.friendDiaryList, { cache: false });
  const scraped = scrapeDiaryList(fetched.html, { url: fetched.url, where: fetched.url }, 'friendDiaryList');
  const warnings = [...fetched.notes, ...scraped.warnings];
  const fetchedAt = ctx.clock.now();
  const feedId = `mixi:friend-diary:${accountKey(config)}`;
  const title = 'マイミク最新日記';
  const entries: Entry[] = [];
  for (const row of scraped.value.slice(0, config.fetch_items)) {
    // mixi lists friends' outside blogs among their diaries; those are read from the blog's own feed.
    if (row.external || !row.diaryId) continue;
    const page = config.fetch_friend_body ? await diaryPage(session, ctx, row, warnings) : undefined;
    const built = diaryEntry({
      diaryId: row.diaryId,
      ...(row.ownerId ? { ownerId: row.ownerId } : {}),
      link: row.link,
      row,
      ...(page ? { page: page.page, era: page.era } : { era: scraped.era }),
      fetchedAt,
      source: { ...source(ctx, feedId, title, fetched.url), ...(row.ownerId ? { account: row.ownerId } : {}) },
    });
    warnings.push(...built.warnings);
    entries.push(built.entry);
  }
  return makeFeed({ id: feedId, type: 'mixi', title, link: fetched.url, url: fetched.url, language: 'ja', entries, meta: { warnings, mixi: { era: scraped.era } } });
}

// ─── echo / voice ────────────────────────────────────────────────────────────────────────────

async function voiceFeed(session: MixiSession, ctx: PluginContext<MixiConfig>, type: 'echo' | 'voice'): Promise<Feed> {
  const owner = ctx.config.owner_id!;
  const path = type === 'echo' ? `${MIXI_PAGES.echoList}?id=${owner}` : `${MIXI_PAGES.voiceList}?owner_id=${owner}`;
  const fetched = await session.page(path, { cache: false });
  const scraped = scrapeVoiceList(fetched.html, { url: fetched.url, where: fetched.url });
  const warnings = [...fetched.notes, ...scraped.warnings];
  const feedId = `mixi:${type}:${owner}`;
  const rows = scraped.value.slice(0, ctx.config.fetch_items);
  const name = rows[0]?.name;
  const title = name ? `${name}の${type === 'echo' ? 'エコー' : 'ボイス'}` : `mixi ${type}`;
  const entries = rows.map((row) => {
    const built = voiceEntry(row, source(ctx, feedId, title, fetched.url));
    warnings.push(...built.warnings);
    return built.entry;
  });
  return makeFeed({ id: feedId, type: 'mixi', title, link: fetched.url, url: fetched.url, language: 'ja', entries, meta: { warnings, mixi: { era: scraped.era } } });
}
