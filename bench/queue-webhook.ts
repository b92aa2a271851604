/**
 * Delivery throughput through BullMQ, against BullMQ itself: N notes (default 10,000) POSTed to a
 * local webhook receiver by `kakehashi worker`'s code path (ledger in the SQLite store, HMAC
 * signature, Idempotency-Key), concurrency 8, no rate limit — and, in the same run, N bare BullMQ
 * jobs that do nothing with the same concurrency. Both start from jobs already in Redis and stop
 * when the last one completes; the ratio is kakehashi's rate over bare BullMQ's (target ≥ 0.7).
 *
 *   npx tsx bench/queue-webhook.ts [--notes 10000] [--concurrency 8] [--redis redis://127.0.0.1:6379]
 *
 * The receiver runs in a child process, as a real one would run elsewhere.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue as BullMQQueue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startWorker } from '../src/cli/worker.js';
import { runRecipe } from '../src/pipeline/run.js';
import { BullQueue, bullConnection } from '../src/queue/bullmq.js';

const SECRET = 'bench-secret-0123456789abcdef';

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

function rssOf(count: number): string {
  const items: string[] = [];
  for (let i = 1; i <= count; i++) {
    items.push(
      `<item><title>ノート ${i}</title><link>https://taro.example/notes/${i}</link><guid>bench-${i}</guid>` +
        `<pubDate>Sat, 01 Jun 2024 ${String(Math.floor(i / 3600) % 24).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0900</pubDate>` +
        `<description>&lt;p&gt;今日は ${i} 番目のノート。梅雨入り &amp;amp; 傘 ☔&lt;/p&gt;</description></item>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>bench</title><link>https://taro.example/</link>${items.join('')}</channel></rss>`;
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

async function bareBullmq(redis: string, prefix: string, notes: number, concurrency: number): Promise<number> {
  const queue = new BullMQQueue('bare', { connection: bullConnection(redis), prefix });
  for (let start = 0; start < notes; start += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, notes - start) }, (_, i) => ({ name: 'noop', data: { n: start + i }, opts: { jobId: `bare-${start + i}` } })),
    );
  }
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
  await worker.close();
  await queue.close();
  return notes / seconds;
}

async function throughKakehashi(redis: string, prefix: string, notes: number, concurrency: number, receiverUrl: string, dir: string) {
  writeFileSync(join(dir, 'notes.rss'), rssOf(notes));
  const recipe = join(dir, 'bench-webhook.yaml');
  writeFileSync(
    recipe,
    [
      'global:',
      `  state_dir: ${join(dir, 'state')}`,
      'plugins:',
      '  - module: Source::Feed',
      '    config:',
      '      path: notes.rss',
      '  - module: Publish::Webhook',
      '    config:',
      `      url: ${receiverUrl}`,
      `      secret: ${SECRET}`,
      `      concurrency: ${concurrency}`,
      '',
    ].join('\n'),
  );
  const log = pino({ level: 'silent' });
  // Produce only: every job is in Redis before the workers start, as for the bare jobs.
  const producer = new BullQueue({ connection: redis, prefix, log, runWorkers: false });
  const enqueueStarted = performance.now();
  const run = runRecipe(recipe, { queue: producer, log });
  while (producer.pendingCount() < notes) await new Promise((resolve) => setTimeout(resolve, 50));
  const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;

  const started = performance.now();
  const worker = await startWorker([recipe], { redis, prefix, log });
  const report = await run;
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  await producer.close();
  return { rate: notes / seconds, enqueueRate: notes / enqueueSeconds, report };
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
    console.log(`  bare BullMQ (jobs that do nothing):      ${bare.toFixed(0)} jobs/s`);
    const ours = await throughKakehashi(redis, prefix, notes, concurrency, receiver.url, dir);
    const counts = await receiverCounts(receiver.child);
    console.log(`  kakehashi → webhook (signed, ledgered):  ${ours.rate.toFixed(0)} notes/s  (enqueue ${ours.enqueueRate.toFixed(0)}/s, not counted)`);
    console.log(`  ratio: ${(ours.rate / bare).toFixed(2)} (target ≥ 0.70)`);
    console.log(`  receiver: ${counts.accepted} accepted, ${counts.replays} idempotent replays, ${counts.rejected} bad signatures; run: ${ours.report.deliveries.completed} delivered, ${ours.report.deliveries.failed.length} failed`);
    if (counts.accepted !== notes || ours.report.deliveries.failed.length > 0) process.exitCode = 1;
  } finally {
    receiver.child.disconnect();
    await deletePrefix(redis, prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--serve-receiver')) await serveReceiver();
else await main();
