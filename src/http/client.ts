/**
 * The one HTTP client every plugin uses (ctx.http): timeouts, a redirect cap, a size cap counted
 * after decompression, conditional GET remembered in the state store, a per-host concurrency
 * limit, Retry-After honoured, and bytes decoded once, here at the edge.
 */
import { isAscii } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import type {
  DecodeKind,
  DecodedText,
  HttpClient,
  HttpRequestOptions,
  HttpResponse,
  Logger,
  Store,
} from '../pipeline/context.js';
import { decode } from '../text/charset.js';
import { VERSION } from '../version.js';

export const USER_AGENT = `kakehashi/${VERSION} (+https://github.com/kakehashi/kakehashi)`;

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    readonly headers?: Headers,
  ) {
    super(message);
  }
}

export interface HttpClientOptions {
  store: Store;
  log: Logger;
  userAgent?: string;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  perHostConcurrency?: number;
  /** Longest Retry-After we wait for before giving up on a 429/503. */
  maxRetryAfterMs?: number;
}

interface CachedValidators {
  etag?: string;
  lastModified?: string;
  /** The body that went with them, so a 304 still yields the document (base64). */
  body?: string;
  contentType?: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const userAgent = options.userAgent ?? USER_AGENT;
  const defaultTimeout = options.timeoutMs ?? 30_000;
  const defaultMaxBytes = options.maxBytes ?? 50 * 1024 * 1024;
  const defaultMaxRedirects = options.maxRedirects ?? 5;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const dispatcher = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    // Redirects are followed here, so that every hop is counted and checked.
    maxRedirections: 0,
  } as ConstructorParameters<typeof Agent>[0]);
  const hostGates = new Map<string, HostGate>();
  const gateFor = (url: URL): HostGate => {
    let gate = hostGates.get(url.host);
    if (!gate) {
      gate = new HostGate(options.perHostConcurrency ?? 4);
      hostGates.set(url.host, gate);
    }
    return gate;
  };

  async function send(url: string, request: HttpRequestOptions, throwOnStatus: boolean): Promise<HttpResponse> {
    const method = (request.method ?? 'GET').toUpperCase();
    const maxRedirects = request.maxRedirects ?? defaultMaxRedirects;
    const redirects: string[] = [];
    const validators =
      request.conditional && method === 'GET' ? await options.store.get<CachedValidators>('http', url) : undefined;
    let current = url;
    let currentMethod = method;
    let body = request.body;
    for (let hop = 0; ; hop++) {
      const target = parseUrl(current);
      const headers: Record<string, string> = {
        'user-agent': userAgent,
        'accept-encoding': 'gzip, deflate, br',
        ...lowerKeys(request.headers ?? {}),
      };
      // `https://user:password@host/feed`, as Plagger recipes wrote it: sent as Basic auth, and
      // never part of a message.
      if (target.username || target.password) {
        headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
        target.username = '';
        target.password = '';
        current = target.href;
      }
      if (validators?.etag) headers['if-none-match'] = validators.etag;
      if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
      const response = await gateFor(target).run(() =>
        fetchOnce(target, currentMethod, headers, body, request, defaultTimeout, defaultMaxBytes, maxRetryAfterMs),
      );
      if (REDIRECT_STATUSES.has(response.status) && maxRedirects > 0) {
        const location = response.headers.get('location');
        if (!location) throw new HttpError(`${current}: redirect ${response.status} without a Location`, current, response.status);
        if (hop + 1 > maxRedirects) {
          throw new HttpError(`${url}: more than ${maxRedirects} redirects (last to ${location})`, url, response.status);
        }
        redirects.push(current);
        current = new URL(location, current).href;
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && currentMethod === 'POST')) {
          currentMethod = 'GET';
          body = undefined;
        }
        continue;
      }
      const notModified = response.status === 304 && Boolean(validators);
      if (request.conditional && method === 'GET' && response.status >= 200 && response.status < 300) {
        const etag = response.headers.get('etag') ?? undefined;
        const lastModified = response.headers.get('last-modified') ?? undefined;
        if (etag || lastModified) {
          const contentType = response.headers.get('content-type') ?? undefined;
          const cached: CachedValidators = { etag, lastModified, body: response.body.toString('base64'), contentType };
          await options.store.set('http', url, cached);
        }
      }
      if (notModified && validators?.body !== undefined) {
        const headers = new Headers(response.headers);
        if (validators.contentType && !headers.has('content-type')) headers.set('content-type', validators.contentType);
        return makeResponse(current, 304, headers, Buffer.from(validators.body, 'base64'), true, redirects);
      }
      if (throwOnStatus && !notModified && (response.status < 200 || response.status > 299)) {
        throw new HttpError(
          `${current}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
          current,
          response.status,
          response.headers,
        );
      }
      return makeResponse(current, response.status, response.headers, response.body, notModified, redirects);
    }
  }

  return {
    fetch: (url, request = {}) => send(url, request, true),
    request: (url, request = {}) => send(url, request, false),
  };

  async function fetchOnce(
    target: URL,
    method: string,
    headers: Record<string, string>,
    body: HttpRequestOptions['body'],
    request: HttpRequestOptions,
    defaultTimeoutMs: number,
    defaultMax: number,
    maxWaitMs: number,
  ): Promise<{ status: number; statusText: string; headers: Headers; body: Buffer }> {
    const url = target.href;
    for (let attempt = 1; ; attempt++) {
      const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
      // One deadline and one timer per attempt, covering the body too. An AbortSignal costs more
      // to make than undici spends on a small request; undici takes an emitter just as well.
      const deadline = new Deadline();
      const timer = setTimeout(() => deadline.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      const outer = request.signal;
      const forwardAbort = () => deadline.abort(outer?.reason);
      if (outer?.aborted) forwardAbort();
      else outer?.addEventListener('abort', forwardAbort, { once: true });
      try {
        // undici's request() rather than fetch(): the same client, a third of the overhead per
        // request, which a queue posting thousands of notes feels. Asked of the dispatcher with
        // the URL already parsed here, so that undici does not parse it again.
        let response: Dispatcher.ResponseData;
        try {
          response = await dispatcher.request({
            origin: target.origin,
            path: `${target.pathname}${target.search}`,
            method: method as Dispatcher.HttpMethod,
            headers,
            body: body as string | Buffer | Uint8Array | undefined,
            signal: deadline,
          });
        } catch (error) {
          throw new HttpError(`${url}: ${describeNetworkError(error, timeoutMs)}`, url);
        }
        // Bodies we stop reading (a wait for Retry-After, a size cap) are destroyed: that is not an error.
        response.body.on('error', () => undefined);
        const responseHeaders = toHeaders(response.headers);
        const retryAfter = retryAfterMs(responseHeaders.get('retry-after'));
        if ((response.statusCode === 429 || response.statusCode === 503) && retryAfter !== undefined && attempt <= 2 && retryAfter <= maxWaitMs) {
          response.body.destroy();
          clearTimeout(timer);
          options.log.info({ url, status: response.statusCode, retryAfterMs: retryAfter }, 'waiting for Retry-After');
          await new Promise((resolve) => setTimeout(resolve, retryAfter));
          continue;
        }
        try {
          const bytes = await readCapped(url, response, responseHeaders, request.maxBytes ?? defaultMax);
          return { status: response.statusCode, statusText: STATUS_CODES[response.statusCode] ?? '', headers: responseHeaders, body: bytes };
        } catch (error) {
          if (error instanceof HttpError) throw error;
          throw new HttpError(`${url}: ${describeNetworkError(error, timeoutMs)}`, url, response.statusCode);
        }
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', forwardAbort);
      }
    }
  }
}

/** What undici needs of a signal (`aborted`, `reason`, an `abort` event), without EventTarget's cost. */
class Deadline extends EventEmitter {
  aborted = false;
  reason: unknown;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/** At most `max` requests to one host at a time; the rest wait their turn, first come first served. */
class HostGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, so nobody can overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

function decompressor(encoding: string | null): Transform | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

async function readCapped(url: string, response: Dispatcher.ResponseData, headers: Headers, maxBytes: number): Promise<Buffer> {
  const encoding = headers.get('content-encoding');
  const length = headers.get('content-length');
  const declared = Number(length);
  if (Number.isFinite(declared) && declared > maxBytes && !encoding) {
    response.body.destroy();
    throw new HttpError(`${url}: response of ${declared} bytes is over the ${maxBytes}-byte limit`, url, response.statusCode);
  }
  if (!encoding && length !== null && Number.isFinite(declared)) {
    // undici reads no more than the declared length, which is within the cap: take it whole,
    // without a stream iterator per response.
    const bytes = await response.body.bytes();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const inflate = decompressor(encoding);
  const stream: Readable = inflate ? response.body.pipe(inflate) : response.body;
  if (inflate) {
    response.body.on('error', (error) => inflate.destroy(error));
    inflate.on('error', () => undefined);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // Counted after decompression, so a gzip bomb stops here.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      stream.destroy();
      response.body.destroy();
      throw new HttpError(`${url}: response is over the ${maxBytes}-byte limit (after decompression)`, url, response.statusCode);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function makeResponse(
  url: string,
  status: number,
  headers: Headers,
  body: Buffer,
  notModified: boolean,
  redirects: string[],
): HttpResponse {
  const decoded = new Map<DecodeKind, DecodedText>();
  return {
    url,
    status,
    headers,
    body,
    notModified,
    redirects,
    text(kind: DecodeKind = 'text') {
      let result = decoded.get(kind);
      if (!result) {
        result = decode(body, { contentType: headers.get('content-type') ?? undefined, kind });
        decoded.set(kind, result);
      }
      return result;
    },
    json<T>() {
      if (plainAsciiJson(body, headers)) {
        try {
          return JSON.parse(body.toString('latin1')) as T;
        } catch {
          // the full decoding below says what is wrong with it
        }
      }
      const text = this.text('text').text;
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const start = text.trimStart().slice(0, 60).replace(/\s+/g, ' ');
        throw new HttpError(`${url}: not JSON (${reason}); the body starts with ${JSON.stringify(start)}`, url, status);
      }
    },
  };
}

/**
 * ASCII without escape sequences (so not ISO-2022-JP) and no declared charset that could make it
 * mean anything else: the text is the bytes, and the charset detection can be skipped.
 */
function plainAsciiJson(body: Buffer, headers: Headers): boolean {
  if (!isAscii(body) || body.includes(0x1b)) return false;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(headers.get('content-type') ?? '')?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii';
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpError(`${url}: not a valid URL`, url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HttpError(`${url}: only http and https URLs can be fetched`, url);
  }
  return parsed;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  if (Object.keys(headers).every((key) => key === key.toLowerCase())) return headers;
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds from now. */
export function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const when = Date.parse(value); // an HTTP-date is the one format Date.parse is specified for
  return Number.isNaN(when) ? undefined : Math.max(0, when - Date.now());
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || /due to timeout/.test(err.message ?? '')) return `timed out after ${timeoutMs} ms`;
  if (err.name === 'AbortError') return 'aborted';
  if (err.code && err.code !== 'UND_ERR_ABORTED') return `${err.code}${err.message && err.message !== err.code ? ` (${err.message})` : ''}`;
  const cause = err.cause;
  if (cause?.code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timed out';
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return err.message ?? String(error);
}
