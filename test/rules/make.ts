/** Small builders for rule, merge and filter tests: entries as a source plugin would emit them. */
import { makeEntry, makeFeed, type Entry, type EntrySource, type Feed, type When } from '../../src/pipeline/model.js';
import { parseDate } from '../../src/text/dates.js';

export function when(text: string): When {
  const parsed = parseDate(text, { defaultZone: 'Asia/Tokyo' });
  if (!parsed) throw new Error(`test date ${text} does not parse`);
  return parsed;
}

export const BLOG: EntrySource = {
  plugin: 'Source::Feed',
  feedId: 'https://taro.hatenablog.com/feed',
  feedTitle: '太郎の日記',
  feedUrl: 'https://taro.hatenablog.com/feed',
  feedLink: 'https://taro.hatenablog.com/',
  service: 'hatena',
  account: 'taro',
};
export const TWITTER: EntrySource = {
  plugin: 'Source::TwitterArchive',
  feedId: 'twitter:taro',
  feedTitle: 'Twitter / taro',
  feedLink: 'https://x.com/taro',
  service: 'twitter',
  account: 'taro',
};
export const FRIENDFEED: EntrySource = {
  plugin: 'Source::FriendFeed',
  feedId: 'friendfeed:taro',
  feedTitle: 'FriendFeed / taro',
  feedLink: 'https://friendfeed.com/taro',
  service: 'friendfeed',
  account: 'taro',
};

export function entryOf(fields: Partial<Entry> & { id: string }, source: EntrySource = BLOG): Entry {
  return makeEntry({ source, ...fields });
}

export function feedOf(id: string, entries: Entry[], fields: Partial<Feed> = {}): Feed {
  return makeFeed({ id, entries, ...fields });
}
