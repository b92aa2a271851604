import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Queue, Store } from '../../src/pipeline/context.js';
import { newReport } from '../../src/pipeline/report.js';
import type { RunReport } from '../../src/pipeline/report.js';
import { createQueue } from '../../src/queue/index.js';
import { MemoryQueue } from '../../src/queue/memory.js';
import { buildServer } from '../../src/server/app.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';
import { NOW, lifestreamEntries, memoryStore, publish } from './helpers.js';

const silent = pino({ level: 'silent' });

/** A report like run.ts writes: one good source, one broken, two entries out. */
function reportWithFailure(recipe: string, startedAt: number): RunReport {
  const report = newReport(recipe, startedAt);
  report.finishedAt = startedAt + 1_250;
  report.sources.push(
    { plugin: 'Source::Feed', target: 'https://ok.example/feed', entries: 2, ok: true, durationMs: 300, warnings: [] },
    { plugin: 'Source::Feed', target: 'https://broken.example/feed', entries: 0, ok: false, error: 'HTTP 503 Service Unavailable', durationMs: 900, warnings: [] },
  );
  report.entriesIn = 2;
  report.entriesOut = 2;
  report.deliveries.completed = 3;
  return report;
}

describe('operations endpoints', () => {
  let store: Store;
  let app: FastifyInstance;

  beforeEach(async () => {
    store = memoryStore();
    await publish(store, 'lifestream', lifestreamEntries(3));
    app = await buildServer({
      store,
      queue: new MemoryQueue(),
      recipes: [{ name: 'ops', schedule: '*/15 * * * *', feeds: ['lifestream'] }],
      run: async (name) => {
        // What run.ts does after a run: append the report to the history.
        const report = reportWithFailure(name, Date.now());
        const history = (await store.get<RunReport[]>('runs', name)) ?? [];
        await store.set('runs', name, [...history, report]);
        return report;
      },
      env: {},
    });
  });

  afterEach(async () => {
    await app.close();
    await store.close();
  });

  it('/healthz says alive, /readyz checks the store', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ok: true, checks: { store: 'ok', queue: 'ok' } });
  });

  it('/readyz answers 503 with the reason when the store cannot be reached', async () => {
    const broken = new Proxy(store, {
      get: (target, key, receiver) =>
        key === 'ping' ? async () => Promise.reject(new Error('database is locked')) : Reflect.get(target, key, receiver),
    });
    const other = await buildServer({ store: broken, queue: new MemoryQueue(), recipes: [], env: {} });
    const response = await other.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ ok: false, checks: { store: 'database is locked', queue: 'ok' } });
    await other.close();
  });

  it('/status shows each recipe’s schedule, last runs and every failing source with its message', async () => {
    const before = (await app.inject({ url: '/status' })).json();
    expect(before.ok).toBe(true);
    expect(before.recipes[0]).toMatchObject({ name: 'ops', schedule: '*/15 * * * *', running: false, healthy: true, runs: [] });

    await app.kakehashi.runNow('ops');
    const status = (await app.inject({ url: '/status', headers: { accept: 'application/json' } })).json();
    expect(status.ok).toBe(false);
    const recipe = status.recipes[0];
    expect(recipe.healthy).toBe(false);
    expect(recipe.runs).toHaveLength(1);
    expect(recipe.lastRun).toMatchObject({
      durationMs: 1250,
      entriesIn: 2,
      entriesOut: 2,
      sources: 2,
      failedSources: [{ plugin: 'Source::Feed', target: 'https://broken.example/feed', error: 'HTTP 503 Service Unavailable' }],
    });
    expect(await app.inject({ url: '/status.json' }).then((r) => r.json().recipes[0].runs)).toHaveLength(1);
    // Times read as the recipe's zone (Asia/Tokyo by default), not UTC: the same instants, with +09:00.
    const jstTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+09:00$/;
    for (const time of [status.now, status.startedAt, recipe.lastRun.startedAt, recipe.lastRun.finishedAt]) {
      expect(time).toMatch(jstTime);
    }
    expect(Date.parse(recipe.lastRun.finishedAt) - Date.parse(recipe.lastRun.startedAt)).toBe(1250);

    const page = await app.inject({ url: '/status', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<html lang="ja">');
    expect(page.body).toContain('失敗あり');
    expect(page.body).toContain('<strong>Source::Feed</strong> https://broken.example/feed: <code>HTTP 503 Service Unavailable</code>');
    expect(page.body).toMatch(/<td class="num">2 → 2<\/td>/);
    expect(page.body).toMatch(/<td class="num">1 \/ 2<\/td>/);
    expect(page.body).toMatch(/<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+09:00">/);
  });

  it('/status shows a run that could not start at all', async () => {
    const failing = await buildServer({
      store,
      queue: new MemoryQueue(),
      recipes: [{ name: 'broken' }],
      run: async () => Promise.reject(new Error('recipes/broken.yaml:3:5: plugins.0.module: unknown plugin Source::Nope')),
      env: {},
    });
    await failing.kakehashi.runNow('broken');
    const recipe = (await failing.inject({ url: '/status.json' })).json().recipes[0];
    expect(recipe).toMatchObject({ healthy: false, lastError: 'recipes/broken.yaml:3:5: plugins.0.module: unknown plugin Source::Nope' });
    const html = (await failing.inject({ url: '/status', headers: { accept: 'text/html' } })).body;
    expect(html).toContain('レシピを実行できませんでした: <code>recipes/broken.yaml:3:5: plugins.0.module: unknown plugin Source::Nope</code>');
    await failing.close();
  });

  it('/metrics counts runs, source failures, fetch durations, entries and deliveries', async () => {
    // Metrics live for the process, and other tests here run recipes too: compare before and after.
    const scrape = async () => {
      const response = await app.inject({ url: '/metrics' });
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      return (series: string) => {
        const line = response.body.split('\n').find((l) => l.startsWith(`${series} `));
        return line ? Number(line.slice(series.length + 1)) : 0;
      };
    };
    const before = await scrape();
    await app.kakehashi.runNow('ops');
    const after = await scrape();
    const delta = (series: string) => after(series) - before(series);
    expect(delta('kakehashi_runs_total{recipe="ops",outcome="partial"}')).toBe(1);
    expect(delta('kakehashi_runs_total{recipe="ops",outcome="ok"}')).toBe(0);
    expect(delta('kakehashi_source_failures_total{recipe="ops",plugin="Source::Feed"}')).toBe(1);
    expect(delta('kakehashi_source_fetch_duration_seconds_count{plugin="Source::Feed",outcome="failed"}')).toBe(1);
    expect(delta('kakehashi_source_fetch_duration_seconds_bucket{le="1",plugin="Source::Feed",outcome="failed"}')).toBe(1);
    expect(delta('kakehashi_source_fetch_duration_seconds_bucket{le="0.5",plugin="Source::Feed",outcome="failed"}')).toBe(0);
    expect(delta('kakehashi_entries_total{recipe="ops",stage="out"}')).toBe(2);
    expect(delta('kakehashi_deliveries_total{outcome="completed"}')).toBe(3);
    expect(delta('kakehashi_run_duration_seconds_count{recipe="ops"}')).toBe(1);
    expect(after('kakehashi_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('/opml lists the subscriptions the last run saved', async () => {
    await store.set('subscriptions', 'ops', [
      { plugin: 'Source::Feed', url: 'https://blog.example.jp/feed', title: '太郎の日記', tags: ['blog'] },
      { plugin: 'Source::HatenaBookmark', url: 'https://b.hatena.ne.jp/taro/rss', title: 'はてブ', tags: [] },
    ]);
    const response = await app.inject({ url: '/opml' });
    expect(response.headers['content-type']).toBe('text/x-opml; charset=utf-8');
    expect(response.body).toContain('<outline text="ops" title="ops">');
    expect(response.body).toContain('<outline type="rss" text="太郎の日記" title="太郎の日記" xmlUrl="https://blog.example.jp/feed" category="/blog"/>');
    expect(response.body).toContain('xmlUrl="https://b.hatena.ne.jp/taro/rss"');
  });

  it('compresses pages and status for clients that accept it', async () => {
    const response = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers['content-encoding']).toBe('gzip');
  });

  it('does not mount /admin/queues without the BullMQ queue, and says why', async () => {
    const response = await app.inject({ url: '/admin/queues' });
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toMatch(/needs the BullMQ queue/);
    expect(app.kakehashi.admin.mounted).toBe(false);
  });
});

describeWithRedis('/admin/queues with BullMQ', () => {
  const prefix = uniquePrefix('server-admin');
  const TOKEN = 'k'.repeat(12) + '-admin-token';
  const opened: Array<{ app: FastifyInstance; queue: Queue; store: Store }> = [];

  async function server(env: NodeJS.ProcessEnv) {
    const store = memoryStore();
    const queue = await createQueue({ redis: TEST_REDIS_URL, prefix, log: silent, runWorkers: false });
    queue.register('lifestream/1/Publish::Feed:write', async () => undefined);
    const app = await buildServer({
      store,
      queue,
      recipes: [{ name: 'lifestream', schedule: { every: '15m' }, feeds: ['lifestream'] }],
      run: async (name) => newReport(name, NOW),
      redis: TEST_REDIS_URL,
      prefix,
      env,
      runAtStart: false,
    });
    await app.kakehashi.start();
    opened.push({ app, queue, store });
    return app;
  }

  afterEach(async () => {
    for (const { app, queue, store } of opened.splice(0)) {
      await app.close();
      await queue.close();
      await store.close();
    }
  });

  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('refuses to mount without credentials in the environment', async () => {
    const app = await server({});
    expect(app.kakehashi.admin).toEqual({
      mounted: false,
      reason: 'set KAKEHASHI_ADMIN_TOKEN, or KAKEHASHI_ADMIN_USER and KAKEHASHI_ADMIN_PASSWORD',
    });
    expect((await app.inject({ url: '/admin/queues' })).statusCode).toBe(404);
    const weak = await server({ KAKEHASHI_ADMIN_TOKEN: 'short' });
    expect(weak.kakehashi.admin.mounted).toBe(false);
  });

  it('with a token: refuses requests without it or with a wrong one, shows the queues with it', async () => {
    const app = await server({ KAKEHASHI_ADMIN_TOKEN: TOKEN });
    const bare = await app.inject({ url: '/admin/queues' });
    expect(bare.statusCode).toBe(401);
    expect(bare.headers['www-authenticate']).toBe('Basic realm="kakehashi admin", charset="UTF-8"');
    expect((await app.inject({ url: '/admin/queues/api/queues' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/admin/queues', headers: { authorization: 'Bearer wrong-token-wrong-token' } })).statusCode).toBe(401);

    const page = await app.inject({ url: '/admin/queues', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    // Browsers send basic auth by themselves: the token as the password works too.
    const basic = `Basic ${Buffer.from(`anyone:${TOKEN}`).toString('base64')}`;
    const api = await app.inject({ url: '/admin/queues/api/queues', headers: { authorization: basic } });
    expect(api.statusCode).toBe(200);
    const names = (api.json() as { queues: Array<{ displayName: string }> }).queues.map((q) => q.displayName);
    expect(names).toEqual(expect.arrayContaining(['schedule-lifestream', 'lifestream/1/Publish::Feed:write']));
  });

  it('with a user and password: basic auth only', async () => {
    const app = await server({ KAKEHASHI_ADMIN_USER: 'taro', KAKEHASHI_ADMIN_PASSWORD: 'correct horse battery' });
    const auth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    expect((await app.inject({ url: '/admin/queues', headers: { authorization: auth('taro', 'correct horse battery') } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/admin/queues', headers: { authorization: auth('jiro', 'correct horse battery') } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/admin/queues', headers: { authorization: auth('taro', 'wrong') } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/admin/queues', headers: { authorization: 'Bearer correct horse battery' } })).statusCode).toBe(401);
  });

  it('/readyz checks Redis and /metrics reports queue depth by queue and state', async () => {
    const app = await server({});
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ ok: true, checks: { store: 'ok', queue: 'ok' } });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/kakehashi_queue_jobs\{queue="schedule-lifestream",state="delayed"\} 1/);
    expect(metrics).toMatch(/kakehashi_queue_jobs\{queue="lifestream\/1\/Publish::Feed:write",state="waiting"\} 0/);
  });
});
