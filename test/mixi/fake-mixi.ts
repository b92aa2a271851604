/**
 * A local mixi that behaves as the real site did towards a logged-in browser and towards a
 * stranger: pages only for a live session cookie, a 302 to login.pl otherwise, a login form POST
 * that sets BF_SESSION/BF_STAMP and answers with a meta refresh, charsets in the HTTP header.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer, type TestServer } from '../helpers/server.js';

export const FIXTURES = join(import.meta.dirname, '../fixtures/mixi');
/** The session cookies.txt holds (test/fixtures/mixi/cookies.txt). */
export const BROWSER_SESSION = '123456_a1b2c3d4e5f6';
export const OWNER_ID = '123456';
export const LOGIN = { email: 'taro@example.jp', password: 'ame-ga-furu-2008' };

export interface FakeMixiOptions {
  era: '2007' | '2010';
  /** Sessions the site accepts. Default: the browser's (cookies.txt). */
  liveSessions?: string[];
  /** Replace what a path serves: a fixture file and the charset the HTTP header claims. */
  override?: Record<string, { file: string; charset: string } | { status: number }>;
}

export interface FakeMixi {
  url: string;
  server: TestServer;
  /** Arrival time (performance.now) and path of every request, in order. */
  arrivals: Array<{ at: number; path: string }>;
  requestsTo(pathPrefix: string): number;
  /** Forget every session, as mixi did when a login expired. */
  expireSessions(): void;
  /** Serve another file for a path from now on (a list row that changed). */
  override: NonNullable<FakeMixiOptions['override']>;
  close(): Promise<void>;
}

const ISSUED_SESSION = 'issued_9z8y7x';

export async function startFakeMixi(options: FakeMixiOptions): Promise<FakeMixi> {
  const live = new Set(options.liveSessions ?? [BROWSER_SESSION]);
  const override = { ...(options.override ?? {}) };
  const arrivals: FakeMixi['arrivals'] = [];
  const charset = options.era === '2007' ? 'EUC-JP' : 'UTF-8';
  const page = (name: string): string => join(FIXTURES, options.era, name);

  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mixi.test');
    const path = `${url.pathname}${url.search}`;
    arrivals.push({ at: performance.now(), path });
    const send = (file: string, fileCharset = charset, extra: Record<string, string | string[]> = {}) => {
      const bytes = readFileSync(file);
      res.writeHead(200, {
        'content-type': `text/html; charset=${fileCharset}`,
        'cache-control': 'no-cache',
        pragma: 'no-cache',
        ...extra,
      });
      res.end(bytes);
    };

    if (url.pathname === '/login.pl') {
      if (req.method === 'POST') {
        const form = new URLSearchParams(req.body.toString('utf8'));
        if (form.get('email') === LOGIN.email && form.get('password') === LOGIN.password) {
          live.add(ISSUED_SESSION);
          const next = form.get('next_url') ?? '/home.pl';
          res.writeHead(200, {
            'content-type': 'text/html; charset=EUC-JP',
            'set-cookie': [
              `BF_SESSION=${ISSUED_SESSION}; path=/; HttpOnly`,
              `BF_STAMP=4c5d6e; path=/; expires=Fri, 01-Jan-2100 00:00:00 GMT`,
            ],
          });
          res.end(`<html><head><meta http-equiv="refresh" content="0;url=${next}"></head><body></body></html>`);
          return;
        }
      }
      send(join(FIXTURES, '2007/login.html'), 'EUC-JP');
      return;
    }

    const session = /(?:^|;\s*)BF_SESSION=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!session || !live.has(session)) {
      res.writeHead(302, { location: `/login.pl?next_url=${encodeURIComponent(path)}`, 'content-type': 'text/html' });
      res.end();
      return;
    }

    const replaced = override[path] ?? override[url.pathname];
    if (replaced) {
      if ('status' in replaced) {
        res.writeHead(replaced.status, { 'content-type': `text/html; charset=${charset}` });
        res.end('<html><body>エラー</body></html>');
      } else {
        send(replaced.file, replaced.charset);
      }
      return;
    }
    const id = url.searchParams.get('id');
    switch (url.pathname) {
      case '/list_diary.pl':
        if (id === OWNER_ID) return send(page('list_diary.html'));
        break;
      case '/view_diary.pl':
        if (id && url.searchParams.get('owner_id') === OWNER_ID) {
          try {
            return send(page(`view_diary_${id}.html`));
          } catch {
            break;
          }
        }
        break;
      case '/new_friend_diary.pl':
        return send(join(FIXTURES, '2007/new_friend_diary.html'), 'EUC-JP');
      case '/list_echo.pl':
        if (id === OWNER_ID) return send(join(FIXTURES, '2007/list_echo.html'), 'EUC-JP');
        break;
      case '/list_voice.pl':
        if (url.searchParams.get('owner_id') === OWNER_ID) return send(join(FIXTURES, '2010/list_voice.html'), 'UTF-8');
        break;
    }
    res.writeHead(404, { 'content-type': `text/html; charset=${charset}` });
    res.end('<html><body>Not Found</body></html>');
  });

  return {
    url: `${server.url}/`,
    server,
    arrivals,
    override,
    expireSessions: () => live.clear(),
    requestsTo: (prefix) => arrivals.filter((a) => a.path.startsWith(prefix)).length,
    close: () => server.close(),
  };
}
