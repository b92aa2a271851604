/** Local HTTP servers that play upstream services in tests, on 127.0.0.1 and a free port. */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage & { body: Buffer }, res: ServerResponse) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      Promise.resolve(handler(Object.assign(req, { body }), res)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Route {
  file?: string;
  body?: string | Buffer;
  status?: number;
  headers?: Record<string, string>;
}

/**
 * Serves fixed routes by path (query included when the route names one). ETag and Last-Modified
 * given in `headers` are honoured for conditional requests, as a real server would.
 */
export function serveFiles(routes: Record<string, Route>): Promise<TestServer> {
  return startServer((req, res) => {
    const url = req.url ?? '/';
    const route = routes[url] ?? routes[url.split('?')[0]!];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>Not Found</body></html>');
      return;
    }
    const headers = { ...(route.headers ?? {}) };
    const etag = headers.etag ?? headers.ETag;
    const lastModified = headers['last-modified'] ?? headers['Last-Modified'];
    if ((etag && req.headers['if-none-match'] === etag) || (!etag && lastModified && req.headers['if-modified-since'] === lastModified)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const body = route.file ? readFileSync(route.file) : route.body ?? '';
    res.writeHead(route.status ?? 200, headers);
    res.end(body);
  });
}
