/**
 * `kakehashi serve` end to end, in this process: real recipes (the bundled examples plus feeds
 * served by a local HTTP server, one of them broken) run by the scheduler through the real
 * pipeline, then read back over a real socket the way a feed reader and a browser would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { parseFeedDocument } from '../../src/feed/parse.js';

const EXAMPLES = resolve('examples');

const LOCAL_FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>ローカルの日記</title><link>http://127.0.0.1/</link><description>d</description>
<item><title>ローカルの記事</title><link>http://127.0.0.1/1</link><guid>local-1</guid><pubDate>Wed, 14 Jan 2026 23:30:00 +0900</pubDate><description>&lt;p&gt;こんにちは&lt;/p&gt;</description></item>
</channel></rss>`;

let dir: string;
let upstream: Server;
let upstreamUrl: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kh-serve-e2e-'));
  upstream = createServer((request, response) => {
    if (request.url === '/feed.xml') {
      response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      response.end(LOCAL_FEED);
    } else {
      response.writeHead(503, { 'content-type': 'text/plain' });
      response.end('maintenance');
    }
  });
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  writeFileSync(
    join(dir, 'lifestream.yaml'),
    `global:
  timezone: Asia/Tokyo
  state_dir: ./state
  output_dir: ./out
schedule:
  every: 15m
plugins:
  - module: Source::Feed
    config: { path: ${EXAMPLES}/blog.rss, service: feed }
  - module: Source::Feed
    config: { path: ${EXAMPLES}/hatena-diary.rdf, service: hatena }
  - module: Source::Feed
    config: { url: ${upstreamUrl}/feed.xml, service: feed }
  - module: Source::Feed
    config: { url: ${upstreamUrl}/broken.xml, service: feed }
  - module: Publish::Feed
    config:
      name: lifestream
      title: taro's lifestream
      link: https://taro.example.jp/
`,
  );
  server = await startServer([join(dir, 'lifestream.yaml')], {
    host: '127.0.0.1',
    port: 0,
    workers: true,
    runAtStart: true,
    logLevel: 'error',
    env: {},
  });
  // The run started with the server; wait for it.
  await server.app.kakehashi.runNow('lifestream');
});

afterAll(async () => {
  await server?.stop();
  await new Promise((done) => upstream?.close(done));
  rmSync(dir, { recursive: true, force: true });
});

describe('kakehashi serve on a real recipe', () => {
  it('serves the feed the run published, with validators and Cache-Control from the schedule', async () => {
    const response = await fetch(`${server.url}/feeds/lifestream.rss`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    // fetch asks for compression on its own and decodes it.
    expect(response.headers.get('content-encoding')).toMatch(/^(?:br|gzip)$/);
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(800);
    expect(maxAge).toBeLessThanOrEqual(900);
    const parsed = await parseFeedDocument(await response.text(), { defaultZone: 'Asia/Tokyo' });
    expect(parsed.title).toBe("taro's lifestream");
    expect(parsed.items.map((i) => i.title)).toContain('ローカルの記事');
    expect(parsed.items).toHaveLength(5);

    const again = await fetch(`${server.url}/feeds/lifestream.rss`, { headers: { 'if-none-match': response.headers.get('etag') as string } });
    expect(again.status).toBe(304);
  });

  it('keeps the ETag when a later run finds nothing new, so readers keep getting 304', async () => {
    const before = await fetch(`${server.url}/feeds/lifestream.atom`);
    await before.arrayBuffer();
    const finished = await server.app.kakehashi.runNow('lifestream');
    expect(finished?.report?.entriesOut).toBe(5);
    const after = await fetch(`${server.url}/feeds/lifestream.atom`, {
      headers: { 'if-none-match': before.headers.get('etag') as string, 'if-modified-since': before.headers.get('last-modified') as string },
    });
    expect(after.status).toBe(304);
  });

  it('shows the entries on the page with their times in JST', async () => {
    const response = await fetch(`${server.url}/`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("<title>taro&apos;s lifestream</title>");
    expect(html).toContain('ローカルの記事');
    expect(html).toContain('<time datetime="2026-01-14T23:30:00+09:00">2026-01-14 23:30</time>');
    expect(html.match(/<li class="entry"/g)).toHaveLength(5);
  });

  it('shows the broken source with its message on /status and counts it in /metrics', async () => {
    const status = (await (await fetch(`${server.url}/status`)).json()) as {
      ok: boolean;
      recipes: Array<{ name: string; schedule: string; lastRun: { failedSources: Array<{ target: string; error: string }> } }>;
    };
    expect(status.ok).toBe(false);
    const recipe = status.recipes[0];
    expect(recipe?.schedule).toBe('every 15m');
    expect(recipe?.lastRun.failedSources).toHaveLength(1);
    expect(recipe?.lastRun.failedSources[0]?.target).toBe(`${upstreamUrl}/broken.xml`);
    expect(recipe?.lastRun.failedSources[0]?.error).toMatch(/503/);
    const page = await (await fetch(`${server.url}/status`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain(`${upstreamUrl}/broken.xml`);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/kakehashi_runs_total\{recipe="lifestream",outcome="partial"\} [1-9]/);
  });

  it('lists the recipe’s subscriptions in /opml', async () => {
    const opml = await (await fetch(`${server.url}/opml`)).text();
    expect(opml).toContain(`xmlUrl="${upstreamUrl}/feed.xml"`);
  });
});
