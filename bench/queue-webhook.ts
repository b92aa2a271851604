/**
 * Delivery throughput through BullMQ, against BullMQ itself: N notes (default 10,000) put on the
 * queue by Publish::Webhook's publish step, then POSTed to a local webhook receiver by `kakehashi
 * worker`'s code path (ledger in the SQLite store, HMAC signature, Idempotency-Key), concurrency 8,
 * no rate limit — and, in the same run, N bare BullMQ jobs that do nothing with the same
 * concurrency. Both are timed from the worker's start, with every job already in Redis, to the
 * last completion; the ratio is kakehashi's rate over bare BullMQ's (target ≥ 0.7).
 *
 *   npx tsx bench/queue-webhook.ts [--notes 10000] [--concurrency 8] [--redis redis://127.0.0.1:6379]
 *
 * The receiver runs in a child process, as a real one would run elsewhere. Redis commands sent per
 * job are counted on this process's ioredis connections (a Lua script is one command, one round
 * trip): both sides send one, BullMQ's moveToFinished that also fetches the next job.
 *
 * On a 2-core machine the three processes (worker, receiver, Redis) share the cores, so the ratio
 * is bounded by their CPU per note together, not by the worker alone: the receiver's HMAC check
 * and JSON parse and Redis's work per job are in the denominator of ours, not of the bare run's.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue as BullMQQueue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { z } from 'zod';
import { startWorker } from '../src/cli/worker.js';
import { createHttpClient } from '../src/http/client.js';
import type { PluginContext } from '../src/pipeline/context.js';
import { makeEntry, makeFeed } from '../src/pipeline/model.js';
import type { Feed } from '../src/pipeline/model.js';
import type { PublishPlugin } from '../src/pipeline/plugin.js';
import { loadRecipe } from '../src/pipeline/recipe.js';
import { newReport } from '../src/pipeline/report.js';
import { jobScope } from '../src/pipeline/run.js';
import { BullQueue, bullConnection } from '../src/queue/bullmq.js';
import { registerPluginJobs } from '../src/queue/register.js';
import { openSqliteStore } from '../src/store/sqlite.js';

const SECRET = 'bench-secret-0123456789abcdef';

let redisCommands = 0;
const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function countedSendCommand(this: Redis, ...args: Parameters<Redis['sendCommand']>) {
  redisCommands++;
  return sendCommand.apply(this, args);
};

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

async function serveReceiver(): Promise<void> {
  const { startFakeWebhook } = await import('../test/fixtures/destinations/webhook.js');
  const receiver = await startFakeWebhook({ secret: SECRET, record: false });
  process.send!({ url: receiver.hookUrl });
  process.on('message', (message) => {
    if (message === 'count') process.send!({ accepted: receiver.accepted.length, replays: receiver.replays, rejected: receiver.rejectedSignatures });
  });
  process.on('disconnect', () => void receiver.close().then(() => process.exit(0)));
}

function startReceiver(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-receiver'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, url: (message as { url: string }).url }));
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
  });
}

function receiverCounts(child: ChildProcess): Promise<{ accepted: number; replays: number; rejected: number }> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as { accepted: number; replays: number; rejected: number }));
    child.send('count');
  });
}

async function deletePrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await client.unlink(...keys);
  } while (cursor !== '0');
  client.disconnect();
}

async function bareBullmq(redis: string, prefix: string, notes: number, concurrency: number): Promise<{ rate: number; commands: number }> {
  const queue = new BullMQQueue('bare', { connection: bullConnection(redis), prefix });
  for (let start = 0; start < notes; start += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, notes - start) }, (_, i) => ({ name: 'noop', data: { n: start + i }, opts: { jobId: `bare-${start + i}` } })),
    );
  }
  redisCommands = 0;
  let completed = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  const worker = new Worker('bare', async () => undefined, { connection: bullConnection(redis), prefix, concurrency });
  worker.on('completed', () => {
    if (++completed === notes) finish();
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  const commands = redisCommands;
  await worker.close();
  await queue.close();
  return { rate: notes / seconds, commands };
}

/** Notes as a source would give them: a title, an HTML body, a link, a JST date. */
function notesFeed(count: number): Feed {
  const start = Date.UTC(2024, 5, 1, 0, 0, 0);
  return makeFeed({
    id: 'bench',
    title: 'bench',
    link: 'https://taro.example/',
    entries: Array.from({ length: count }, (_, i) =>
      makeEntry({
        id: `bench:${i + 1}`,
        title: `ノート ${i + 1}`,
        link: `https://taro.example/notes/${i + 1}`,
        content: `<p>今日は ${i + 1} 番目のノート。梅雨入り &amp; 傘 ☔ <a href="/tags/rain">#雨</a></p>`,
        published: { epochMs: start + i * 1000, kind: 'zoned', precision: 'second', offsetMinutes: 540 },
        source: { plugin: 'Source::Feed', feedId: 'bench', service: 'blog' },
      }),
    ),
  });
}

async function throughKakehashi(redis: string, prefix: string, notes: number, concurrency: number, receiverUrl: string, dir: string) {
  const recipePath = join(dir, 'bench-webhook.yaml');
  writeFileSync(
    recipePath,
    ['global:', `  state_dir: ${join(dir, 'state')}`, 'plugins:', '  - module: Publish::Webhook', '    config:', `      url: ${receiverUrl}`,
      `      secret: ${SECRET}`, `      concurrency: ${concurrency}`, ''].join('\n'),
  );
  const log = pino({ level: 'silent' });
  const recipe = await loadRecipe(recipePath);
  const instance = recipe.plugins[0]!;
  // Produce as `kakehashi run --redis` does (the plugin's publish step, ledger checked, one job per
  // note), into Redis only: every job is there before the worker starts, as for the bare jobs.
  const producer = new BullQueue({ connection: redis, prefix, log, runWorkers: false });
  const store = openSqliteStore(join(dir, 'state', 'state.sqlite'));
  const scope = jobScope(recipe, instance);
  const ctx: PluginContext<unknown> = {
    global: { timezone: recipe.global.timezone, stateDir: join(dir, 'state'), outputDir: dir, baseDir: dir },
    http: createHttpClient({ store, log }),
    store,
    queue: producer,
    log,
    clock: { now: Date.now },
    report: newReport(recipe.name, Date.now()),
    signal: new AbortController().signal,
    config: instance.config,
    rule: instance.rule,
    pluginName: instance.module,
    resolvePath: (path) => join(dir, path),
    enqueue: (job, data, options) => producer.add(`${scope}:${job}`, data, options),
  };
  registerPluginJobs(producer, scope, instance.plugin, ctx);
  const enqueueStarted = performance.now();
  await (instance.plugin as PublishPlugin<z.ZodType>).publish([notesFeed(notes)], ctx);
  const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
  await producer.close();
  await store.close();

  // Deliver with `kakehashi worker`'s code: the recipe's handlers on a BullMQ worker.
  redisCommands = 0;
  const started = performance.now();
  const worker = await startWorker([recipePath], { redis, prefix, log });
  while (worker.queue.processed.completed + worker.queue.processed.failed < notes) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  const failed = worker.queue.processed.failed;
  const commands = redisCommands;
  await worker.stop();
  return { rate: notes / seconds, enqueueRate: notes / enqueueSeconds, failed, commands };
}

/** The HTTP exchange alone (ctx.http, same receiver, same concurrency): the ceiling for any delivery. */
async function httpAlone(receiverUrl: string, requests: number, concurrency: number): Promise<number> {
  const store = openSqliteStore(':memory:');
  const http = createHttpClient({ store, log: pino({ level: 'silent' }), perHostConcurrency: 64 });
  const body = JSON.stringify({ id: 'x', title: 'ノート', contentHtml: '<p>今日のノート</p>' });
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const n = next++;
        await http.request(receiverUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `alone-${n}`, 'x-kakehashi-signature': signature },
          body: Buffer.from(body),
        });
      }
    }),
  );
  await store.close();
  return requests / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const notes = Number(argument('notes', '10000'));
  const concurrency = Number(argument('concurrency', '8'));
  const redis = argument('redis', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `kh-bench-${randomBytes(4).toString('hex')}`;
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), '.data', prefix);
  mkdirSync(dir, { recursive: true });
  const receiver = await startReceiver();
  try {
    console.log(`queue-webhook: ${notes} notes, concurrency ${concurrency}, no rate limit, Redis ${redis}`);
    const bare = await bareBullmq(redis, prefix, notes, concurrency);
    console.log(`  bare BullMQ (jobs that do nothing):      ${bare.rate.toFixed(0)} jobs/s`);
    const ours = await throughKakehashi(redis, prefix, notes, concurrency, receiver.url, dir);
    const counts = await receiverCounts(receiver.child);
    console.log(`  kakehashi → webhook (signed, ledgered):  ${ours.rate.toFixed(0)} notes/s  (enqueue ${ours.enqueueRate.toFixed(0)}/s, not counted)`);
    console.log(`  ratio: ${(ours.rate / bare.rate).toFixed(2)} (target ≥ 0.70)`);
    console.log(`  Redis commands per job: bare ${(bare.commands / notes).toFixed(2)}, kakehashi ${(ours.commands / notes).toFixed(2)}`);
    const alone = await httpAlone(receiver.url, Math.min(notes, 3000), concurrency);
    console.log(`  for scale, the HTTP exchange alone (ctx.http → receiver): ${alone.toFixed(0)} requests/s`);
    console.log(`  receiver: ${counts.accepted} accepted, ${counts.replays} idempotent replays, ${counts.rejected} bad signatures; worker: ${ours.failed} failed`);
    if (counts.accepted !== notes || ours.failed > 0) process.exitCode = 1;
  } finally {
    receiver.child.disconnect();
    await deletePrefix(redis, prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--serve-receiver')) await serveReceiver();
else await main();
