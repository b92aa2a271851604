/**
 * HTTP validators and content coding for the feed routes (RFC 9110 §8.8, §13; RFC 9111 §5.2):
 * one strong ETag per representation, 304 when the client already has it, and the best coding
 * the client accepts among the ones we keep precompressed.
 */
import { createHash } from 'node:crypto';
import { parseDate } from '../text/dates.js';

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** A strong validator from the bytes: the same content always gets the same tag. */
export function contentEtag(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** A stored tag as a quoted entity-tag (`abc` → `"abc"`), leaving `"abc"` as it is. */
export function quoteEtag(tag: string): string {
  const bare = tag.replace(/^W\//, '');
  return bare.startsWith('"') && bare.endsWith('"') && bare.length >= 2 ? bare : `"${bare.replace(/"/g, '')}"`;
}

/**
 * The tag of one coding of a representation. A gzip body is different bytes from the identity
 * body, so a strong tag must differ too; the suffix keeps them related for `If-None-Match`.
 */
export function codingEtag(etag: string, coding: ContentCoding): string {
  return coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

function opaque(tag: string): string {
  return tag
    .trim()
    .replace(/^W\//, '')
    .replace(/-(?:br|gzip)"$/, '"');
}

/**
 * `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored, and a tag we
 * gave out for another coding of the same content matches too.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const wanted = opaque(etag);
  // Entity-tags cannot contain commas, so splitting the list on them is exact.
  return header.split(',').some((tag) => opaque(tag) === wanted);
}

/** True when the resource has not changed since the client's `If-Modified-Since`. */
export function notModifiedSince(header: string | undefined, lastModifiedMs: number): boolean {
  if (!header) return false;
  const since = parseDate(header, { defaultZone: 'UTC' });
  if (!since || since.kind === 'date') return false;
  // HTTP dates have whole seconds: compare at that precision.
  return Math.floor(lastModifiedMs / 1000) <= Math.floor(since.epochMs / 1000);
}

/** IMF-fixdate, as HTTP wants it: `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

/** The coding to send, from `Accept-Encoding` (RFC 9110 §12.5.3): the client's preference, br on a tie. */
export function chooseCoding(header: string | undefined): ContentCoding {
  if (!header) return 'identity';
  const quality = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(param);
      if (match) q = Number(match[1]);
    }
    quality.set(name, Number.isFinite(q) ? q : 0);
  }
  const star = quality.get('*');
  const q = (coding: string) => quality.get(coding) ?? (coding === 'identity' ? 1 : star ?? 0);
  const candidates: ContentCoding[] = ['br', 'gzip'];
  let best: ContentCoding = 'identity';
  let bestQ = 0;
  for (const coding of candidates) {
    if (q(coding) > bestQ) {
      best = coding;
      bestQ = q(coding);
    }
  }
  return bestQ > 0 ? best : 'identity';
}
