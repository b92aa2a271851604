/**
 * Talking to a destination: one request, and its answer sorted into done, try again later
 * (429, 5xx, network) or never (other 4xx). Errors name the method, URL, status and the
 * destination's own message — never a header or body we sent, which hold tokens.
 */
import type { HttpClient, HttpResponse } from '../../../pipeline/context.js';
import { PermanentJobError } from '../../../pipeline/context.js';

/** A failure worth retrying, no sooner than `retryAfterMs` (both queues honour it). */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface SendOptions {
  method?: 'POST' | 'GET' | 'PUT';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Raw body (the webhook signs exactly these bytes). */
  body?: string | Buffer;
  timeoutMs?: number;
}

/** Send a request; a non-2xx answer is thrown as RetryLaterError or PermanentJobError. */
export async function send(http: HttpClient, url: string, options: SendOptions = {}): Promise<HttpResponse> {
  const response = await request(http, url, options);
  if (response.status >= 200 && response.status < 300) return response;
  throw classify(options.method ?? 'POST', url, response);
}

/** Send a request and hand back whatever status came (for answers a caller reads itself). */
export function request(http: HttpClient, url: string, options: SendOptions = {}): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | Buffer | undefined = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  return http.request(url, {
    method: options.method ?? 'POST',
    headers,
    // As bytes: undici streams a string body in pieces, a Buffer in one write (about twice as fast).
    ...(body !== undefined ? { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    maxRedirects: 0,
  });
}

/** The error a failed answer stands for. */
export function classify(method: string, url: string, response: HttpResponse): Error {
  const message = `${method} ${url}: HTTP ${response.status}${describeBody(response)}`;
  if (response.status === 429 || response.status >= 500 || response.status === 408) {
    return new RetryLaterError(message, retryAfterOf(response));
  }
  return new PermanentJobError(message);
}

/**
 * When the destination says it may be asked again: `Retry-After` (seconds or an HTTP date), else
 * a rate-limit reset (`X-RateLimit-Reset` as Mastodon's ISO time or epoch seconds,
 * `RateLimit-Reset` as Bluesky's epoch seconds).
 */
export function retryAfterOf(response: HttpResponse, now = Date.now()): number | undefined {
  const retryAfter = response.headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter); // an HTTP-date: the one format Date.parse is specified for
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = (response.headers.get('x-ratelimit-reset') ?? response.headers.get('ratelimit-reset'))?.trim();
  if (reset) {
    if (/^\d+(\.\d+)?$/.test(reset)) {
      const value = Number(reset);
      // Epoch seconds, or (IETF draft) seconds from now.
      return value > 1e9 ? Math.max(0, value * 1000 - now) : value * 1000;
    }
    const at = isoInstant(reset);
    if (at !== undefined) return Math.max(0, at - now);
  }
  return undefined;
}

/** `2026-01-05T12:35:00.000Z` — Mastodon's X-RateLimit-Reset; only the full ISO form with a zone. */
function isoInstant(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((fraction ?? '0').slice(0, 3).padEnd(3, '0')));
  if (zone === 'Z') return utc;
  const sign = zone!.startsWith('-') ? -1 : 1;
  const [zh, zm] = zone!.slice(1).split(':').map(Number);
  return utc - sign * (zh! * 60 + zm!) * 60_000;
}

/** The destination's own error message, shortened: `: Validation failed: Text character limit…`. */
function describeBody(response: HttpResponse): string {
  const text = response.body.toString('utf8').trim();
  if (!text) return '';
  let detail = text;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    detail = errorMessageOf(parsed) ?? text;
  } catch {
    // not JSON: the text itself (an HTML error page is cut short below)
  }
  detail = detail.replace(/\s+/g, ' ');
  return `: ${detail.length > 300 ? `${detail.slice(0, 299)}…` : detail}`;
}

function errorMessageOf(body: Record<string, unknown>): string | undefined {
  const error = body.error;
  if (typeof error === 'string') {
    const description = body.error_description ?? body.message;
    return typeof description === 'string' && description !== error ? `${error}: ${description}` : error;
  }
  if (error && typeof error === 'object') {
    const nested = error as Record<string, unknown>;
    const parts = [nested.code, nested.message].filter((part) => typeof part === 'string' || typeof part === 'number');
    if (parts.length > 0) return parts.join(': ');
  }
  return typeof body.message === 'string' ? body.message : undefined;
}

/** The JSON of a 2xx answer, or a clear error naming the URL when it is not JSON. */
export function jsonOf<T>(response: HttpResponse, method = 'POST'): T {
  try {
    return response.json<T>();
  } catch {
    throw new RetryLaterError(`${method} ${response.url}: HTTP ${response.status} but the answer is not JSON`);
  }
}
