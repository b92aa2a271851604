/**
 * A logged-in visit to mixi, with the manners the site asks for: every page a member opens
 * leaves a footprint (足あと) for its owner, so pages are cached (12 h by default), requests are
 * spaced out (2 s by default), and the session is the user's own: a browser's cookies.txt, or a
 * login form POST with credentials taken from the environment by the recipe, never logged.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { CookieJar } from 'tough-cookie';
import type { Context, DecodedText, HttpResponse } from '../../../pipeline/context.js';
import { sha256Hex } from '../../../pipeline/ids.js';
import { LOGIN_LOCATION, MIXI_PAGES } from './eras.js';
import { isLoginPage } from './scrape.js';

export interface MixiSessionOptions {
  baseUrl: string;
  /** Pause between one response and the next request. */
  delayMs: number;
  /** How long a fetched page is reused instead of fetched again. */
  cacheTtlMs: number;
  /** Separates the caches of two accounts (Plagger keyed its cache by the login e-mail). */
  account: string;
  jar: CookieJar;
  /** The cookies.txt the jar came from, for messages. */
  cookiesFile?: string;
  credentials?: { email: string; password: string };
}

export interface MixiPage {
  url: string;
  html: string;
  encoding: string;
  fromCache: boolean;
  /** Charset declarations the decoder overruled (`URL: HTTP charset "UTF-8" overridden: …`). */
  notes: string[];
}

/** The session is missing or expired, or the login was refused: the user has to act. */
export class MixiSessionError extends Error {
  override name = 'MixiSessionError';
}

/** The page did not decode cleanly: it is not in the encoding it declares. */
export class MixiEncodingError extends Error {
  override name = 'MixiEncodingError';
}

const PAGE_CACHE = 'mixi-page';
const SESSION_STORE = 'mixi-session';
const MAX_REDIRECTS = 5;

export class MixiSession {
  /** Requests actually sent (cache hits are not requests): what the etiquette tests count. */
  requests = 0;
  private lastResponseAt: number | undefined;
  private loggedInThisRun = false;

  constructor(
    private readonly ctx: Context,
    private readonly options: MixiSessionOptions,
  ) {}

  /** Restores the cookies a previous run's login left, so that a login is not repeated each run. */
  static async withStoredLogin(ctx: Context, options: Omit<MixiSessionOptions, 'jar'>): Promise<MixiSession> {
    const stored = await ctx.store.get<string>(SESSION_STORE, sessionKey(options));
    let jar = new CookieJar();
    if (stored) {
      try {
        jar = await CookieJar.deserialize(stored);
      } catch {
        ctx.log.warn('mixi: the stored session could not be read; logging in again');
      }
    }
    return new MixiSession(ctx, { ...options, jar });
  }

  absolute(path: string): string {
    return new URL(path, this.options.baseUrl).href;
  }

  /** A page as text. `cache: true` reuses a copy younger than the cache TTL. */
  async page(path: string, { cache }: { cache: boolean }): Promise<MixiPage> {
    const url = this.absolute(path);
    const cacheKey = `${this.options.account}|${url}`;
    if (cache && this.options.cacheTtlMs > 0) {
      const cached = await this.ctx.store.get<{ html: string; encoding: string }>(PAGE_CACHE, cacheKey);
      if (cached) return { url, ...cached, fromCache: true, notes: [] };
    }
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.get(url);
      if (outcome.kind === 'login') {
        await this.onLoginRequired(url, attempt);
        continue;
      }
      const decoded = outcome.decoded;
      assertCleanDecode(decoded, outcome.response.url);
      if (cache && this.options.cacheTtlMs > 0) {
        await this.ctx.store.set(PAGE_CACHE, cacheKey, { html: decoded.text, encoding: decoded.encoding }, this.options.cacheTtlMs);
      }
      const notes = decoded.overrides.map((override) => `${outcome.response.url}: ${override}; read as ${decoded.encoding}`);
      return { url: outcome.response.url, html: decoded.text, encoding: decoded.encoding, fromCache: false, notes };
    }
  }

  /** Saves the login's cookies for the next run (only for a session this plugin logged in itself). */
  async persist(): Promise<void> {
    if (!this.options.credentials) return;
    await this.ctx.store.set(SESSION_STORE, sessionKey(this.options), JSON.stringify(await this.options.jar.serialize()));
  }

  private async onLoginRequired(url: string, attempt: number): Promise<void> {
    const { credentials, cookiesFile } = this.options;
    if (!credentials) {
      throw new MixiSessionError(
        `mixi: session expired; export a new cookies.txt (${url} redirected to the login page` +
          `${cookiesFile ? `; the cookies came from ${cookiesFile}` : ''})`,
      );
    }
    if (attempt > 0 || this.loggedInThisRun) {
      throw new MixiSessionError(
        `mixi: logged in, but ${url} still asks for a login; mixi may want a captcha or a new cookies.txt`,
      );
    }
    await this.login(url);
  }

  private async login(nextUrl: string): Promise<void> {
    const credentials = this.options.credentials!;
    const loginUrl = this.absolute(MIXI_PAGES.login);
    const next = new URL(nextUrl);
    const form = new URLSearchParams({
      email: credentials.email,
      password: credentials.password,
      next_url: `${next.pathname}${next.search}`,
      sticky: 'on',
    });
    this.ctx.log.info({ url: loginUrl }, 'mixi: logging in');
    const response = await this.send(loginUrl, {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.loggedInThisRun = true;
    const location = response.headers.get('location');
    const refused =
      (isRedirect(response.status) && location !== null && LOGIN_LOCATION.test(new URL(location, loginUrl).pathname)) ||
      (response.status === 200 && isLoginPage(response.text('html').text)) ||
      response.status >= 400;
    if (refused) {
      throw new MixiSessionError(
        `mixi: login refused at ${loginUrl} (HTTP ${response.status}); check the email and password the recipe takes from the environment`,
      );
    }
  }

  private async get(
    url: string,
  ): Promise<{ kind: 'login' } | { kind: 'page'; response: HttpResponse; decoded: DecodedText }> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await this.send(current, { method: 'GET' });
      if (isRedirect(response.status)) {
        const location = response.headers.get('location');
        if (!location) throw new Error(`mixi: ${current} answered ${response.status} without a Location`);
        const target = new URL(location, current);
        if (LOGIN_LOCATION.test(target.pathname)) return { kind: 'login' };
        current = target.href;
        continue;
      }
      if (response.status < 200 || response.status > 299) {
        const hint = response.status === 503 ? '; mixi is refusing requests: wait, and raise `delay`' : '';
        throw new Error(`mixi: ${current} answered HTTP ${response.status}${hint}`);
      }
      const decoded = response.text('html');
      if (isLoginPage(decoded.text)) return { kind: 'login' };
      return { kind: 'page', response, decoded };
    }
    throw new Error(`mixi: ${url}: more than ${MAX_REDIRECTS} redirects`);
  }

  /** One request: waits for its turn, sends the jar's cookies, keeps the ones that come back. */
  private async send(
    url: string,
    request: { method: string; body?: string; headers?: Record<string, string> },
  ): Promise<HttpResponse> {
    await this.waitForTurn();
    const cookie = await this.options.jar.getCookieString(url);
    try {
      this.requests++;
      const response = await this.ctx.http.request(url, {
        ...request,
        headers: { ...request.headers, ...(cookie ? { cookie } : {}) },
        maxRedirects: 0,
        signal: this.ctx.signal,
      });
      for (const setCookie of response.headers.getSetCookie()) {
        await this.options.jar.setCookie(setCookie, url, { ignoreError: true });
      }
      return response;
    } finally {
      this.lastResponseAt = performance.now();
    }
  }

  private async waitForTurn(): Promise<void> {
    if (this.lastResponseAt === undefined || this.options.delayMs <= 0) return;
    const wait = this.lastResponseAt + this.options.delayMs - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal: this.ctx.signal });
  }
}

/**
 * Whether the jar holds at least one unexpired cookie for the site, checked before the first
 * request. Cookie expiry is real time (the cookie library reads the system clock), not run time.
 */
export async function hasCookiesFor(jar: CookieJar, url: string): Promise<boolean> {
  const cookies = await jar.getCookies(url);
  return cookies.length > 0;
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400 && status !== 304;
}

function sessionKey(options: Pick<MixiSessionOptions, 'baseUrl' | 'credentials'>): string {
  // The e-mail only as a hash: the state store is no place for credentials.
  return sha256Hex(`${options.baseUrl}\u0000${options.credentials?.email ?? ''}`).slice(0, 32);
}

const JAPANESE_ENCODINGS = new Set(['utf-8', 'euc-jp', 'shift_jis', 'iso-2022-jp']);

/**
 * mixi only ever served Japanese text, as EUC-JP or UTF-8 (saved copies may have become Shift_JIS).
 * When the decoder had to fall back to a Western encoding, or left U+FFFD for bytes it could not
 * map, the page mixes encodings or is damaged; scraping it would publish mojibake, so the page is
 * refused, by name, with what the decoder saw.
 */
export function assertCleanDecode(decoded: DecodedText, where: string): void {
  const replaced = decoded.text.match(/\uFFFD/g)?.length ?? 0;
  const japanese = JAPANESE_ENCODINGS.has(decoded.encoding.toLowerCase());
  if (replaced === 0 && japanese) return;
  const seen = [...decoded.overrides, `read as ${decoded.encoding} (${decoded.decidedBy})`].join('; ');
  throw new MixiEncodingError(
    `mixi: ${where} is not valid in any Japanese encoding (${seen}` +
      `${replaced ? `; ${replaced} character(s) could not be decoded` : ''}): the page mixes encodings or is damaged`,
  );
}
