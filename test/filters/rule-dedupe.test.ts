import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry, Feed } from '../../src/pipeline/model.js';
import { compileRule } from '../../src/pipeline/rules.js';
import dedupe from '../../src/plugins/filter/dedupe.js';
import rule from '../../src/plugins/filter/rule.js';
import { makeTestContext } from '../helpers/context.js';
import { entryOf, feedOf, TWITTER, when } from '../rules/make.js';

const NOW = when('2008-06-01T12:00:00+09:00').epochMs;
let stateDir: string;

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'kakehashi-dedupe-'));
});
afterEach(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

function ids(feeds: Feed[]): string[] {
  return feeds.flatMap((feed) => feed.entries.map((entry) => entry.id));
}

/** One run of Filter::Dedupe with a config as a recipe would give it, against the state dir. */
async function dedupeRun(feeds: Feed[], config: Record<string, unknown> = {}, now = NOW): Promise<Feed[]> {
  const { ctx, close } = await makeTestContext(dedupe.config.parse(config), { stateDir, now });
  try {
    return await dedupe.feeds(feeds, ctx);
  } finally {
    await close();
  }
}

const post = (id: string, link: string, fields: Partial<Entry> = {}) =>
  entryOf({ id, title: `post ${id}`, link, content: `<p>body of ${id}</p>`, published: when('2008-05-31T12:00:00+09:00'), ...fields });

describe('Filter::Dedupe', () => {
  it('drops entries seen in an earlier run, remembered in the state store', async () => {
    const first = [feedOf('blog', [post('a', 'https://example.com/a'), post('b', 'https://example.com/b')])];
    expect(ids(await dedupeRun(first))).toEqual(['a', 'b']);
    const second = [feedOf('blog', [post('c', 'https://example.com/c'), post('a', 'https://example.com/a'), post('b', 'https://example.com/b')])];
    expect(ids(await dedupeRun(second))).toEqual(['c']);
    expect(ids(await dedupeRun(second))).toEqual([]);
  });

  it('keys on the normalised permalink: the same URL with and without utm parameters is one entry', async () => {
    const feeds = [
      feedOf('blog', [post('a', 'https://example.com/a')]),
      feedOf('aggregator', [post('a-again', 'http://www.example.com/a/?utm_source=rss&utm_medium=feed#more')]),
    ];
    expect(ids(await dedupeRun(feeds))).toEqual(['a']);
  });

  it('prefers the guid, scoped by feed, and falls back to a content hash', async () => {
    const withGuid = (id: string, guid: string, link: string) => post(id, link, { guid });
    const run1 = [feedOf('blog', [withGuid('g1', 'item-1', 'https://example.com/old-slug')])];
    expect(ids(await dedupeRun(run1))).toEqual(['g1']);
    // The link changed but the guid did not: still the same item.
    const run2 = [feedOf('blog', [withGuid('g1', 'item-1', 'https://example.com/new-slug')])];
    expect(ids(await dedupeRun(run2))).toEqual([]);
    const noLink = (id: string, title: string) => entryOf({ id, title, content: '<p>same words</p>' }, TWITTER);
    expect(ids(await dedupeRun([feedOf('notes', [noLink('n1', 'Hello'), noLink('n2', 'hello  '), noLink('n3', 'Other')])]))).toEqual(['n1', 'n3']);
  });

  it('with compare_body, lets an entry through again when its body changed', async () => {
    const a = post('a', 'https://example.com/a');
    expect(ids(await dedupeRun([feedOf('blog', [a])], { compare_body: true }))).toEqual(['a']);
    expect(ids(await dedupeRun([feedOf('blog', [a])], { compare_body: true }))).toEqual([]);
    const edited = { ...a, content: '<p>corrected body</p>' };
    expect(ids(await dedupeRun([feedOf('blog', [edited])], { compare_body: true }))).toEqual(['a']);
  });

  it('forgets keys after the window, and treats entries dated before it as seen', async () => {
    const a = post('a', 'https://example.com/a', { published: when('2008-05-31T12:00:00+09:00') });
    const ancient = post('old', 'https://example.com/old', { published: when('2008-01-01T00:00:00+09:00') });
    expect(ids(await dedupeRun([feedOf('blog', [a, ancient])], { window: '7d' }))).toEqual(['a']);
    expect(ids(await dedupeRun([feedOf('blog', [a])], { window: '7d' }, NOW + 86_400_000))).toEqual([]);
    // Ten days on, the key is forgotten; the entry is re-dated as a repost would be.
    const reposted = { ...a, published: when('2008-06-11T11:00:00+09:00') };
    expect(ids(await dedupeRun([feedOf('blog', [reposted])], { window: '7d' }, NOW + 10 * 86_400_000))).toEqual(['a']);
  });

  it('keeps separate namespaces apart', async () => {
    const feeds = [feedOf('blog', [post('a', 'https://example.com/a')])];
    expect(ids(await dedupeRun(feeds, { namespace: 'mail' }))).toEqual(['a']);
    expect(ids(await dedupeRun(feeds, { namespace: 'feed' }))).toEqual(['a']);
  });

  it('rejects a bad window in the config', () => {
    const result = dedupe.config.safeParse({ window: 'soon' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['window'], message: expect.stringMatching(/"soon" is not a duration/) });
  });
});

describe('Filter::Rule', () => {
  it('keeps the entries its rule matches and drops the rest', async () => {
    const { ctx, close } = await makeTestContext(rule.config.parse(undefined), { stateDir, now: NOW });
    try {
      ctx.rule = compileRule([{ module: 'EntryTag', tag: 'reply spam', op: 'NOR' }, { fresh: '3d' }], 'AND');
      const feed = feedOf('twitter', [
        entryOf({ id: 'keep', title: 'ok', published: when('2008-05-31T12:00:00+09:00') }, TWITTER),
        entryOf({ id: 'reply', title: '@x hi', tags: ['reply'], published: when('2008-05-31T12:00:00+09:00') }, TWITTER),
        entryOf({ id: 'stale', title: 'old', published: when('2008-05-01T12:00:00+09:00') }, TWITTER),
      ]);
      const kept: string[] = [];
      for (const entry of feed.entries) {
        const result = await rule.entry!(entry, feed, ctx);
        if (result) kept.push(result.id);
      }
      expect(kept).toEqual(['keep']);
      expect(rule.appliesRuleItself).toBe(true);
    } finally {
      await close();
    }
  });
});
