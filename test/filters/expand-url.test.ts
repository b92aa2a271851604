import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import expandUrl from '../../src/plugins/filter/expand-url.js';
import { makeTestContext } from '../helpers/context.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { entryOf, feedOf, TWITTER } from '../rules/make.js';
import type { Feed } from '../../src/pipeline/model.js';

let site: TestServer;
let shortener: TestServer;
let stateDir: string;
let inFlight = 0;
let maxInFlight = 0;

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'kakehashi-expand-'));
  inFlight = 0;
  maxInFlight = 0;
  site = await startServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    if (path === '/entry/1') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><title>post</title></html>');
    } else if (path === '/login') {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('forbidden');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  shortener = await startServer(async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 30));
    inFlight--;
    const redirect = (status: number, location: string) => {
      res.writeHead(status, { location, 'content-type': 'text/html', 'content-length': '0' });
      res.end();
    };
    const path = req.url ?? '/';
    if (path === '/abc') return redirect(301, `${shortener.url}/hop/abc`);
    if (path === '/hop/abc') return redirect(302, `${site.url}/entry/1?utm_source=twitter`);
    if (path === '/head-refused') {
      if (req.method === 'HEAD') {
        res.writeHead(405, { allow: 'GET' });
        return void res.end();
      }
      return redirect(301, `${site.url}/entry/1`);
    }
    if (path === '/loop-a') return redirect(302, `${shortener.url}/loop-b`);
    if (path === '/loop-b') return redirect(302, `${shortener.url}/loop-a`);
    if (path === '/gone') return redirect(301, `${site.url}/login`);
    const many = /^\/many\/(\d+)$/.exec(path);
    if (many) return redirect(301, `${site.url}/entry/1?n=${many[1]}`);
    res.writeHead(404);
    res.end();
  });
});

afterEach(async () => {
  await site.close();
  await shortener.close();
  rmSync(stateDir, { recursive: true, force: true });
});

async function expand(feed: Feed, config: Record<string, unknown> = {}): Promise<Feed> {
  const host = new URL(shortener.url).host;
  const { ctx, close } = await makeTestContext(expandUrl.config.parse({ hosts: [host], ...config }), { stateDir });
  try {
    return await expandUrl.feed!(feed, ctx);
  } finally {
    await close();
  }
}

describe('Filter::ExpandURL', () => {
  it('follows a 301/302 chain and rewrites the link and the body, href and text', async () => {
    const short = `${shortener.url}/abc`;
    const entry = entryOf({ id: 'e', title: 't', link: short, content: `<p>read <a href="${short}">${short}</a>.</p>` });
    const out = (await expand(feedOf('f', [entry]))).entries[0]!;
    const final = `${site.url}/entry/1?utm_source=twitter`;
    expect(out.link).toBe(final);
    expect(out.content).toBe(`<p>read <a href="${final}">${final}</a>.</p>`);
    expect(shortener.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['HEAD /abc', 'HEAD /hop/abc']);
  });

  it('falls back to GET when HEAD is refused', async () => {
    const entry = entryOf({ id: 'e', title: 't', link: `${shortener.url}/head-refused` });
    expect((await expand(feedOf('f', [entry]))).entries[0]!.link).toBe(`${site.url}/entry/1`);
  });

  it('leaves a link alone after the hop cap (a redirect loop) or when the shortener fails', async () => {
    const loop = entryOf({ id: 'loop', title: 't', link: `${shortener.url}/loop-a` });
    const missing = entryOf({ id: 'missing', title: 't', link: `${shortener.url}/no-such-code` });
    // The shortener answered; that the page behind it refuses us does not make the answer wrong.
    const refused = entryOf({ id: 'refused', title: 't', link: `${shortener.url}/gone` });
    const out = await expand(feedOf('f', [loop, missing, refused]), { max_hops: 4 });
    expect(out.entries.map((e) => e.link)).toEqual([loop.link, missing.link, `${site.url}/login`]);
    expect(shortener.requests.filter((r) => r.url.startsWith('/loop')).length).toBe(5);
  });

  it('uses a tweet\'s own t.co map without asking the network', async () => {
    const tweet = entryOf(
      {
        id: 'tweet',
        title: 'ブログ書いた https://t.co/AbCdEf1234',
        content: 'ブログ書いた <a href="https://t.co/AbCdEf1234">https://t.co/AbCdEf1234</a>',
        meta: { twitter: { urls: [{ url: 'https://t.co/AbCdEf1234', expanded_url: 'https://taro.hatenablog.com/entry/2008/05/30/213400' }] } },
      },
      TWITTER,
    );
    const out = (await expand(feedOf('twitter', [tweet]), { hosts: ['t.co'] })).entries[0]!;
    expect(out.content).toBe(
      'ブログ書いた <a href="https://taro.hatenablog.com/entry/2008/05/30/213400">https://taro.hatenablog.com/entry/2008/05/30/213400</a>',
    );
    expect(shortener.requests).toHaveLength(0);
  });

  it('caches resolved links in the store and resolves with limited concurrency', async () => {
    const entries = Array.from({ length: 8 }, (_, i) => entryOf({ id: `e${i}`, title: 't', link: `${shortener.url}/many/${i}` }));
    const first = await expand(feedOf('f', entries), { concurrency: 2 });
    expect(first.entries.map((e) => e.link)).toEqual(entries.map((_, i) => `${site.url}/entry/1?n=${i}`));
    expect(maxInFlight).toBe(2);
    const asked = shortener.requests.length;
    const again = await expand(feedOf('f', entries), { concurrency: 2 });
    expect(again.entries.map((e) => e.link)).toEqual(first.entries.map((e) => e.link));
    expect(shortener.requests.length).toBe(asked);
  });
});
