/**
 * Filter::NitterLinks — entries read from a Nitter-like RSS bridge made to look like tweets:
 * links back to `https://x.com/USER/status/ID` (without `#m`), pictures back to pbs.twimg.com,
 * `RT by @user:` / `R to @user:` / `Pinned:` read from the title into tags and stripped, and
 * `meta.twitter` filled as the other Twitter sources fill it, so merge and dedupe see one tweet.
 */
import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';
import { entryId } from '../../pipeline/ids.js';
import type { EntrySource } from '../../pipeline/model.js';
import type { TwitterMeta } from '../source/twitter/tweet.js';
import type { NitterHosts } from '../source/twitter/nitter.js';
import {
  nitterHosts,
  nitterStatus,
  outboundLinks,
  parseNitterTitle,
  rewriteInstanceLinks,
  rewriteInstanceUrl,
  xStatusUrl,
} from '../source/twitter/nitter.js';

const hostSchema = z
  .string()
  .transform((value) => value.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9.-]+(?::\d+)?$/, 'a host name such as nitter.example.org'));

export default definePlugin({
  name: 'Filter::NitterLinks',
  aliases: ['Filter::Nitter'],
  phase: 'filter',
  description: 'Turns Nitter RSS items into tweets: x.com links, RT/reply/pinned tags from the title prefix, meta.twitter',
  config: z
    .object({
      instances: z.array(hostSchema).default([]).describe('Instance hosts besides the built-in list (nitter.net, xcancel.com, nitter.* …)'),
      builtin_instances: z.boolean().default(true).describe('Also treat the built-in list and any nitter.* host as instances'),
      tweet_ids: z
        .boolean()
        .default(true)
        .describe('Give the entry the id a tweet has in Source::TwitterArchive/TwitterAPI (twitter#ID), so the same tweet dedupes across sources'),
    })
    .strict(),
  entry(entry, _feed, ctx) {
    const hosts = nitterHosts(ctx.config.instances, ctx.config.builtin_instances);
    const status = nitterStatus(entry.link, hosts) ?? nitterStatus(entry.guid, hosts);
    if (!status) return entry;

    const originalLink = entry.link;
    const title = parseNitterTitle(entry.title);
    const link = xStatusUrl(status);
    const tags = [...entry.tags];
    for (const mark of title.marks) if (!tags.includes(mark)) tags.push(mark);

    const content = entry.content === undefined ? undefined : rewriteInstanceLinks(entry.content, hosts);
    const summary = entry.summary === undefined ? undefined : rewriteInstanceLinks(entry.summary, hosts);
    const retweet = title.marks.includes('retweet');
    const kind = retweet ? 'retweet' : title.marks.includes('reply') ? 'reply' : 'tweet';
    const twitter: TwitterMeta = {
      id: status.id,
      kind,
      screen_name: retweet && title.retweetedBy ? title.retweetedBy : status.user,
      in_reply_to: title.replyTo ? { screen_name: title.replyTo } : null,
      self_thread: false,
      retweet,
      urls: outboundLinks(content ?? summary ?? '', hosts),
      hashtags: [],
      mentions: [],
    };
    if (retweet) {
      twitter.retweeted_user = status.user;
      twitter.retweeted_status_id = status.id;
    }
    const enclosures = entry.enclosures.map((enclosure) => {
      const url = rewriteInstanceUrl(enclosure.url, hosts);
      return url ? { ...enclosure, url } : enclosure;
    });

    const rewritten = {
      ...entry,
      source: rewrittenSource(entry.source, hosts),
      id: ctx.config.tweet_ids ? entryId('twitter', { guid: status.id }) : entry.id,
      guid: link,
      title: title.title,
      link,
      tags,
      enclosures,
      meta: {
        ...entry.meta,
        twitter,
        nitter: {
          instance: new URL((nitterStatus(originalLink, hosts) ? originalLink : entry.guid)!).host,
          link: originalLink,
          ...(title.retweetedBy ? { retweeted_by: title.retweetedBy } : {}),
          pinned: title.marks.includes('pinned'),
        },
      },
    };
    if (content !== undefined) rewritten.content = content;
    if (summary !== undefined) rewritten.summary = summary;
    if (entry.author) rewritten.author = entry.author.replace(/^@/, '');
    return rewritten;
  },
  feed(feed, ctx) {
    const hosts = nitterHosts(ctx.config.instances, ctx.config.builtin_instances);
    const link = feed.link ? rewriteInstanceUrl(feed.link, hosts) : undefined;
    return link ? { ...feed, link } : feed;
  },
});

/** Entries of one feed share their source object; so do their rewritten copies. */
const rewrittenSources = new WeakMap<EntrySource, EntrySource>();

function rewrittenSource(source: EntrySource, hosts: NitterHosts): EntrySource {
  const cached = rewrittenSources.get(source);
  if (cached) return cached;
  const feedLink = source.feedLink ? rewriteInstanceUrl(source.feedLink, hosts) : undefined;
  const result = feedLink ? { ...source, feedLink } : source;
  rewrittenSources.set(source, result);
  return result;
}
