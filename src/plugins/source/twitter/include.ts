/** The `include` option shared by the Twitter sources: which kinds of tweet a recipe keeps. */
import { z } from 'zod';
import type { TweetKind } from './tweet.js';

export const INCLUDE_VALUES = ['tweets', 'replies', 'retweets'] as const;
export type IncludeValue = (typeof INCLUDE_VALUES)[number];

export const includeSchema = z
  .array(z.enum(INCLUDE_VALUES))
  .min(1)
  .default([...INCLUDE_VALUES])
  .describe('Kinds of tweet to keep: tweets (own posts and threads), replies (to others), retweets');

const KIND_OF: Record<IncludeValue, TweetKind> = { tweets: 'tweet', replies: 'reply', retweets: 'retweet' };

export function kindsIncluded(include: readonly IncludeValue[]): Set<TweetKind> {
  return new Set(include.map((value) => KIND_OF[value]));
}
