/**
 * `/feeds/lifestream.rss` (about 200 KB) under load, against a bare Fastify route sending the
 * same bytes, in the same run: `npx tsx bench/serve.ts` (options: --connections 50 --duration 10).
 * Target: kakehashi ≥ 0.9 × bare Fastify, for 200 responses and for 304 revalidations.
 *
 * The servers run in a child process so that autocannon does not share their event loop.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { renderRss, renderAtom, renderJsonFeed } from '../src/feed/render.js';
import type { Entry } from '../src/pipeline/model.js';
import { makeEntry, makeFeed } from '../src/pipeline/model.js';
import { MemoryQueue } from '../src/queue/memory.js';
import { buildServer } from '../src/server/app.js';
import { storeRender } from '../src/plugins/publish/feed.js';
import { openSqliteStore } from '../src/store/sqlite.js';

const NOW = Date.UTC(2026, 0, 15, 3, 0, 0);
const SERVICES = ['hatena', 'twitter', 'mixi', 'friendfeed', 'feed'];

/** A lifestream whose RSS rendering is about `targetBytes`. */
function lifestream(targetBytes: number): { entries: Entry[]; rss: string } {
  const paragraph =
    '今日は朝から雨でした。駅前の喫茶店で本を読みながら、週末に出かける予定を考えています。' +
    'The quick brown fox jumps over the lazy dog, twice, because one jump is never enough. ';
  const entries: Entry[] = [];
  let rss = '';
  for (let i = 0; Buffer.byteLength(rss) < targetBytes; i++) {
    const service = SERVICES[i % SERVICES.length] as string;
    entries.push(
      makeEntry({
        id: `${service}:${i}`,
        title: `エントリー ${i} — ${service} より`,
        link: `https://example.jp/${service}/${i}`,
        content: `<p>${paragraph.repeat(1 + (i % 3))}</p><p><a href="https://example.jp/${i}">続きを読む</a></p>`,
        author: 'taro',
        published: { epochMs: NOW - i * 3_600_000, kind: 'zoned', precision: 'second', offsetMinutes: 540 },
        tags: [service],
        source: { plugin: 'Source::Feed', feedId: service, feedTitle: service, service },
      }),
    );
    if (i % 10 === 0) rss = renderRss(makeFeed({ id: 'lifestream', title: 'bench', entries }), { timezone: 'Asia/Tokyo', now: NOW });
  }
  rss = renderRss(makeFeed({ id: 'lifestream', title: 'bench', entries }), { timezone: 'Asia/Tokyo', now: NOW });
  return { entries, rss };
}

// ─── Child: both servers ────────────────────────────────────────────────────────────────────────

async function serveBoth(): Promise<void> {
  const { entries, rss } = lifestream(200_000);
  const store = openSqliteStore(':memory:');
  await store.saveRetained('lifestream', entries);
  const feed = makeFeed({ id: 'lifestream', title: 'bench', entries });
  const renders = { rss, atom: renderAtom(feed, { timezone: 'Asia/Tokyo', now: NOW }), json: renderJsonFeed(feed, { timezone: 'Asia/Tokyo', now: NOW }) };
  const types = { rss: 'application/rss+xml; charset=utf-8', atom: 'application/atom+xml; charset=utf-8', json: 'application/feed+json; charset=utf-8' };
  for (const format of ['rss', 'atom', 'json'] as const) {
    const body = renders[format];
    await storeRender({ store }, `lifestream.${format}`, { inputs: format, render: () => body, contentType: types[format], entries: entries.length, now: NOW });
  }
  const app = await buildServer({
    store,
    queue: new MemoryQueue(),
    recipes: [{ name: 'lifestream', schedule: { every: '15m' }, feeds: ['lifestream'] }],
    env: {},
  });
  const kakehashiUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  // The baseline: the same bytes from a route that does nothing else.
  const bare = Fastify();
  const bytes = Buffer.from(rss, 'utf8');
  const bareEtag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"`;
  bare.get('/feeds/lifestream.rss', (request, reply) => {
    if (request.headers['if-none-match'] === bareEtag) return reply.code(304).send();
    return reply.header('content-type', types.rss).header('etag', bareEtag).send(bytes);
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  process.send?.({ kakehashiUrl, bareUrl, bytes: bytes.length, entries: entries.length });
  process.on('disconnect', () => {
    void Promise.all([app.close(), bare.close()]).then(() => store.close()).then(() => process.exit(0));
  });
}

// ─── Parent: load ───────────────────────────────────────────────────────────────────────────────

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function load(url: string, headers: Record<string, string>, expectStatus: number, connections: number, duration: number) {
  const result = await autocannon({ url, connections, duration, headers });
  const statuses = Object.keys(result.statusCodeStats).join(',');
  if (result.errors > 0 || statuses !== String(expectStatus)) {
    throw new Error(`${url}: expected only ${expectStatus}, got statuses ${statuses} and ${result.errors} errors`);
  }
  return result.requests.average;
}

async function main(): Promise<void> {
  const connections = option('connections', 50);
  const duration = option('duration', 10);
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: ['--import', 'tsx'] });
  const ready = await new Promise<{ kakehashiUrl: string; bareUrl: string; bytes: number; entries: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as never));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const ours = `${ready.kakehashiUrl}/feeds/lifestream.rss`;
  const bare = `${ready.bareUrl}/feeds/lifestream.rss`;
  const etag = (await fetch(ours)).headers.get('etag') as string;
  const bareEtag = (await fetch(bare)).headers.get('etag') as string;
  console.log(`/feeds/lifestream.rss: ${ready.bytes.toLocaleString('en-US')} bytes, ${ready.entries} entries; ${connections} connections, ${duration} s per run, node ${process.version}`);

  // Warm both up, then alternate so that drift in the machine's load hits both alike.
  await load(ours, {}, 200, connections, 2);
  await load(bare, {}, 200, connections, 2);
  const figures = { bare200: 0, ours200: 0, bare304: 0, ours304: 0 };
  const rounds = 2;
  for (let round = 0; round < rounds; round++) {
    figures.bare200 += (await load(bare, {}, 200, connections, duration)) / rounds;
    figures.ours200 += (await load(ours, {}, 200, connections, duration)) / rounds;
    figures.bare304 += (await load(bare, { 'if-none-match': bareEtag }, 304, connections, duration)) / rounds;
    figures.ours304 += (await load(ours, { 'if-none-match': etag }, 304, connections, duration)) / rounds;
  }
  const row = (label: string, bareRate: number, ourRate: number) => {
    const ratio = ourRate / bareRate;
    console.log(
      `${label.padEnd(6)} bare Fastify ${Math.round(bareRate).toLocaleString('en-US').padStart(7)} req/s   ` +
        `kakehashi ${Math.round(ourRate).toLocaleString('en-US').padStart(7)} req/s   ratio ${ratio.toFixed(2)} ${ratio >= 0.9 ? '(≥ 0.9 ✓)' : '(< 0.9 ✗)'}`,
    );
  };
  row('200', figures.bare200, figures.ours200);
  row('304', figures.bare304, figures.ours304);
  child.disconnect();
}

if (process.argv.includes('--child')) await serveBoth();
else await main();
