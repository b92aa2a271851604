/**
 * Distributed delivery for real: `kakehashi run` with Redis only produces the jobs; `kakehashi
 * worker` child processes deliver them. One worker is killed with SIGKILL right after the
 * destination made a note and before the worker heard back; another takes over. Misskey has no
 * idempotency key, so what keeps the note single is the ledger's attempt record and the
 * reconcile before the retry.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, expect, it } from 'vitest';
import { pino } from 'pino';
import { runRecipe } from '../../src/pipeline/run.js';
import { BullQueue } from '../../src/queue/bullmq.js';
import { RedisStore } from '../../src/store/redis.js';
import { DeliveryLedger } from '../../src/store/ledger.js';
import type { LedgerRecord } from '../../src/store/ledger.js';
import { startFakeMisskey } from '../fixtures/destinations/misskey.js';
import type { FakeMisskey } from '../fixtures/destinations/misskey.js';
import { scratch } from '../helpers/tmp.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';

const TOKEN = 'misskey-worker-token';
const NOTES = 24;

function rssWith(count: number): string {
  const items = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const day = String(1 + (i % 28)).padStart(2, '0');
    return `<item><title>ノート ${n}</title><link>https://taro.example/notes/${n}</link><guid>note-${n}</guid>` +
      `<pubDate>Mon, ${day} Jun 2024 21:${String(i % 60).padStart(2, '0')}:00 +0900</pubDate>` +
      `<description>${n} 番目のノートです。</description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>taro</title><link>https://taro.example/</link>${items.join('')}</channel></rss>`;
}

describeWithRedis('kakehashi worker, killed mid-run', () => {
  const prefix = uniquePrefix('worker-kill');
  const dir = scratch();
  const children: ChildProcess[] = [];
  let instance: FakeMisskey | undefined;

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await instance?.close();
  });
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
    dir.cleanup();
  });

  function startWorkerProcess(recipe: string): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/worker.ts', recipe, '--redis', TEST_REDIS_URL, '--prefix', prefix, '--store', 'redis',
        '--lock-duration', '1500', '--stalled-interval', '500', '--grace', '2000'],
      { cwd: process.cwd(), env: { ...process.env, MISSKEY_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('kakehashi worker ready')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${output}`)));
    });
  }

  it('delivers every note exactly once when a worker dies holding a job and another takes over', async () => {
    let killedAt: string | undefined;
    const workers: { first?: ChildProcess } = {};
    instance = await startFakeMisskey({
      token: TOKEN,
      answerDelayMs: 150,
      onCreate: (note, count) => {
        if (count === 6 && workers.first) {
          killedAt = note.text;
          workers.first.kill('SIGKILL');
        }
      },
    });
    dir.write('notes.rss', rssWith(NOTES));
    const recipe = dir.write(
      'misskey.yaml',
      [
        'global:',
        '  timezone: Asia/Tokyo',
        `  state_dir: ${dir.path('state')}`,
        '  store: redis',
        'plugins:',
        '  - module: Source::Feed',
        '    config:',
        '      path: notes.rss',
        '  - module: Publish::Misskey',
        '    config:',
        `      instance: ${instance.url}`,
        '      token: ${MISSKEY_TOKEN}',
        '      backoff: 200ms',
        '',
      ].join('\n'),
    );
    const first = (workers.first = await startWorkerProcess(recipe));
    const producer = new BullQueue({ connection: TEST_REDIS_URL, prefix, log: pino({ level: 'silent' }), runWorkers: false });
    const store = new RedisStore(TEST_REDIS_URL, { prefix });
    try {
      const run = runRecipe(recipe, { env: { ...process.env, MISSKEY_TOKEN: TOKEN }, queue: producer, store });
      // The first worker is killed by the destination's hook as it makes the 6th note.
      await new Promise<void>((resolve) => first.once('exit', () => resolve()));
      expect(first.signalCode).toBe('SIGKILL');
      await startWorkerProcess(recipe);
      const report = await run;
      expect(report.deliveries.failed).toEqual([]);
      expect(report.deliveries.completed).toBe(NOTES);

      const texts = instance.notes.map((n) => n.text);
      expect(texts).toHaveLength(NOTES);
      expect(new Set(texts).size).toBe(NOTES);
      for (let n = 1; n <= NOTES; n++) expect(texts).toContain(`ノート ${n} https://taro.example/notes/${n}`);

      // The note whose answer the dead worker never heard was found again, not posted again.
      const ledger = new DeliveryLedger(store, `misskey:${instance.url}`);
      const records: LedgerRecord[] = await ledger.list();
      expect(records.filter((r) => r.state === 'delivered')).toHaveLength(NOTES);
      const reconciled = records.filter((r) => r.reconciled);
      expect(reconciled).toHaveLength(1);
      expect(instance.notes.find((n) => n.id === reconciled[0]!.remote!.id)!.text).toBe(killedAt);
    } finally {
      await producer.close();
      await store.close();
    }
  }, 60_000);

  it('finishes its in-flight job on SIGTERM and exits cleanly', async () => {
    instance = await startFakeMisskey({ token: TOKEN, answerDelayMs: 400 });
    dir.write('one.rss', rssWith(1));
    const recipe = dir.write(
      'graceful.yaml',
      ['global:', `  state_dir: ${dir.path('state2')}`, 'plugins:', '  - module: Source::Feed', '    config:', '      path: one.rss',
        '  - module: Publish::Misskey', '    config:', `      instance: ${instance.url}`, '      token: ${MISSKEY_TOKEN}', ''].join('\n'),
    );
    const worker = await startWorkerProcess(recipe);
    const producer = new BullQueue({ connection: TEST_REDIS_URL, prefix, log: pino({ level: 'silent' }), runWorkers: false });
    try {
      const run = runRecipe(recipe, { env: { ...process.env, MISSKEY_TOKEN: TOKEN }, queue: producer });
      while (instance.notes.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      worker.kill('SIGTERM');
      const exitCode = await new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
      expect(exitCode).toBe(0);
      const report = await run;
      expect(report.deliveries).toEqual({ completed: 1, failed: [] });
      expect(instance.notes).toHaveLength(1);
    } finally {
      await producer.close();
    }
  }, 30_000);
});
