/**
 * Source::TwitterArchive — the tweets of an X/Twitter data export (the zip, or the folder it
 * unpacks to), including the older Grailbird archive. The export is streamed tweet by tweet; a
 * broken file or tweet is reported with its place and the rest is kept.
 */
import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';
import type { Entry, EntrySource } from '../../pipeline/model.js';
import { makeFeed } from '../../pipeline/model.js';
import { TwitterArchiveReader } from './twitter/read-archive.js';
import { includeSchema, kindsIncluded } from './twitter/include.js';
import { tweetKind, tweetToEntry } from './twitter/tweet.js';

const PLUGIN = 'Source::TwitterArchive';
/** Warnings beyond this many are counted, not listed: a damaged archive can have thousands. */
const MAX_LISTED_WARNINGS = 50;

export default definePlugin({
  name: PLUGIN,
  aliases: ['CustomFeed::TwitterArchive'],
  phase: 'source',
  description: 'Tweets from an X/Twitter data export (zip or unpacked folder; also the Grailbird archive)',
  config: z.object({
    path: z.string().min(1).describe('The archive zip, or the folder it was unpacked to (relative to the recipe)'),
    include: includeSchema,
    screen_name: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,15}$/)
      .optional()
      .describe('Account name for links, when the archive lacks account.js and manifest.js'),
    title: z.string().optional().describe('Feed title (default: "@name on X")'),
  }),
  async fetch(subscription, ctx) {
    const path = ctx.resolvePath(ctx.config.path);
    const warnings: string[] = [];
    let unlisted = 0;
    const onProblem = (message: string): void => {
      ctx.log.warn(message);
      if (warnings.length < MAX_LISTED_WARNINGS) warnings.push(message);
      else unlisted++;
    };
    const reader = await TwitterArchiveReader.open(path, onProblem);
    try {
      if (ctx.config.screen_name) reader.account.screenName = ctx.config.screen_name;
      const screenName = reader.account.screenName;
      const source: EntrySource = {
        plugin: PLUGIN,
        feedId: `twitter-archive:${path}`,
        feedTitle: ctx.config.title ?? subscription.title ?? (screenName ? `@${screenName} on X` : 'X archive'),
        service: 'twitter',
      };
      if (screenName) {
        source.account = screenName;
        source.feedLink = `https://x.com/${screenName}`;
      }
      const kinds = kindsIncluded(ctx.config.include);
      const entryOptions = { source, account: reader.account };
      const entries: Entry[] = [];
      let read = 0;
      for await (const batch of reader.tweets()) {
        if (ctx.signal.aborted) throw new Error(`${path}: cancelled after ${read} tweets`);
        for (const tweet of batch) {
          read++;
          if (!kinds.has(tweetKind(tweet, reader.account))) continue;
          entries.push(tweetToEntry(tweet, entryOptions));
        }
      }
      if (read === 0 && (reader.tweetFiles.length === 0 || warnings.length > 0)) {
        // Nothing could be read: that is a failed source, not an empty feed.
        const reasons = warnings.length ? `: ${warnings.join('; ')}` : '';
        throw new Error(`${path}: no tweets could be read${reader.tweetFiles.length ? '' : ' (the archive holds no tweet files)'}${reasons}`);
      }
      if (unlisted) warnings.push(`… and ${unlisted} more problems (see the log)`);
      ctx.log.info({ read, kept: entries.length, files: reader.tweetFiles.length }, `${path}: ${read} tweets read`);
      return makeFeed({
        id: source.feedId,
        type: 'twitter',
        title: source.feedTitle ?? '',
        ...(source.feedLink ? { link: source.feedLink } : {}),
        ...(screenName ? { author: screenName } : {}),
        entries,
        meta: {
          warnings,
          twitterArchive: {
            path,
            layout: reader.layout,
            files: reader.tweetFiles.map((file) => file.name),
            account: { ...reader.account },
            tweetsRead: read,
          },
        },
      });
    } finally {
      await reader.close();
    }
  },
});
