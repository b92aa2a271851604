/**
 * A tweet object as the data archive, the Grailbird archive and API v1.1 wrote it, into a
 * TweetRecord. The three are one shape with different spellings: the data archive writes every
 * number as a string and has no `user`; Grailbird has `user` and `retweeted_status` and writes
 * `created_at` as `2008-05-30 12:34:56 +0000` (formats.md §2.1–2.3).
 */
import { decodeHTML } from 'entities';
import { NO_ITEMS, type When } from '../../../pipeline/model.js';
import { parseDate } from '../../../text/dates.js';
import type { TweetMedia, TweetMediaType, TweetRecord, TweetUrl } from './tweet.js';
import { clientName, oldStyleRetweetOf } from './tweet.js';
import { textOfLatin1 } from './js-array.js';

type Json = Record<string, unknown>;

export interface ArchiveTweetContext {
  /** The account the archive belongs to (the data archive has no `user` on its tweets). */
  account?: { screenName?: string; userId?: string; displayName?: string };
  /** Files of the media folder named `<tweetId>-…`, and how to address them later. */
  mediaFiles?: (tweetId: string) => Array<{ name: string; localPath: string }> | undefined;
}

/** A tweet object that cannot become an entry; the message says which field is wrong. */
export class MalformedTweetError extends Error {
  override name = 'MalformedTweetError';
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Words that repeat across an archive (language, client, hashtags, names) as one shared string
 * each, instead of one copy per tweet. Bounded, so a stream of unique words cannot grow it.
 */
const interned = new Map<string, string>();
const MAX_INTERNED = 20_000;

export function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < MAX_INTERNED) interned.set(value, value);
  return value;
}

/**
 * Display forms of links, one string each. They repeat wherever someone links to their own blog
 * (`taro.hatenablog.com/entry/2024/06…`); kept apart from `interned` so that many unique links
 * cannot crowd out the words.
 */
const displayUrls = new Map<string, string>();

function displayUrl(value: string): string {
  const known = displayUrls.get(value);
  if (known !== undefined) return known;
  if (displayUrls.size < MAX_INTERNED) displayUrls.set(value, value);
  return value;
}

/** Strings that repeat, as read from Latin-1 (see js-array.ts), and their text. */
const fromLatin1 = new Map<string, string>();

/**
 * Reads the fields of one tweet object: its strings as they are, or, for an object parsed from
 * Latin-1 (`ArrayElement.latin1`), decoded from UTF-8 as they are taken.
 */
class Fields {
  constructor(private readonly latin1: boolean) {}

  text(value: unknown): string | undefined {
    if (typeof value === 'string') return this.latin1 ? textOfLatin1(value) : value;
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
    return undefined;
  }

  nonEmpty(value: unknown): string | undefined {
    const string = this.text(value)?.trim();
    return string ? string : undefined;
  }

  /** A string that recurs (a word, a link's display form): decoded once, not per tweet. */
  recurring(value: unknown): string | undefined {
    if (typeof value !== 'string' || !this.latin1) return this.nonEmpty(value);
    let string = fromLatin1.get(value);
    if (string === undefined) {
      string = textOfLatin1(value);
      // ASCII is its own text: only what needed decoding is kept.
      if (string !== value && fromLatin1.size < MAX_INTERNED) fromLatin1.set(value, string);
    }
    return string.trim() || undefined;
  }

  word(value: unknown): string | undefined {
    const string = typeof value === 'string' ? this.recurring(value) : undefined;
    return string === undefined ? undefined : intern(string);
  }

  count(value: unknown): number | undefined {
    const string = this.text(value);
    if (string === undefined || !/^\d+$/.test(string)) return undefined;
    return Number(string);
  }
}

const AS_IS = new Fields(false);
const FROM_LATIN1 = new Fields(true);

function exact<T>(items: T[]): readonly T[] {
  return items.length ? items.slice() : NO_ITEMS;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** Twitter ids are snowflakes from late 2010 on: the id itself carries the time. */
const TWITTER_EPOCH_MS = 1288834974657n;
const FIRST_SNOWFLAKE = 29_700_859_247n;

export function snowflakeTime(id: string): When | undefined {
  if (!/^\d{1,20}$/.test(id)) return undefined;
  const value = BigInt(id);
  if (value < FIRST_SNOWFLAKE) return undefined;
  return { epochMs: Number((value >> 22n) + TWITTER_EPOCH_MS), kind: 'zoned', precision: 'second', offsetMinutes: 0 };
}

const TWITTER_TIME = /^(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d\d:\d\d:\d\d \+0000 \d{4}$/;
const WEEKDAYS = 'ThuFriSatSunMonTueWed';
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const DAY_MS = 86_400_000;

/** The number written by two (or four) digits at `at` of a text the pattern has checked. */
function digits(text: string, at: number, count = 2): number {
  let value = 0;
  for (let end = at + count; at < end; at++) value = value * 10 + text.charCodeAt(at) - 48;
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 1) return month === 3 || month === 5 || month === 8 || month === 10 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/**
 * `Sat Jun 01 00:00:00 +0000 2024`, as every tweet of the data archive has it, read at its fixed
 * places; anything else, or a date that does not exist or falls on another weekday, is left to
 * parseDate, whose general parser was a twentieth of an archive's reading time.
 */
export function twitterTime(text: string): When | undefined {
  if (!TWITTER_TIME.test(text)) return undefined;
  const year = digits(text, 26, 4);
  const month = MONTHS.indexOf(text.slice(4, 7)) / 3;
  const day = digits(text, 8);
  const hour = digits(text, 11);
  const minute = digits(text, 14);
  const second = digits(text, 17);
  // Date.UTC reads years 0–99 as 1900–1999.
  if (year < 100 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const epochMs = Date.UTC(year, month, day, hour, minute, second);
  // 1970-01-01 was a Thursday.
  const weekday = (((Math.floor(epochMs / DAY_MS) % 7) + 7) % 7) * 3;
  if (text.slice(0, 3) !== WEEKDAYS.slice(weekday, weekday + 3)) return undefined;
  return { epochMs, kind: 'zoned', precision: 'second', offsetMinutes: 0 };
}

/** The data archive wraps each element as `{ "tweet": { … } }`; early ones did not. */
export function unwrapArchiveElement(element: unknown): Json | undefined {
  if (!isObject(element)) return undefined;
  return isObject(element.tweet) ? element.tweet : element;
}

const STATUS_URL = /^https?:\/\/(?:(?:www|mobile)\.)?(?:twitter|x)\.com\/(?:[A-Za-z0-9_]{1,15}|i(?:\/web)?)\/status(?:es)?\/(\d+)/;

/**
 * `raw` is one tweet object. Throws MalformedTweetError when it has no id, no text or no time;
 * `warn` hears about what was repaired (a time taken from the id).
 */
export function fromArchiveTweet(
  raw: unknown,
  context: ArchiveTweetContext,
  warn?: (message: string) => void,
  /** `raw` was parsed from Latin-1 (`ArrayElement.latin1`): its strings are UTF-8 bytes. */
  latin1 = false,
): TweetRecord {
  const read = latin1 ? FROM_LATIN1 : AS_IS;
  if (!isObject(raw)) throw new MalformedTweetError(`not a tweet object (${raw === null ? 'null' : typeof raw})`);
  const id = read.nonEmpty(raw.id_str) ?? read.nonEmpty(raw.id);
  if (!id || !/^\d+$/.test(id)) throw new MalformedTweetError(`no usable "id_str" or "id" (${JSON.stringify(read.text(raw.id_str) ?? read.text(raw.id) ?? null)})`);
  const user = isObject(raw.user) ? raw.user : undefined;
  const screenName = read.word(user?.screen_name) ?? context.account?.screenName;

  const retweeted = isObject(raw.retweeted_status) ? raw.retweeted_status : undefined;
  // A native retweet's own text is cut at 140 characters; the retweeted tweet has it whole.
  const body = retweeted ?? raw;
  const rawText = read.text(body.full_text) ?? read.text(body.text);
  if (rawText === undefined) throw new MalformedTweetError(`tweet ${id}: no "full_text" or "text"`);
  let tweetText = decodeHTML(rawText);
  const retweetedUser = retweeted && isObject(retweeted.user) ? read.nonEmpty(retweeted.user.screen_name) : undefined;
  if (retweeted && retweetedUser) tweetText = `RT @${retweetedUser}: ${tweetText}`;

  const createdAtText = read.text(raw.created_at);
  let created = (createdAtText !== undefined ? twitterTime(createdAtText) : undefined) ?? parseDate(createdAtText, { defaultZone: 'UTC' });
  if (!created) {
    created = snowflakeTime(id);
    if (!created) throw new MalformedTweetError(`tweet ${id}: "created_at" ${JSON.stringify(createdAtText ?? null)} is not a date`);
    warn?.(`tweet ${id}: "created_at" ${JSON.stringify(createdAtText ?? null)} is not a date; used the time in its id`);
  }

  const entities = isObject(body.entities) ? body.entities : {};
  const outerEntities = isObject(raw.entities) ? raw.entities : {};
  const urls = urlsOf(entities, read);
  const mentions = list(entities.user_mentions)
    .map((mention) => read.word(mention.screen_name))
    .filter((name): name is string => !!name);
  if (retweetedUser && !mentions.some((name) => name.toLowerCase() === retweetedUser.toLowerCase())) mentions.unshift(retweetedUser);
  for (const name of list(outerEntities.user_mentions).map((mention) => read.word(mention.screen_name))) {
    if (name && !mentions.includes(name)) mentions.push(name);
  }
  const hashtags = list(entities.hashtags)
    .map((tag) => read.word(tag.text) ?? read.word(tag.tag))
    .filter((tag): tag is string => !!tag);
  // Arrays grown by push keep spare room; archive-wide that is megabytes, so keep exact copies
  // (and the one shared empty list for an empty one).

  const record: TweetRecord = {
    id,
    created,
    text: tweetText,
    urls: exact(urls),
    mentions: exact(mentions),
    hashtags: exact(hashtags),
    media: mediaOf(id, body, context, read),
  };
  if (screenName) record.screenName = screenName;
  const authorName = read.nonEmpty(user?.name) ?? context.account?.displayName;
  if (authorName) record.authorName = authorName;

  const replyStatus = read.nonEmpty(raw.in_reply_to_status_id_str) ?? read.nonEmpty(raw.in_reply_to_status_id);
  const replyUser = read.nonEmpty(raw.in_reply_to_user_id_str) ?? read.nonEmpty(raw.in_reply_to_user_id);
  const replyName = read.nonEmpty(raw.in_reply_to_screen_name);
  if (replyStatus || replyUser || replyName) {
    record.inReplyTo = {};
    if (replyStatus) record.inReplyTo.statusId = replyStatus;
    if (replyUser) record.inReplyTo.userId = replyUser;
    if (replyName) record.inReplyTo.screenName = replyName;
  }

  if (retweeted) {
    record.retweetOf = {};
    if (retweetedUser) record.retweetOf.screenName = retweetedUser;
    const retweetedId = read.nonEmpty(retweeted.id_str) ?? read.nonEmpty(retweeted.id);
    if (retweetedId) record.retweetOf.id = retweetedId;
  } else {
    // The data archive keeps no retweeted_status: an old-style `RT @user:` text is all there is.
    const oldStyle = oldStyleRetweetOf(tweetText);
    if (oldStyle) record.retweetOf = { screenName: oldStyle };
  }

  const quoted = read.nonEmpty(raw.quoted_status_id_str) ?? urls.map((url) => STATUS_URL.exec(url.expanded_url)?.[1]).find(Boolean);
  if (quoted) record.quotedStatusId = quoted;
  const favorites = read.count(raw.favorite_count);
  if (favorites !== undefined) record.favoriteCount = favorites;
  const retweets = read.count(raw.retweet_count);
  if (retweets !== undefined) record.retweetCount = retweets;
  const lang = read.word(raw.lang);
  if (lang) record.lang = lang;
  const source = typeof raw.source === 'string' ? read.recurring(raw.source) : undefined;
  const client = source ? clientOf(source) : undefined;
  if (client) record.client = client;
  return record;
}

const clients = new Map<string, string | undefined>();

/** The client name of a `source` link, one string per distinct client. */
function clientOf(sourceHtml: string): string | undefined {
  if (clients.has(sourceHtml)) return clients.get(sourceHtml);
  const name = clientName(sourceHtml);
  if (clients.size < 1000) clients.set(sourceHtml, name);
  return name;
}

function urlsOf(entities: Json, read: Fields): TweetUrl[] {
  const urls: TweetUrl[] = [];
  for (const url of list(entities.urls)) {
    const short = read.nonEmpty(url.url);
    if (!short) continue;
    // Before t.co (2008–2011) `url` was the address itself and `expanded_url` often null.
    const expanded = read.nonEmpty(url.expanded_url) ?? short;
    urls.push({ url: short, expanded_url: expanded, display_url: displayUrl(read.recurring(url.display_url) ?? displayForm(expanded)) });
  }
  return urls;
}

function displayForm(url: string): string {
  const bare = url.replace(/^https?:\/\/(?:www\.)?/, '');
  return bare.length > 30 ? `${bare.slice(0, 29)}…` : bare;
}

const MEDIA_TYPES = new Set<TweetMediaType>(['photo', 'video', 'animated_gif']);

function mediaOf(id: string, body: Json, context: ArchiveTweetContext, read: Fields): TweetMedia[] {
  const extended = isObject(body.extended_entities) ? list(body.extended_entities.media) : [];
  const basic = isObject(body.entities) ? list(body.entities.media) : [];
  const items = extended.length ? extended : basic;
  if (!items.length) return [];
  const files = context.mediaFiles?.(id) ?? [];
  const unclaimed = new Set(files.map((file) => file.name));
  const media: TweetMedia[] = [];
  for (const item of items) {
    const type = (read.nonEmpty(item.type) ?? 'photo') as TweetMediaType;
    const entry: TweetMedia = { type: MEDIA_TYPES.has(type) ? type : 'photo' };
    const short = read.nonEmpty(item.url);
    if (short) entry.url = short;
    const image = read.nonEmpty(item.media_url_https) ?? read.nonEmpty(item.media_url);
    if (image) entry.imageUrl = image;
    const alt = read.nonEmpty(item.ext_alt_text);
    if (alt) entry.altText = alt;
    const candidates: string[] = [];
    if (entry.type !== 'photo') {
      const variants = isObject(item.video_info) ? list(item.video_info.variants) : [];
      const playable = variants
        .filter((variant) => read.nonEmpty(variant.content_type) === 'video/mp4' && read.nonEmpty(variant.url))
        .sort((a, b) => (read.count(b.bitrate) ?? 0) - (read.count(a.bitrate) ?? 0));
      const best = playable[0];
      if (best) {
        entry.videoUrl = read.nonEmpty(best.url)!;
        entry.videoType = 'video/mp4';
      }
      for (const variant of playable) candidates.push(baseName(read.nonEmpty(variant.url)!));
    }
    if (image) candidates.push(baseName(image));
    const file = files.find((candidate) => unclaimed.has(candidate.name) && candidates.some((base) => candidate.name.endsWith(`-${base}`)));
    if (file) {
      unclaimed.delete(file.name);
      entry.localPath = file.localPath;
    }
    media.push(entry);
  }
  // Files the names did not explain (a renamed variant) still belong to this tweet, in order.
  for (const item of media) {
    if (item.localPath) continue;
    const next = files.find((file) => unclaimed.has(file.name));
    if (!next) break;
    unclaimed.delete(next.name);
    item.localPath = next.localPath;
  }
  return media;
}

function baseName(url: string): string {
  return url.replace(/[?#].*$/, '').replace(/^.*\//, '');
}
