import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileRule, RuleError } from '../../src/pipeline/rules.js';
import type { RuleEnv, Store } from '../../src/pipeline/context.js';
import type { Entry, Feed } from '../../src/pipeline/model.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { BLOG, entryOf, feedOf, TWITTER, when } from './make.js';

const NOW = when('2008-06-01T12:00:00+09:00').epochMs;
let store: Store;
let env: RuleEnv;

beforeEach(() => {
  store = openSqliteStore(':memory:');
  env = { now: NOW, store, timezone: 'Asia/Tokyo' };
});
afterEach(async () => {
  await store.close();
});

const post = entryOf({
  id: 'blog-1',
  title: 'Plagger で遊ぶ',
  link: 'https://taro.hatenablog.com/entry/2008/05/30/213400',
  content: '<p>Plagger の <b>SmartFeed</b> を試した &amp; 満足</p>',
  author: 'taro',
  tags: ['perl', 'Plagger'],
  published: when('2008-05-30T21:34:00+09:00'),
});
const tweet = entryOf(
  {
    id: 'tweet-1',
    title: '@hanako 梅雨入り',
    content: '@hanako 梅雨入り',
    tags: ['reply'],
    published: when('2008-05-31T20:00:00+09:00'),
  },
  TWITTER,
);
const undated = entryOf({ id: 'undated', title: 'no date' });
const blogFeed = feedOf(BLOG.feedId, [post, undated], { type: 'feed', title: '太郎の日記' });
const twitterFeed = feedOf(TWITTER.feedId, [tweet], { type: 'twitter', title: 'Twitter / taro' });

function feedFor(entry: Entry): Feed {
  return entry.source.service === 'twitter' ? twitterFeed : blogFeed;
}

async function matching(spec: unknown, ruleOp?: unknown): Promise<string[]> {
  const rule = compileRule(spec, ruleOp);
  const ids: string[] = [];
  for (const entry of [post, tweet, undated]) if (await rule.test(entry, feedFor(entry), env)) ids.push(entry.id);
  return ids;
}

function ruleError(spec: unknown, ruleOp?: unknown): RuleError {
  try {
    compileRule(spec, ruleOp);
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error('the rule compiled');
}

describe('field conditions', () => {
  it('matches by substring ignoring case, in the text of the HTML body', async () => {
    expect(await matching({ title: { contains: 'plagger' } })).toEqual(['blog-1']);
    expect(await matching({ content: { contains: 'smartfeed を試した & 満足' } })).toEqual(['blog-1']);
    expect(await matching({ content: { contains: '<b>' } })).toEqual([]);
    expect(await matching({ html: { contains: '<b>' } })).toEqual(['blog-1']);
    expect(await matching({ title: '梅雨' })).toEqual(['tweet-1']);
  });

  it('matches by regex, with /flags/ and a shorthand', async () => {
    expect(await matching({ title: { regex: '^Plagger' } })).toEqual(['blog-1']);
    expect(await matching({ title: { regex: '^plagger' } })).toEqual([]);
    expect(await matching({ title: { regex: '/^plagger/i' } })).toEqual(['blog-1']);
    expect(await matching({ title: '/^@\\w+/' })).toEqual(['tweet-1']);
  });

  it('matches lists element by element: tags, source, via', async () => {
    expect(await matching({ tags: 'reply' })).toEqual(['tweet-1']);
    expect(await matching({ tags: { in: ['PLAGGER', 'python'] } })).toEqual(['blog-1']);
    expect(await matching({ source: 'twitter' })).toEqual(['tweet-1']);
    expect(await matching({ 'source.service': { equals: 'hatena' } })).toEqual(['blog-1', 'undated']);
    expect(await matching({ 'feed.type': 'twitter' })).toEqual(['tweet-1']);
    const merged = entryOf({ id: 'merged', title: 'x', via: [{ entryId: 'tweet-1', source: TWITTER, link: 'https://x.com/taro/status/1' }] });
    const rule = compileRule({ via: 'twitter' });
    expect(rule.test(merged, blogFeed, env)).toBe(true);
    expect(rule.test(post, blogFeed, env)).toBe(false);
  });

  it('checks dates: fresh (undated counts as fresh), older, before and after in the run timezone', async () => {
    expect(await matching({ fresh: '1d' })).toEqual(['tweet-1', 'undated']);
    expect(await matching({ fresh: '2 days' })).toEqual(['blog-1', 'tweet-1', 'undated']);
    expect(await matching({ older: '1d' })).toEqual(['blog-1']);
    // 2008-05-31 00:00 in Tokyo is 2008-05-30 15:00 UTC: the post (21:34 JST on the 30th) is before it.
    expect(await matching({ date: { before: '2008-05-31' } })).toEqual(['blog-1']);
    expect(await matching({ date: { after: '2008-05-31' } })).toEqual(['tweet-1']);
    env = { ...env, timezone: 'UTC' };
    // Read in UTC, 2008-05-30 12:00 UTC is 21:00 JST: the post at 21:34 JST comes after it.
    expect(await matching({ date: { after: '2008-05-30T12:00' } })).toEqual(['blog-1', 'tweet-1']);
    expect(await matching({ date: { after: '2008-05-30T13:00' } })).toEqual(['tweet-1']);
  });

  it('checks presence with has and missing', async () => {
    expect(await matching({ has: 'link' })).toEqual(['blog-1']);
    expect(await matching({ has: ['link', 'tags'] })).toEqual(['blog-1']);
    expect(await matching({ missing: 'date' })).toEqual(['undated']);
    expect(await matching({ author: { exists: false } })).toEqual(['tweet-1', 'undated']);
  });

  it('combines with all, any, none and not', async () => {
    expect(await matching({ all: [{ source: 'hatena' }, { has: 'link' }] })).toEqual(['blog-1']);
    expect(await matching({ any: [{ tags: 'reply' }, { missing: 'date' }] })).toEqual(['tweet-1', 'undated']);
    expect(await matching({ none: [{ tags: 'reply' }, { missing: 'date' }] })).toEqual(['blog-1']);
    expect(await matching({ not: { source: 'twitter' } })).toEqual(['blog-1', 'undated']);
    // Several keys in one mapping must all hold.
    expect(await matching({ source: 'hatena', has: 'link' })).toEqual(['blog-1']);
  });
});

describe("Plagger's list form with rule_op", () => {
  const isBlog = { source: 'hatena' };
  const hasLink = { has: 'link' };
  it.each([
    ['AND', ['blog-1']],
    ['OR', ['blog-1', 'undated']],
    ['XOR', ['undated']],
    ['NAND', ['tweet-1', 'undated']],
    ['NOT', ['tweet-1', 'undated']],
    ['NOR', ['tweet-1']],
    [undefined, ['blog-1']],
    ['or', ['blog-1', 'undated']],
  ])('rule_op %s', async (op, expected) => {
    expect(await matching([isBlog, hasLink], op)).toEqual(expected);
  });

  it('an absent rule is always true', async () => {
    const rule = compileRule(undefined);
    expect(rule.always).toBe(true);
    expect(await matching(undefined)).toEqual(['blog-1', 'tweet-1', 'undated']);
  });
});

describe("Plagger's rule modules", () => {
  it('Fresh takes minutes or text', async () => {
    expect(await matching({ module: 'Fresh', duration: 60 * 24 })).toEqual(['tweet-1', 'undated']);
    expect(await matching({ module: 'Fresh', duration: '7 days' })).toEqual(['blog-1', 'tweet-1', 'undated']);
  });

  it('EntryTag with op, including NOR to exclude tags', async () => {
    expect(await matching({ module: 'EntryTag', tag: 'perl plagger' })).toEqual(['blog-1']);
    expect(await matching({ module: 'EntryTag', tag: 'reply spam', op: 'NOR' })).toEqual(['blog-1', 'undated']);
  });

  it('FeedAttr compares feed attributes, with /regex/i values', async () => {
    const spec = { module: 'FeedAttr', attrs: [{ name: 'title', value: ['/^twitter/i'] }] };
    expect(await matching(spec)).toEqual(['tweet-1']);
    expect(await matching({ module: 'FeedAttr', op: 'AND', attrs: [{ name: 'type', op: 'NOR', value: ['mixi', 'twitter'] }] })).toEqual([
      'blog-1',
      'undated',
    ]);
  });

  it('FeedType, RecentN and Always', async () => {
    expect(await matching({ module: 'FeedType', type: 'twitter' })).toEqual(['tweet-1']);
    expect(await matching({ module: 'RecentN', count: 1 })).toEqual(['blog-1', 'tweet-1']);
    expect(await matching({ module: 'Always' })).toEqual(['blog-1', 'tweet-1', 'undated']);
  });

  it('Deduped passes an entry once, across runs, in the state store', async () => {
    const rule = { module: 'Deduped' };
    expect(await matching(rule)).toEqual(['blog-1', 'tweet-1', 'undated']);
    expect(await matching(rule)).toEqual([]);
    const again = compileRule({ deduped: true });
    // The same post reached through a tracking link is still the same post.
    const shared = { ...post, id: 'other-id', link: `${post.link}/?utm_source=twitter&fbclid=abc` };
    expect(await again.test(shared, blogFeed, env)).toBe(false);
    const another = { ...post, id: 'another', link: 'https://taro.hatenablog.com/entry/2008/06/01/090000' };
    expect(await again.test(another, blogFeed, env)).toBe(true);
  });

  it('Deduped with compare_body passes an entry again when its body changed', async () => {
    const rule = compileRule({ module: 'Deduped', compare_body: 1, by: 'link' });
    expect(await rule.test(post, blogFeed, env)).toBe(true);
    expect(await rule.test(post, blogFeed, env)).toBe(false);
    const edited = { ...post, content: '<p>書き直した</p>' };
    expect(await rule.test(edited, blogFeed, env)).toBe(true);
    expect(await rule.test(edited, blogFeed, env)).toBe(false);
  });
});

describe('expressions', () => {
  it('reads the example from the issue', async () => {
    expect(await matching({ expression: 'entry.title =~ /梅雨/ && feed.type == "twitter"' })).toEqual(['tweet-1']);
    expect(await matching({ module: 'Expression', expression: 'entry.title =~ /梅雨/ && feed.type == "feed"' })).toEqual([]);
  });

  it("reads Plagger's Perl spelling of the common expressions", async () => {
    expect(await matching({ expression: "$args->{feed}->id eq 'twitter:taro'" })).toEqual(['tweet-1']);
    expect(await matching({ expression: '$args->{entry}->title =~ /plagger/i' })).toEqual(['blog-1']);
    expect(await matching({ expression: '$args->{feed}->type() ne "twitter"' })).toEqual(['blog-1', 'undated']);
  });

  it('has lists, membership, durations, dates, functions and precedence', async () => {
    expect(await matching({ expression: '"reply" in entry.tags' })).toEqual(['tweet-1']);
    expect(await matching({ expression: 'entry.tags contains "perl" or entry.source.service == "twitter"' })).toEqual(['blog-1', 'tweet-1']);
    expect(await matching({ expression: 'entry.age < 1d' })).toEqual(['tweet-1']);
    expect(await matching({ expression: 'entry.date >= "2008-05-31"' })).toEqual(['tweet-1']);
    expect(await matching({ expression: '!has(entry.link) && len(entry.title) > 5' })).toEqual(['tweet-1', 'undated']);
    expect(await matching({ expression: 'entry.source.service in ["twitter", "mixi"]' })).toEqual(['tweet-1']);
    expect(await matching({ expression: 'not (has(entry.link) || entry.tags == "reply")' })).toEqual(['undated']);
    expect(await matching('lower(entry.title) =~ /^plagger/')).toEqual(['blog-1']);
  });
});

describe('regexes run in linear time', () => {
  it('(a+)+$ on a long run of a followed by b finishes at once', () => {
    const rule = compileRule({ title: { regex: '(a+)+$' } });
    const attack = entryOf({ id: 'attack', title: `${'a'.repeat(100_000)}b` });
    const started = performance.now();
    expect(rule.test(attack, blogFeed, env)).toBe(false);
    // A backtracking engine needs 2^n steps here; 30 a's would already take minutes.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(rule.test({ ...attack, title: 'aaaa' }, blogFeed, env)).toBe(true);
  });

  it('refuses backreferences, which only a backtracking engine can run', () => {
    const error = ruleError({ title: { regex: '(a)\\1' } });
    expect(error.path).toEqual(['title', 'regex']);
  });
});

describe('errors name the path to the bad value', () => {
  it.each<[string, unknown, unknown, Array<string | number>, RegExp]>([
    ['a regex that does not compile, in a list', [{ title: 'x' }, { title: { regex: '(' } }], undefined, [1, 'title', 'regex'], /regex \( cannot be compiled/],
    ['an unknown field', { titel: { contains: 'x' } }, undefined, ['titel'], /unknown rule key 'titel' \(did you mean title/],
    ['an unknown operator', { title: { matches: 'x' } }, undefined, ['title', 'matches'], /unknown operator 'matches'/],
    ['an unknown module', [{ module: 'Fresh' }, { module: 'Dedupd' }], undefined, [1, 'module'], /unknown rule module 'Dedupd' \(did you mean Deduped/],
    ['a module option', { module: 'Fresh', durtion: 5 }, undefined, ['durtion'], /no option 'durtion' \(did you mean duration/],
    ['a bad duration', { all: [{ fresh: 'soon' }] }, undefined, ['all', 0, 'fresh'], /"soon" is not a duration/],
    ['a bad date', { date: { before: 'yesterday-ish' } }, undefined, ['date', 'before'], /is not a date/],
    ['an expression syntax error', { any: [{ expression: 'entry.title =~ /x/ &&' }] }, undefined, ['any', 0, 'expression'], /column 22/],
    ['an unknown field in an expression', { expression: 'feed.typo == "x"' }, undefined, ['expression'], /unknown field 'feed.typo' \(did you mean feed.type/],
    ['a bad FeedAttr value', { module: 'FeedAttr', attrs: [{ name: 'title', value: ['ok', '/(/'] }] }, undefined, ['attrs', 0, 'value', 1], /cannot be compiled/],
  ])('%s', (_what, spec, ruleOp, path, message) => {
    const error = ruleError(spec, ruleOp);
    expect(error.path).toEqual(path);
    expect(error.message).toMatch(message);
    expect(error.key).toBe('rule');
  });

  it('a bad rule_op names rule_op', () => {
    const error = ruleError([{ title: 'a' }], 'MAYBE');
    expect(error.key).toBe('rule_op');
    expect(error.message).toMatch(/unknown operator "MAYBE" \(use AND, OR, XOR, NAND, NOT, NOR\)/);
  });

  it('points at the column of an expression error', () => {
    const error = ruleError({ expression: 'entry.title == "a" && (feed.type' });
    expect(error.message).toContain("expected ')' but found 'end of expression' at column 33");
  });
});
