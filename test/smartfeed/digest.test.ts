import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry, Feed } from '../../src/pipeline/model.js';
import digest from '../../src/plugins/smartfeed/digest.js';
import dedupe from '../../src/plugins/filter/dedupe.js';
import { expandFeeds } from '../../src/plugins/smartfeed/expand.js';
import publishFeed from '../../src/plugins/publish/feed.js';
import { makeTestContext } from '../helpers/context.js';
import { BLOG, entryOf, feedOf, TWITTER, when } from '../rules/make.js';

const NOW = when('2008-06-01T09:00:00+09:00').epochMs;
let stateDir: string;

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'kakehashi-digest-'));
});
afterEach(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

function tweetAt(n: number, time: string): Entry {
  return entryOf(
    {
      id: `twitter#${n}`,
      title: `つぶやき ${n} <tag>`,
      content: `つぶやき ${n} &lt;tag&gt; <a href="https://example.com/${n}">link</a>`,
      link: `https://x.com/taro/status/${n}`,
      author: 'taro',
      published: when(time),
    },
    TWITTER,
  );
}

/** Twelve tweets on 30 May (JST), the last one at 23:59, and three on the 31st. */
const may30 = Array.from({ length: 12 }, (_, i) => tweetAt(i + 1, `2008-05-30T${String(10 + i).padStart(2, '0')}:00:00+09:00`));
may30[11] = tweetAt(12, '2008-05-30T23:59:00+09:00');
const may31 = [tweetAt(13, '2008-05-31T00:10:00+09:00'), tweetAt(14, '2008-05-31T08:00:00+09:00'), tweetAt(15, '2008-05-31T12:00:00+09:00')];
const post = entryOf({ id: 'blog#1', title: 'blog post', link: 'https://taro.hatenablog.com/entry/1', published: when('2008-05-30T21:00:00+09:00') }, BLOG);

function ids(feeds: Feed[]): string[] {
  return feeds.flatMap((feed) => feed.entries.map((entry) => entry.id));
}

async function run<C>(plugin: { config: { parse(v: unknown): C }; feeds(feeds: Feed[], ctx: never): Promise<Feed[]> | Feed[] }, feeds: Feed[], config: Record<string, unknown> = {}, timezone = 'Asia/Tokyo'): Promise<Feed[]> {
  const { ctx, close } = await makeTestContext(plugin.config.parse(config), { stateDir, now: NOW, timezone });
  try {
    return await plugin.feeds(feeds, ctx as never);
  } finally {
    await close();
  }
}

describe('SmartFeed::Digest', () => {
  it('turns a day of tweets into one entry per day, titled from the template and dated by its last part', async () => {
    // Newest first, as a source gives them; the recipe's rule hands the digest the tweets only.
    const feeds = [feedOf('twitter:taro', [...may30, ...may31].reverse())];
    const out = await run(digest, feeds);
    // Each digest takes the place of its newest tweet: the feed stays newest first.
    expect(ids(out)).toEqual(['digest:twitter:taro:2008-05-31', 'digest:twitter:taro:2008-05-30']);
    const [day31, day30] = out[0]!.entries;
    expect(day30!.title).toBe('Twitter: 2008-05-30 のつぶやき (12)');
    expect(day31!.title).toBe('Twitter: 2008-05-31 のつぶやき (3)');
    expect(day30!.published).toEqual(may30[11]!.published);
    expect(day30!.parts.map((p) => p.id)).toEqual(may30.map((t) => t.id));
    expect(day30!.author).toBe('taro');
    expect(day30!.link).toBe(TWITTER.feedLink);
    // Each tweet is a line with its time linking to it; its HTML body goes in as HTML.
    expect(day30!.content).toContain('<li><a href="https://x.com/taro/status/1">10:00</a> つぶやき 1 &lt;tag&gt; <a href="https://example.com/1">link</a></li>');
    expect(day30!.content!.match(/<li>/g)).toHaveLength(12);
  });

  it('cuts days on the recipe timezone', async () => {
    const out = await run(digest, [feedOf('twitter:taro', [...may30, ...may31])], {}, 'UTC');
    // 23:59 and 00:10 JST are 14:59 and 15:10 UTC on the 30th; 10:00 JST on the 30th is 01:00 UTC.
    expect(out[0]!.entries.map((e) => e.title)).toEqual(['Twitter: 2008-05-30 のつぶやき (14)', 'Twitter: 2008-05-31 のつぶやき (1)']);
  });

  it('a re-run updates the day\'s digest in the published feed and never appends a second one', async () => {
    const publish = async (feeds: Feed[]) => {
      const { ctx, close } = await makeTestContext(publishFeed.config.parse({ name: 'life', formats: ['atom'], dir: join(stateDir, 'out') }), { stateDir, now: NOW });
      try {
        const write = publishFeed.jobs!.write!;
        ctx.queue.register('write', write.handler(ctx), write.options);
        await publishFeed.publish(feeds, ctx);
        await ctx.queue.drain();
        return { retained: await ctx.store.loadRetained('life'), atom: readFileSync(join(stateDir, 'out', 'life.atom'), 'utf8') };
      } finally {
        await close();
      }
    };
    // Run 1 in the morning of the 31st: two tweets that day so far.
    const morning = [feedOf('twitter:taro', [may31[1]!, may31[0]!])];
    await publish(await run(digest, await run(dedupe, morning)));
    // Run 2 at noon: the feed repeats the morning's tweets, which Dedupe drops, plus a new one.
    const noon = [feedOf('twitter:taro', [may31[2]!, may31[1]!, may31[0]!])];
    const { retained, atom } = await publish(await run(digest, await run(dedupe, noon)));
    const digests = retained.filter((e) => e.id === 'digest:twitter:taro:2008-05-31');
    expect(digests).toHaveLength(1);
    expect(retained).toHaveLength(1);
    expect(digests[0]!.title).toBe('Twitter: 2008-05-31 のつぶやき (3)');
    expect(digests[0]!.parts.map((p) => p.id)).toEqual(['twitter#13', 'twitter#14', 'twitter#15']);
    expect(atom.match(/<entry>/g)).toHaveLength(1);
    expect(atom).toContain('のつぶやき (3)');
  });

  it('digests every N items, keeping each digest stable as new items arrive', async () => {
    const first = await run(digest, [feedOf('twitter:taro', may30.slice(0, 5))], { items: 3, title: '{{service_name}} {{start}}–{{end}} ({{count}})' });
    expect(first[0]!.entries.map((e) => [e.id, e.title])).toEqual([
      ['digest:twitter:taro:n0000', 'Twitter 2008-05-30 10:00–2008-05-30 12:00 (3)'],
      ['digest:twitter:taro:n0001', 'Twitter 2008-05-30 13:00–2008-05-30 14:00 (2)'],
    ]);
    const second = await run(digest, [feedOf('twitter:taro', may30.slice(5, 8))], { items: 3, title: '{{service_name}} {{start}}–{{end}} ({{count}})' });
    expect(second[0]!.entries.map((e) => [e.id, e.parts.length])).toEqual([
      ['digest:twitter:taro:n0001', 3],
      ['digest:twitter:taro:n0002', 2],
    ]);
  });

  it('groups by service and leaves windows below min_items alone', async () => {
    const other = entryOf({ id: 'twitter#other', title: 'other account', published: when('2008-05-30T12:30:00+09:00') }, { ...TWITTER, feedId: 'twitter:jiro', account: 'jiro' });
    const out = await run(digest, [feedOf('twitter:taro', may30.slice(0, 2)), feedOf('twitter:jiro', [other])], { by: 'service' });
    expect(ids(out)).toEqual(['digest:twitter:2008-05-30']);
    expect(out[0]!.entries[0]!.title).toBe('Twitter: 2008-05-30 のつぶやき (3)');
    const few = await run(digest, [feedOf('twitter:jiro', [{ ...other, id: 'twitter#lonely', published: when('2008-05-29T12:00:00+09:00') }])], { min_items: 2 });
    expect(ids(few)).toEqual(['twitter#lonely']);
  });

  it('renders titles as plain text and bodies as escaped HTML from the template', async () => {
    const out = await run(digest, [feedOf('twitter:taro', may30.slice(0, 2))], {
      title: '{{feed_title}} & {{#entries}}[{{title}}]{{/entries}}',
      content: '{{#entries}}<p>{{title}}</p>{{/entries}}',
    });
    expect(out[0]!.entries[0]!.title).toBe('Twitter / taro & [つぶやき 1 <tag>][つぶやき 2 <tag>]');
    expect(out[0]!.entries[0]!.content).toBe('<p>つぶやき 1 &lt;tag&gt;</p><p>つぶやき 2 &lt;tag&gt;</p>');
  });

  it('rejects a template that does not parse, naming the option', () => {
    const result = digest.config.safeParse({ title: '{{#entries}}{{title}}' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['title'], message: expect.stringMatching(/Unclosed section "entries"/) });
  });

  it('SmartFeed::Expand gives the tweets back', async () => {
    const feeds = [feedOf('twitter:taro', [...may30, ...may31]), feedOf('blog', [post])];
    // Digesting everything: the blog post becomes a digest of one, and comes back too.
    const expanded = expandFeeds(await run(digest, feeds));
    expect(expanded.map((f) => f.entries.map((e) => e.id).sort())).toEqual(feeds.map((f) => f.entries.map((e) => e.id).sort()));
    expect(expanded[0]!.entries.find((e) => e.id === 'twitter#3')).toEqual(may30[2]);
  });
});
