/**
 * A post from X API v2 (`GET /2/users/:id/tweets` with expansions) into a TweetRecord. v2 splits
 * what v1.1 nested: the media, the retweeted tweet and the users come in `includes`, joined by
 * key. The text is HTML-escaped as in v1.1 (formats.md §2.4).
 */
import { decodeHTML } from 'entities';
import { parseDate } from '../../../text/dates.js';
import { MalformedTweetError } from './archive-tweet.js';
import type { TweetMedia, TweetMediaType, TweetRecord, TweetUrl } from './tweet.js';

export interface V2Entities {
  urls?: Array<{ url?: string; expanded_url?: string; display_url?: string; media_key?: string }>;
  mentions?: Array<{ username?: string; id?: string }>;
  hashtags?: Array<{ tag?: string }>;
}

export interface V2Tweet {
  id?: string;
  text?: string;
  created_at?: string;
  author_id?: string;
  lang?: string;
  in_reply_to_user_id?: string;
  referenced_tweets?: Array<{ type?: string; id?: string }>;
  attachments?: { media_keys?: string[] };
  entities?: V2Entities;
  public_metrics?: { retweet_count?: number; like_count?: number; reply_count?: number; quote_count?: number };
  note_tweet?: { text?: string; entities?: V2Entities };
}

export interface V2Media {
  media_key?: string;
  type?: string;
  url?: string;
  preview_image_url?: string;
  alt_text?: string;
  variants?: Array<{ bit_rate?: number; content_type?: string; url?: string }>;
}

export interface V2User {
  id?: string;
  username?: string;
  name?: string;
}

export interface V2Includes {
  media?: V2Media[];
  tweets?: V2Tweet[];
  users?: V2User[];
}

/** `includes` indexed by key, built once per page. */
export class V2Lookup {
  readonly media = new Map<string, V2Media>();
  readonly tweets = new Map<string, V2Tweet>();
  readonly users = new Map<string, V2User>();

  constructor(includes: V2Includes | undefined) {
    for (const media of includes?.media ?? []) if (media.media_key) this.media.set(media.media_key, media);
    for (const tweet of includes?.tweets ?? []) if (tweet.id) this.tweets.set(tweet.id, tweet);
    for (const user of includes?.users ?? []) if (user.id) this.users.set(user.id, user);
  }
}

function urlsOf(entities: V2Entities | undefined): { urls: TweetUrl[]; mediaLinks: Set<string> } {
  const urls: TweetUrl[] = [];
  const mediaLinks = new Set<string>();
  for (const url of entities?.urls ?? []) {
    if (!url.url) continue;
    // v2 lists the media link among the URLs, marked with its media key.
    if (url.media_key) {
      mediaLinks.add(url.url);
      continue;
    }
    const expanded = url.expanded_url ?? url.url;
    urls.push({ url: url.url, expanded_url: expanded, display_url: url.display_url ?? expanded.replace(/^https?:\/\//, '') });
  }
  return { urls, mediaLinks };
}

function mediaOf(tweet: V2Tweet, lookup: V2Lookup, mediaLinks: Set<string>): TweetMedia[] {
  const link = [...mediaLinks][0];
  const media: TweetMedia[] = [];
  for (const key of tweet.attachments?.media_keys ?? []) {
    const item = lookup.media.get(key);
    if (!item) continue;
    const type = (['photo', 'video', 'animated_gif'].includes(item.type ?? '') ? item.type : 'photo') as TweetMediaType;
    const entry: TweetMedia = { type };
    if (link) entry.url = link;
    const image = item.url ?? item.preview_image_url;
    if (image) entry.imageUrl = image;
    if (item.alt_text) entry.altText = item.alt_text;
    const best = (item.variants ?? [])
      .filter((variant) => variant.content_type === 'video/mp4' && variant.url)
      .sort((a, b) => (b.bit_rate ?? 0) - (a.bit_rate ?? 0))[0];
    if (type !== 'photo' && best?.url) {
      entry.videoUrl = best.url;
      entry.videoType = 'video/mp4';
    }
    media.push(entry);
  }
  return media;
}

/** The text and entities a reader should see: a long post's note text when there is one. */
function bodyOf(tweet: V2Tweet): { text: string | undefined; entities: V2Entities | undefined } {
  if (tweet.note_tweet?.text) return { text: tweet.note_tweet.text, entities: tweet.note_tweet.entities ?? tweet.entities };
  return { text: tweet.text, entities: tweet.entities };
}

export function fromV2Tweet(tweet: V2Tweet, lookup: V2Lookup, account: { screenName?: string; userId?: string }): TweetRecord {
  if (!tweet.id || !/^\d+$/.test(tweet.id)) throw new MalformedTweetError(`no usable "id" (${JSON.stringify(tweet.id ?? null)})`);
  const created = parseDate(tweet.created_at, { defaultZone: 'UTC' });
  if (!created) throw new MalformedTweetError(`post ${tweet.id}: "created_at" ${JSON.stringify(tweet.created_at ?? null)} is not a date`);

  const retweetRef = tweet.referenced_tweets?.find((ref) => ref.type === 'retweeted');
  const retweeted = retweetRef?.id ? lookup.tweets.get(retweetRef.id) : undefined;
  const retweetedUser = retweeted?.author_id ? lookup.users.get(retweeted.author_id)?.username : undefined;
  // A retweet's own text is cut short; the retweeted post in `includes` has it whole.
  const source = retweeted && retweetedUser ? retweeted : tweet;
  const body = bodyOf(source);
  if (body.text === undefined) throw new MalformedTweetError(`post ${tweet.id}: no "text"`);
  let text = decodeHTML(body.text);
  if (source !== tweet) text = `RT @${retweetedUser}: ${text}`;

  const { urls, mediaLinks } = urlsOf(body.entities);
  const mentions = (body.entities?.mentions ?? []).map((mention) => mention.username).filter((name): name is string => !!name);
  if (retweetedUser && source !== tweet) mentions.unshift(retweetedUser);
  const hashtags = (body.entities?.hashtags ?? []).map((tag) => tag.tag).filter((tag): tag is string => !!tag);

  const author = tweet.author_id ? lookup.users.get(tweet.author_id) : undefined;
  const record: TweetRecord = {
    id: tweet.id,
    created,
    text,
    urls,
    mentions,
    hashtags,
    media: mediaOf(source, lookup, mediaLinks),
  };
  const screenName = author?.username ?? account.screenName;
  if (screenName) record.screenName = screenName;
  if (author?.name) record.authorName = author.name;

  const replyRef = tweet.referenced_tweets?.find((ref) => ref.type === 'replied_to');
  if (replyRef?.id || tweet.in_reply_to_user_id) {
    record.inReplyTo = {};
    if (replyRef?.id) record.inReplyTo.statusId = replyRef.id;
    if (tweet.in_reply_to_user_id) {
      record.inReplyTo.userId = tweet.in_reply_to_user_id;
      const repliedUser = lookup.users.get(tweet.in_reply_to_user_id)?.username;
      if (repliedUser) record.inReplyTo.screenName = repliedUser;
      else if (tweet.in_reply_to_user_id === account.userId && account.screenName) record.inReplyTo.screenName = account.screenName;
    }
  }
  if (retweetRef) {
    record.retweetOf = {};
    if (retweetedUser) record.retweetOf.screenName = retweetedUser;
    if (retweetRef.id) record.retweetOf.id = retweetRef.id;
  }
  const quoteRef = tweet.referenced_tweets?.find((ref) => ref.type === 'quoted');
  if (quoteRef?.id) record.quotedStatusId = quoteRef.id;
  if (typeof tweet.public_metrics?.like_count === 'number') record.favoriteCount = tweet.public_metrics.like_count;
  if (typeof tweet.public_metrics?.retweet_count === 'number') record.retweetCount = tweet.public_metrics.retweet_count;
  if (tweet.lang) record.lang = tweet.lang;
  return record;
}
