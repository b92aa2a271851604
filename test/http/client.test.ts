import { brotliCompressSync, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, HttpError, USER_AGENT } from '../../src/http/client.js';
import { createLogger } from '../../src/pipeline/run.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { startServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
const store = openSqliteStore(':memory:');
const client = (options: Partial<Parameters<typeof createHttpClient>[0]> = {}) =>
  createHttpClient({ store, log: createLogger('silent'), ...options });

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('ctx.http', () => {
  it('names kakehashi and its version in the User-Agent', async () => {
    const server = await serve((_req, res) => {
      res.end('ok');
    });
    await client().fetch(`${server.url}/`);
    expect(server.requests[0]!.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^kakehashi\/\d+\.\d+\.\d+/);
  });

  it('decodes gzip and br bodies', async () => {
    const body = '<rss>日本語</rss>';
    const server = await serve((req, res) => {
      const br = req.url === '/br';
      res.writeHead(200, { 'content-encoding': br ? 'br' : 'gzip', 'content-type': 'application/rss+xml; charset=utf-8' });
      res.end(br ? brotliCompressSync(body) : gzipSync(body));
    });
    expect((await client().fetch(`${server.url}/gz`)).text('xml').text).toBe(body);
    expect((await client().fetch(`${server.url}/br`)).text('xml').text).toBe(body);
  });

  it('decodes the body once with the HTTP charset', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=Shift_JIS' });
      res.end(iconv.encode('<?xml version="1.0"?><rss>こんにちは①</rss>', 'shift_jis'));
    });
    const text = (await client().fetch(`${server.url}/`)).text('xml');
    expect(text.text).toContain('こんにちは①');
    expect(text.encoding.toLowerCase()).toMatch(/shift_jis|windows-31j|cp932/);
  });

  it('does a conditional GET with the stored ETag and still yields the body on 304', async () => {
    const server = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"' });
        res.end();
        return;
      }
      res.writeHead(200, { etag: '"v1"', 'last-modified': 'Fri, 30 May 2008 12:00:00 GMT', 'content-type': 'text/plain' });
      res.end('the document');
    });
    const url = `${server.url}/conditional`;
    const first = await client().fetch(url, { conditional: true });
    expect(first.notModified).toBe(false);
    const second = await client().fetch(url, { conditional: true });
    expect(server.requests[1]!.headers['if-none-match']).toBe('"v1"');
    expect(server.requests[1]!.headers['if-modified-since']).toBe('Fri, 30 May 2008 12:00:00 GMT');
    expect(second.notModified).toBe(true);
    expect(second.body.toString()).toBe('the document');
  });

  it('follows redirects up to the cap and names the URL past it', async () => {
    const server = await serve((req, res) => {
      const hop = Number(req.url!.slice(1));
      if (hop < 10) {
        res.writeHead(302, { location: `/${hop + 1}` });
        res.end();
      } else res.end('arrived');
    });
    const followed = await client().fetch(`${server.url}/7`);
    expect(followed.body.toString()).toBe('arrived');
    expect(followed.url).toBe(`${server.url}/10`);
    expect(followed.redirects).toHaveLength(3);
    await expect(client({ maxRedirects: 5 }).fetch(`${server.url}/0`)).rejects.toThrow(`${server.url}/0: more than 5 redirects`);
  });

  it('stops a gzip bomb at the size cap, counted after decompression', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
    await expect(client({ maxBytes: 1024 * 1024 }).fetch(`${server.url}/bomb`)).rejects.toThrow(/over the 1048576-byte limit \(after decompression\)/);
  });

  it('times out a server that never answers, naming the URL', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    await expect(client().fetch(`${server.url}/slow`, { timeoutMs: 300 })).rejects.toThrow(`${server.url}/slow: timed out after 300 ms`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('times out a body that stops halfway, and stops when the caller aborts', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only the start');
    });
    await expect(client().fetch(`${server.url}/stalls`, { timeoutMs: 300 })).rejects.toThrow(`${server.url}/stalls: timed out after 300 ms`);
    const controller = new AbortController();
    const asked = client().fetch(`${server.url}/cancelled`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(asked).rejects.toThrow(`${server.url}/cancelled: aborted`);
    const aborted = AbortSignal.abort();
    await expect(client().fetch(`${server.url}/never`, { signal: aborted })).rejects.toThrow(`${server.url}/never: aborted`);
  });

  it('reads JSON as its charset says, also when the bytes are ASCII', async () => {
    const answers: Record<string, [string, Buffer]> = {
      '/plain': ['application/json', Buffer.from('{"id":"rcv-1"}')],
      // 日本語 in ISO-2022-JP: seven-bit bytes, one of them a backslash.
      '/jis': ['application/json; charset=ISO-2022-JP', Buffer.from('{"title":"\x1b$BF|K\\8l\x1b(B"}', 'latin1')],
      '/sjis': ['application/json; charset=Shift_JIS', iconv.encode('{"title":"日本語"}', 'shift_jis')],
      '/chunked': ['application/json', Buffer.from('{"id":2}')],
    };
    const server = await serve((req, res) => {
      const [type, bytes] = answers[req.url!]!;
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': type });
        res.write(bytes.subarray(0, 3));
        res.end(bytes.subarray(3));
      } else {
        res.writeHead(200, { 'content-type': type, 'content-length': String(bytes.length) });
        res.end(bytes);
      }
    });
    expect((await client().fetch(`${server.url}/plain`)).json()).toEqual({ id: 'rcv-1' });
    expect((await client().fetch(`${server.url}/jis`)).json()).toEqual({ title: '日本語' });
    expect((await client().fetch(`${server.url}/sjis`)).json()).toEqual({ title: '日本語' });
    expect((await client().fetch(`${server.url}/chunked`)).json()).toEqual({ id: 2 });
  });

  it('throws HttpError with the status for a non-2xx answer, and request() returns it', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404);
      res.end('gone');
    });
    const error = await client().fetch(`${server.url}/missing`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(404);
    expect((error as HttpError).message).toBe(`${server.url}/missing: HTTP 404 Not Found`);
    expect((await client().request(`${server.url}/missing`)).status).toBe(404);
  });

  it('waits for Retry-After on a 429 and then gets the document', async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      if (++calls === 1) {
        res.writeHead(429, { 'retry-after': '1' });
        res.end();
      } else res.end('after waiting');
    });
    const started = Date.now();
    const response = await client().fetch(`${server.url}/limited`);
    expect(response.body.toString()).toBe('after waiting');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('limits concurrent requests per host', async () => {
    let active = 0;
    let peak = 0;
    const server = await serve(async (_req, res) => {
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, 50));
      active--;
      res.end('ok');
    });
    const http = client({ perHostConcurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => http.fetch(`${server.url}/${i}`)));
    expect(peak).toBe(2);
  });

  it('says which JSON body could not be parsed', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>oops</html>');
    });
    const response = await client().fetch(`${server.url}/api`);
    expect(() => response.json()).toThrow(new RegExp(`^${server.url}/api: not JSON .*"<html>oops</html>"`));
  });
});

describe('ctx.http with credentials in the URL', () => {
  it('sends them as Basic auth and keeps them out of the URL and of messages', async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.headers.authorization === `Basic ${Buffer.from('taro:pa ss').toString('base64')}` ? 404 : 401);
      res.end();
    });
    const url = server.url.replace('http://', 'http://taro:pa%20ss@');
    const error = (await client().fetch(`${url}/private.rss`).catch((e: unknown) => e)) as HttpError;
    expect(error.status).toBe(404);
    expect(error.message).toBe(`${server.url}/private.rss: HTTP 404 Not Found`);
    expect(server.requests[0]!.url).toBe('/private.rss');
  });
});
