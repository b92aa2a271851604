/**
 * One tweet, whatever it came from (data archive, Grailbird archive, API v2), in a neutral shape,
 * and its conversion into an Entry. The readers in this folder only fill a TweetRecord; how a
 * tweet looks as an entry (links, title, tags, meta) is decided here, once.
 */
import type { Enclosure, Entry, EntrySource, When } from '../../../pipeline/model.js';
import { NO_ITEMS } from '../../../pipeline/model.js';
import { entryId } from '../../../pipeline/ids.js';
import { deriveTitle, escapeHtml } from '../../../text/html.js';

export interface TweetUrl {
  /** The t.co link as it stands in the text. */
  url: string;
  expanded_url: string;
  display_url: string;
}

export type TweetMediaType = 'photo' | 'video' | 'animated_gif';

export interface TweetMedia {
  type: TweetMediaType;
  /** The t.co link in the text that stands for the media (removed from the rendered text). */
  url?: string;
  /** The picture: the photo itself, or the poster frame of a video. */
  imageUrl?: string;
  /** The best playable variant of a video or GIF. */
  videoUrl?: string;
  videoType?: string;
  /** A file in the archive or on disk (`zip:/abs/archive.zip!data/tweets_media/…`). */
  localPath?: string;
  altText?: string;
}

export interface TweetRecord {
  id: string;
  created: When;
  /** Plain text, HTML entities already decoded (once). */
  text: string;
  screenName?: string;
  authorName?: string;
  urls: readonly TweetUrl[];
  /** Screen names mentioned (as written in the entities), when the source lists them. */
  mentions?: readonly string[];
  /** Hashtags without `#`, when the source lists them. */
  hashtags?: readonly string[];
  media: TweetMedia[];
  inReplyTo?: { statusId?: string; userId?: string; screenName?: string };
  /** A native or old-style (`RT @user:`) retweet. */
  retweetOf?: { screenName?: string; id?: string };
  quotedStatusId?: string;
  favoriteCount?: number;
  retweetCount?: number;
  lang?: string;
  /** The client name (`Twitter Web App`), from the `source` HTML. */
  client?: string;
}

export type TweetKind = 'tweet' | 'reply' | 'retweet';

/** What `entry.meta.twitter` holds; field names follow Twitter's own where one exists. */
export interface TwitterMeta {
  id: string;
  kind: TweetKind;
  screen_name?: string;
  in_reply_to: { status_id?: string; user_id?: string; screen_name?: string } | null;
  /** True for a reply to the account's own tweet: a thread, kept with the tweets. */
  self_thread: boolean;
  retweet: boolean;
  retweeted_user?: string;
  retweeted_status_id?: string;
  quoted_status_id?: string;
  favorite_count?: number;
  retweet_count?: number;
  /** Every t.co link of the text with the address it stands for (media links excluded). */
  urls: readonly TweetUrl[];
  hashtags: readonly string[];
  mentions: readonly string[];
  lang?: string;
  client?: string;
}

export interface TweetEntryOptions {
  /** Source of every entry of the feed (one object shared by all of them). */
  source: EntrySource;
  /** The archive's or API user's own account, to tell a thread from a reply. */
  account?: { screenName?: string; userId?: string };
}

const ACCOUNT_PAGE = 'https://x.com/';

const KIND_TAGS = {
  reply: Object.freeze(['reply']),
  retweet: Object.freeze(['retweet']),
  thread: Object.freeze(['thread']),
} as const;

export function permalink(screenName: string | undefined, id: string): string {
  return screenName ? `${ACCOUNT_PAGE}${screenName}/status/${id}` : `${ACCOUNT_PAGE}i/status/${id}`;
}

export function tweetKind(tweet: TweetRecord, account?: TweetEntryOptions['account']): TweetKind {
  if (tweet.retweetOf) return 'retweet';
  if (tweet.inReplyTo && !isSelfReply(tweet, account)) return 'reply';
  return 'tweet';
}

function isSelfReply(tweet: TweetRecord, account?: TweetEntryOptions['account']): boolean {
  const reply = tweet.inReplyTo;
  if (!reply) return false;
  const ownName = account?.screenName ?? tweet.screenName;
  if (reply.userId && account?.userId) return reply.userId === account.userId;
  return !!ownName && !!reply.screenName && reply.screenName.toLowerCase() === ownName.toLowerCase();
}

/** `RT @hanako: …` at the start of the text: how archives and old clients wrote retweets. */
const OLD_STYLE_RETWEET = /^RT @([A-Za-z0-9_]{1,15}):/;

export function oldStyleRetweetOf(text: string): string | undefined {
  return OLD_STYLE_RETWEET.exec(text)?.[1];
}

export function tweetToEntry(tweet: TweetRecord, options: TweetEntryOptions): Entry {
  const kind = tweetKind(tweet, options.account);
  const selfThread = !!tweet.inReplyTo && kind === 'tweet' && !tweet.retweetOf;
  const rendered = renderTweetText(tweet);
  const reply = tweet.inReplyTo;
  // Whole object literals with every key (undefined ones are left out of JSON): an archive holds
  // a hundred thousand of these, and objects grown key by key cost V8 an extra array each.
  const meta: TwitterMeta = {
    id: tweet.id,
    kind,
    screen_name: tweet.screenName,
    in_reply_to: reply ? { status_id: reply.statusId, user_id: reply.userId, screen_name: reply.screenName } : null,
    self_thread: selfThread,
    retweet: kind === 'retweet',
    retweeted_user: tweet.retweetOf?.screenName,
    retweeted_status_id: tweet.retweetOf?.id,
    quoted_status_id: tweet.quotedStatusId,
    favorite_count: tweet.favoriteCount,
    retweet_count: tweet.retweetCount,
    urls: tweet.urls,
    hashtags: tweet.hashtags ?? NO_ITEMS,
    mentions: tweet.mentions ?? NO_ITEMS,
    lang: tweet.lang,
    client: tweet.client,
  };
  return {
    id: flat(entryId('twitter', { guid: tweet.id })),
    guid: tweet.id,
    title: ownCopy(deriveTitle(rendered.plain) || mediaTitle(tweet.media)),
    link: flat(permalink(tweet.screenName, tweet.id)),
    content: flat(rendered.html + mediaHtml(tweet.media)),
    author: tweet.screenName ?? options.account?.screenName,
    published: tweet.created,
    tags: kind === 'reply' ? KIND_TAGS.reply : kind === 'retweet' ? KIND_TAGS.retweet : selfThread ? KIND_TAGS.thread : NO_ITEMS,
    enclosures: tweet.media.length ? tweet.media.map(toEnclosure).filter((enclosure): enclosure is Enclosure => !!enclosure) : NO_ITEMS,
    source: options.source,
    via: NO_ITEMS,
    parts: NO_ITEMS,
    meta: { twitter: meta },
  };
}

/**
 * One flat run of characters: content is built by many concatenations, and the tree of pieces
 * V8 keeps for them costs more than the text.
 */
function flat(value: string): string {
  // Reading a character makes V8 copy the pieces into one string and drop the tree.
  value.charCodeAt(0);
  return value;
}

/**
 * A string that holds only its own characters. A title is usually a slice of the tweet's whole
 * plain text, and V8 keeps a slice as a pointer into that text: 10 MB of otherwise dead text over
 * a 100,000-tweet archive. Cut in two and joined again, it is copied into a string of its own
 * length; slicing a copy instead would keep a slice's header (32 bytes a tweet) on top of it.
 */
function ownCopy(value: string): string {
  return value.length < 2 ? value : flat(value.slice(0, 1) + value.slice(1));
}

function mediaTitle(media: TweetMedia[]): string {
  const first = media[0];
  if (!first) return '';
  return first.type === 'photo' ? 'Photo' : first.type === 'video' ? 'Video' : 'GIF';
}

function toEnclosure(media: TweetMedia): Enclosure | undefined {
  const url = media.type === 'photo' ? media.imageUrl : (media.videoUrl ?? media.imageUrl);
  if (!url) return undefined;
  const enclosure: Enclosure = { url };
  const type = media.type === 'photo' || !media.videoUrl ? imageType(url) : (media.videoType ?? 'video/mp4');
  if (type) enclosure.type = type;
  if (media.localPath) enclosure.localPath = media.localPath;
  if (media.altText) enclosure.title = media.altText;
  return enclosure;
}

const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

function imageType(url: string): string | undefined {
  const extension = /\.([A-Za-z0-9]+)(?:[?#:]|$)/.exec(url.replace(/^.*\//, ''))?.[1]?.toLowerCase();
  return extension ? IMAGE_TYPES[extension] : undefined;
}

function mediaHtml(media: TweetMedia[]): string {
  let html = '';
  for (const item of media) {
    const alt = escapeHtml(item.altText ?? '');
    if (item.type === 'photo' && item.imageUrl) {
      html += `<p><img src="${escapeHtml(item.imageUrl)}" alt="${alt}"></p>`;
    } else if (item.videoUrl) {
      const poster = item.imageUrl ? ` poster="${escapeHtml(item.imageUrl)}"` : '';
      html += `<p><video src="${escapeHtml(item.videoUrl)}"${poster} controls></video></p>`;
    } else if (item.imageUrl) {
      html += `<p><img src="${escapeHtml(item.imageUrl)}" alt="${alt}"></p>`;
    }
  }
  return html;
}

export interface RenderedTweet {
  /** `<p>` with links for URLs, mentions and hashtags; line breaks as `<br>`. */
  html: string;
  /** The text as a reader sees it: t.co links shown as their display form, media links dropped. */
  plain: string;
}

const HASHTAG_CHAR = String.raw`[\p{L}\p{M}\p{N}_\u30FC\u00B7]`;
/** Any http(s) URL in the text: t.co links, pre-t.co tweets, tweets whose entities are missing. */
const ANY_URL = String.raw`(https?:\/\/[^\s<>"'\u3000-\u303F\uFF01-\uFF5E]+)`;
const MENTION = String.raw`(?<![\p{L}\p{N}_@＠])[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@])`;
const HASHTAG = String.raw`(?<![\p{L}\p{N}_&#＃])[#＃](${HASHTAG_CHAR}*[\p{L}\p{M}]${HASHTAG_CHAR}*)`;
/**
 * One pattern for every tweet, compiled once: a per-tweet pattern with these Unicode classes
 * costs milliseconds to compile, which at archive scale is most of the import.
 */
const TOKENS = new RegExp(`${ANY_URL}|${MENTION}|${HASHTAG}`, 'gu');

/**
 * Links t.co URLs (to the address they stand for, showing its display form), mentions and
 * hashtags. Works by string matching, not by the entity indices, which count code points of a
 * text we no longer hold exactly (emoji are two UTF-16 units; the text was HTML-escaped). One
 * pass, and no per-tweet lookup tables: a tweet lists a handful of links, mentions and tags.
 */
export function renderTweetText(tweet: Pick<TweetRecord, 'text' | 'urls' | 'media' | 'mentions' | 'hashtags'>): RenderedTweet {
  let html = '';
  let plain = '';
  let last = 0;
  const text = tweet.text;
  // Only a removed media link or spaces at the ends of the text leave spaces or `<br>` at the
  // ends of the HTML: otherwise it is not trimmed, and so not copied, until it is whole.
  let trim = EDGE_SPACE.test(text);
  TOKENS.lastIndex = 0;
  for (let match = TOKENS.exec(text); match; match = TOKENS.exec(text)) {
    if (match.index > last) {
      const before = text.slice(last, match.index);
      html += escapeText(before);
      plain += before;
    }
    last = TOKENS.lastIndex;
    const link = match[1];
    if (link !== undefined) {
      // The link the source listed, even when the text glues words to it (`…/AbCdEf1234です`):
      // the longest that starts the link; a media link only if no other is as long.
      let known: string | undefined;
      let url: TweetUrl | undefined;
      const at = match.index;
      for (const candidate of tweet.urls) {
        if (!text.startsWith(candidate.url, at)) continue;
        if (!known || candidate.url.length > known.length) known = candidate.url;
        // Of several entries for one link, the last one is taken.
        if (candidate.url === known) url = candidate;
      }
      for (const media of tweet.media) {
        if (media.url !== undefined && (!known || media.url.length > known.length) && text.startsWith(media.url, at)) {
          known = media.url;
          url = undefined;
        }
      }
      const glued = known && known.length < link.length ? link.slice(known.length) : '';
      if (known && url) {
        html += `<a href="${escapeHtml(url.expanded_url)}">${escapeHtml(url.display_url)}</a>${escapeText(glued)}`;
        plain += url.display_url + glued;
      } else if (known) {
        // A media link: the media follow the text as images or videos.
        trim = true;
        html = html.replace(/[ \t]+$/, '') + escapeText(glued);
        plain = plain.replace(/[ \t]+$/, '') + glued;
      } else {
        const { link: bare, trailing } = splitTrailingPunctuation(link);
        html += `<a href="${escapeHtml(bare)}">${escapeHtml(bare)}</a>${escapeText(trailing)}`;
        plain += link;
      }
      continue;
    }
    const whole = match[0];
    const mention = match[2];
    if (mention !== undefined) {
      html += isKnownMention(tweet.mentions, mention) ? `<a href="${ACCOUNT_PAGE}${mention}">${whole}</a>` : whole;
      plain += whole;
      continue;
    }
    const hashtag = match[3]!;
    // The source's own list decides where a hashtag ends (`#梅雨入り` may list `梅雨入り` or `梅雨`).
    const tagLength = tweet.hashtags ? longestKnownTagLength(tweet.hashtags, hashtag) : hashtag.length;
    if (tagLength) {
      const tag = tagLength === hashtag.length ? hashtag : hashtag.slice(0, tagLength);
      // Letters, marks, digits and `_ー·`: nothing in a hashtag to escape.
      html += `<a href="${hashtagPage(tag)}">${whole[0]! + tag}</a>`;
      if (tagLength < hashtag.length) html += escapeText(hashtag.slice(tagLength));
    } else {
      html += escapeText(whole);
    }
    plain += whole;
  }
  const rest = last ? text.slice(last) : text;
  html += escapeText(rest);
  plain += rest;
  if (!trim) return { html: `<p>${html}</p>`, plain };
  html = html.trim();
  while (html.endsWith('<br>')) html = html.slice(0, -'<br>'.length);
  return { html: `<p>${html}</p>`, plain: plain.trim() };
}

/** A mention is a screen name (`[A-Za-z0-9_]`): nothing in it to escape, only case to ignore. */
function isKnownMention(mentions: readonly string[] | undefined, mention: string): boolean {
  if (!mentions) return true;
  if (mentions.includes(mention)) return true;
  const lower = mention.toLowerCase();
  return mentions.some((name) => name.toLowerCase() === lower);
}

/**
 * How long the longest listed tag that starts `hashtag` is (the first of equally long ones),
 * ignoring case. Most tags are listed as written: those are found without lowercasing anything.
 */
function longestKnownTagLength(tags: readonly string[], hashtag: string): number | undefined {
  let lower: string | undefined;
  let found: number | undefined;
  for (const tag of tags) {
    if (found !== undefined && tag.length <= found) continue;
    if (hashtag.startsWith(tag) || (lower ??= hashtag.toLowerCase()).startsWith(tag.toLowerCase())) found = tag.length;
  }
  return found;
}

const hashtagPages = new Map<string, string>();
const MAX_HASHTAG_PAGES = 20_000;

/** `https://x.com/hashtag/%E6%97%A5%E8%A8%98`, made once per tag: the same tags recur all through an archive. */
function hashtagPage(tag: string): string {
  let page = hashtagPages.get(tag);
  if (page === undefined) {
    page = `${ACCOUNT_PAGE}hashtag/${encodeURIComponent(tag)}`;
    if (hashtagPages.size < MAX_HASHTAG_PAGES) hashtagPages.set(tag, page);
  }
  return page;
}

const EDGE_SPACE = /^\s|\s$/;

/**
 * Whether a piece of text holds `"&'<>` or a line break. A loop over a few dozen characters,
 * run several times per tweet, takes a fraction of what entering a regular expression does.
 */
function needsEscape(text: string): boolean {
  for (let at = 0; at < text.length; at++) {
    const unit = text.charCodeAt(at);
    if (unit <= 0x3e && (unit === 0x3c || unit === 0x26 || unit === 0x0a || unit === 0x22 || unit === 0x27 || unit === 0x3e)) return true;
  }
  return false;
}

function escapeText(text: string): string {
  return needsEscape(text) ? escapeHtml(text).replace(/\r?\n/g, '<br>') : text;
}

/** `(see https://example.com/a).` — the closing `).` belongs to the sentence, not the URL. */
function splitTrailingPunctuation(url: string): { link: string; trailing: string } {
  const match = /[.,;:!?)\]}'"、。」）]+$/.exec(url);
  if (!match) return { link: url, trailing: '' };
  let cut = match.index;
  // Keep a closing parenthesis that closes one opened inside the URL (Wikipedia links).
  if (url.slice(cut).startsWith(')') && (url.slice(0, cut).match(/\(/g)?.length ?? 0) > (url.slice(0, cut).match(/\)/g)?.length ?? 0)) {
    cut += 1;
  }
  return { link: url.slice(0, cut), trailing: url.slice(cut) };
}

/** `<a href="…" rel="nofollow">Twitter Web App</a>` → `Twitter Web App`. */
export function clientName(sourceHtml: string | undefined): string | undefined {
  if (!sourceHtml) return undefined;
  const name = sourceHtml.replace(/<[^>]*>/g, '').trim();
  return name || undefined;
}
