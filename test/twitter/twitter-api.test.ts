import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import plugin, { EXPANSIONS, MEDIA_FIELDS, TWEET_FIELDS } from '../../src/plugins/source/twitter-api.js';
import type { Feed, Subscription } from '../../src/pipeline/model.js';
import type { Store } from '../../src/pipeline/context.js';
import { makeTestContext } from '../helpers/context.js';
import { startServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'twitter-api');
const TOKEN = 'AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F';
const NEWEST_OF_FIRST_RUN = '1797059427824570435';

interface Plan {
  /** Answer this call (1-based, timeline calls only) with a 429 whose reset is this many seconds away. */
  limit?: { call: number; resetInSeconds: number };
  timelineCalls: number;
}

function sendJson(res: ServerResponse, status: number, file: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(readFileSync(join(FIXTURES, file)));
}

function rateHeaders(remaining: number, resetInSeconds = 900): Record<string, string> {
  return {
    'x-rate-limit-limit': '1500',
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
  };
}

/** Plays the two v2 endpoints the plugin uses, checking what a real API would check. */
function startXApi(plan: Plan): Promise<TestServer> {
  return startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 401, 'unauthorized.json');
    if (url.pathname === '/2/users/by/username/taro') return sendJson(res, 200, 'user-by-username-taro.json', rateHeaders(899));
    if (url.pathname !== '/2/users/11111/tweets') return sendJson(res, 404, 'unauthorized.json');
    plan.timelineCalls++;
    const params = url.searchParams;
    const fields = params.get('tweet.fields')?.split(',') ?? [];
    const expansions = params.get('expansions')?.split(',') ?? [];
    const missing = [
      ...['created_at', 'entities', 'referenced_tweets', 'attachments', 'public_metrics', 'in_reply_to_user_id'].filter((f) => !fields.includes(f)),
      ...['attachments.media_keys', 'referenced_tweets.id'].filter((e) => !expansions.includes(e)),
      ...['url', 'preview_image_url', 'type'].filter((f) => !(params.get('media.fields') ?? '').split(',').includes(f)),
    ];
    if (missing.length || params.get('max_results') !== '100') {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ title: 'Invalid Request', detail: `missing ${missing.join(',')}`, type: 'https://api.twitter.com/2/problems/invalid-request' }));
      return;
    }
    if (plan.limit?.call === plan.timelineCalls) {
      return sendJson(res, 429, 'too-many-requests.json', rateHeaders(0, plan.limit.resetInSeconds));
    }
    const since = params.get('since_id');
    const token = params.get('pagination_token');
    if (since === NEWEST_OF_FIRST_RUN && !token) return sendJson(res, 200, 'user-tweets-since.json', rateHeaders(1497));
    if (since === '1797192932520890437') return sendJson(res, 200, 'user-tweets-none.json', rateHeaders(1496));
    if (since) return sendJson(res, 400, 'unauthorized.json');
    if (!token) return sendJson(res, 200, 'user-tweets-page1.json', rateHeaders(1499));
    if (token === '7140dibdnow9c7bt') return sendJson(res, 200, 'user-tweets-page2.json', rateHeaders(1498));
    return sendJson(res, 400, 'unauthorized.json');
  });
}

type Config = z.input<typeof plugin.config>;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function fetchWith(config: Omit<Config, 'base_url' | 'bearer_token'> & { bearer_token?: string }, store?: Store): Promise<{ feed: Feed; store: Store }> {
  const parsed = plugin.config.parse({ bearer_token: TOKEN, base_url: server!.url, ...config });
  const { ctx, close } = await makeTestContext(parsed, store ? { store } : {});
  try {
    const subscription: Subscription = { plugin: plugin.name, tags: [], config: parsed };
    const result = await plugin.fetch(subscription, ctx);
    return { feed: Array.isArray(result) ? result[0]! : result, store: ctx.store };
  } finally {
    await close();
  }
}

async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const { ctx, close } = await makeTestContext({});
  try {
    return await run(ctx.store);
  } finally {
    await close();
  }
}

describe('Source::TwitterAPI', () => {
  it('looks the user up, pages by next_token with the bearer token, and converts every post', async () => {
    const plan: Plan = { timelineCalls: 0 };
    server = await startXApi(plan);
    await withStore(async (store) => {
      const { feed } = await fetchWith({ username: 'taro' }, store);
      expect(server!.requests.map((request) => new URL(request.url, 'http://x').pathname)).toEqual([
        '/2/users/by/username/taro',
        '/2/users/11111/tweets',
        '/2/users/11111/tweets',
      ]);
      const second = new URL(server!.requests[2]!.url, 'http://x').searchParams;
      expect(second.get('pagination_token')).toBe('7140dibdnow9c7bt');
      expect(second.get('tweet.fields')).toBe(TWEET_FIELDS);
      expect(second.get('expansions')).toBe(EXPANSIONS);
      expect(second.get('media.fields')).toBe(MEDIA_FIELDS);
      expect(second.has('since_id')).toBe(false);

      expect(feed.title).toBe('@taro on X');
      expect(feed.entries.map((entry) => entry.guid)).toEqual([
        '1797059427824570435',
        '1796883124450234433',
        '1796889432683450434',
        '1796678039761850452',
      ]);
      const [retweet, plain, reply, media] = feed.entries;
      expect(retweet!.tags).toEqual(['retweet']);
      expect(retweet!.title).toBe('RT @hanako: 今日の東京は雨でした。');
      expect(retweet!.content).toBe(
        '<p>RT <a href="https://x.com/hanako">@hanako</a>: 今日の東京は雨でした。傘を忘れずに！ &amp; 長靴も。明日も雨の予報なので、みなさん気をつけて ' +
          '<a href="https://hanako.example.jp/diary/2024/06/02">hanako.example.jp/diary/2024/06/…</a></p>',
      );
      expect(retweet!.meta.twitter).toMatchObject({ retweet: true, retweeted_user: 'hanako', retweeted_status_id: '1797050000000000000' });

      expect(plain!.id).toBe('twitter#1796883124450234433');
      expect(plain!.link).toBe('https://x.com/taro/status/1796883124450234433');
      expect(plain!.published).toEqual({ epochMs: Date.UTC(2024, 5, 1, 12, 34, 56), kind: 'zoned', precision: 'second', offsetMinutes: 0 });
      expect(plain!.content).toBe(
        '<p>梅雨入り &amp; 傘 <a href="https://x.com/hashtag/%E6%A2%85%E9%9B%A8">#梅雨</a> 🎉' +
          '<a href="https://taro.hatenablog.com/entry/2024/06/01/213000">taro.hatenablog.com/entry/2024/06…</a></p>',
      );
      expect(plain!.meta.twitter).toMatchObject({
        favorite_count: 2,
        retweet_count: 1,
        urls: [{ url: 'https://t.co/AbCdEf1234', expanded_url: 'https://taro.hatenablog.com/entry/2024/06/01/213000' }],
      });

      expect(reply!.tags).toEqual(['reply']);
      expect(reply!.meta.twitter).toMatchObject({
        in_reply_to: { status_id: '1796874333189050448', user_id: '22222', screen_name: 'hanako' },
      });

      expect(media!.title).toBe('新しい傘を買った');
      expect(media!.enclosures).toEqual([
        { url: 'https://pbs.twimg.com/media/GPaBcDeFgH1.jpg', type: 'image/jpeg', title: '紺色の傘' },
        { url: 'https://video.twimg.com/ext_tw_video/1796678031000000000/pu/vid/1280x720/HiGh.mp4?tag=12', type: 'video/mp4' },
      ]);
      expect(media!.meta.twitter).toMatchObject({ urls: [] });
      expect(feed.meta.warnings).toEqual([]);
      expect(await store.get('twitter-api', '@taro')).toEqual({ screenName: 'taro', sinceId: NEWEST_OF_FIRST_RUN });
    });
  });

  it('asks only for newer posts on the next run, with since_id from the store', async () => {
    const plan: Plan = { timelineCalls: 0 };
    server = await startXApi(plan);
    await withStore(async (store) => {
      await fetchWith({ user_id: '11111', username: 'taro' }, store);
      const again = await fetchWith({ user_id: '11111', username: 'taro' }, store);
      const last = new URL(server!.requests.at(-1)!.url, 'http://x').searchParams;
      expect(last.get('since_id')).toBe(NEWEST_OF_FIRST_RUN);
      expect(again.feed.entries.map((entry) => entry.guid)).toEqual(['1797192932520890437']);
      expect(again.feed.entries[0]!.tags).toEqual(['thread']);
      expect(await store.get('twitter-api', '11111')).toEqual({ screenName: 'taro', sinceId: '1797192932520890437' });

      const nothingNew = await fetchWith({ user_id: '11111', username: 'taro' }, store);
      expect(nothingNew.feed.entries).toEqual([]);
      expect(await store.get('twitter-api', '11111')).toEqual({ screenName: 'taro', sinceId: '1797192932520890437' });
    });
  });

  it('waits out a 429 whose reset is within max_wait_seconds, then goes on', async () => {
    const plan: Plan = { timelineCalls: 0, limit: { call: 2, resetInSeconds: 1 } };
    server = await startXApi(plan);
    const started = Date.now();
    const { feed } = await fetchWith({ user_id: '11111', username: 'taro', max_wait_seconds: 5 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(plan.timelineCalls).toBe(3);
    expect(feed.entries).toHaveLength(4);
    expect(feed.meta.warnings).toEqual([]);
  });

  it('stops at a 429 with a far reset, says when to retry, keeps page 1, and resumes from there next time', async () => {
    const plan: Plan = { timelineCalls: 0, limit: { call: 2, resetInSeconds: 900 } };
    server = await startXApi(plan);
    await withStore(async (store) => {
      const { feed } = await fetchWith({ user_id: '11111', username: 'taro', max_wait_seconds: 60 }, store);
      expect(feed.entries.map((entry) => entry.guid)).toEqual(['1797059427824570435', '1796883124450234433']);
      expect(feed.meta.warnings).toEqual([
        expect.stringMatching(
          /^stopped early after 1 page\(s\): \/2\/users\/11111\/tweets: HTTP 429 Too Many Requests; the rate limit resets at \d{4}-\d{2}-\d{2} \d{2}:\d{2}.* \(x-rate-limit-reset \d+, in about 15 min, longer than max_wait_seconds 60\): run again after that$/,
        ),
      ]);
      expect(await store.get('twitter-api', '11111')).toEqual({
        screenName: 'taro',
        resume: { paginationToken: '7140dibdnow9c7bt', newestId: NEWEST_OF_FIRST_RUN },
      });

      plan.limit = undefined;
      const resumed = await fetchWith({ user_id: '11111', username: 'taro' }, store);
      const last = new URL(server!.requests.at(-1)!.url, 'http://x').searchParams;
      expect(last.get('pagination_token')).toBe('7140dibdnow9c7bt');
      expect(resumed.feed.entries.map((entry) => entry.guid)).toEqual(['1796889432683450434', '1796678039761850452']);
      expect(await store.get('twitter-api', '11111')).toEqual({ screenName: 'taro', sinceId: NEWEST_OF_FIRST_RUN });
    });
  });

  it('fails with the retry time when the very first request is rate limited', async () => {
    server = await startXApi({ timelineCalls: 0, limit: { call: 1, resetInSeconds: 600 } });
    await expect(fetchWith({ user_id: '11111', max_wait_seconds: 10 })).rejects.toThrow(
      /^Source::TwitterAPI 11111: \/2\/users\/11111\/tweets: HTTP 429 Too Many Requests; the rate limit resets at .* run again after that$/,
    );
  });

  it('reports a refused token without ever showing it, and keeps replies out when asked', async () => {
    server = await startXApi({ timelineCalls: 0 });
    const failure = fetchWith({ user_id: '11111', bearer_token: 'wrong-token-1234' });
    await expect(failure).rejects.toThrow(/HTTP 401 — the API refused the bearer token .*\(Unauthorized\); check X_BEARER_TOKEN/);
    await failure.catch((error: Error) => {
      expect(error.message).not.toContain('wrong-token-1234');
      expect(error.message).not.toContain(TOKEN);
    });
    const { feed } = await fetchWith({ user_id: '11111', username: 'taro', include: ['tweets'] });
    expect(feed.entries.map((entry) => entry.guid)).toEqual(['1796883124450234433', '1796678039761850452']);
    expect(new URL(server.requests.at(-1)!.url, 'http://x').searchParams.get('exclude')).toBe('retweets');
  });
});
