/** What may leave kakehashi in HTML, shared by the full sanitizer and its fast path. */
import sanitizeHtml from 'sanitize-html';

export const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'data'),
  'img',
  'picture',
  'source',
  'del',
  'ins',
  'details',
  'summary',
];

/** Attributes lazy-loading scripts keep the real image in, most common first. */
export const LAZY_SOURCES = ['data-src', 'data-original', 'data-lazy-src', 'data-lazy', 'data-url'];
export const LAZY_SRCSETS = ['data-srcset', 'data-lazy-srcset'];
/** What lazy loaders put in `src` until a script swaps it: a blank GIF, a spinner. */
export const PLACEHOLDER = /^(?:data:|about:blank$)|(?:^|\/)(?:blank|spacer|pixel|placeholder|loading|lazy)[^/]*\.(?:gif|png|svg)(?:\?|$)/i;

export interface SanitizeOptions {
  /** The page relative links in the HTML are relative to. */
  baseUrl?: string;
}

export function absolute(url: string, base: string | undefined): string | undefined {
  const trimmed = url.trim();
  if (!trimmed) return undefined;
  try {
    const resolved = base ? new URL(trimmed, base) : new URL(trimmed);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' || resolved.protocol === 'mailto:' ? resolved.href : undefined;
  } catch {
    // Relative with no base to resolve against: a fragment or path stays as written.
    return !base && !/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !trimmed.startsWith('//') ? trimmed : undefined;
  }
}

export function absoluteSrcset(srcset: string, base: string | undefined): string | undefined {
  const candidates = srcset
    .split(',')
    .map((candidate) => {
      const [url, ...descriptor] = candidate.trim().split(/\s+/);
      const resolved = url ? absolute(url, base) : undefined;
      return resolved ? [resolved, ...descriptor].join(' ') : undefined;
    })
    .filter((candidate): candidate is string => candidate !== undefined);
  return candidates.length > 0 ? candidates.join(', ') : undefined;
}

export const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'title', 'rel'],
  img: ['src', 'srcset', 'alt', 'title', 'width', 'height', 'loading'],
  source: ['srcset', 'type', 'media'],
  abbr: ['title'],
  time: ['datetime'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan', 'scope'],
  ol: ['start', 'reversed'],
  blockquote: ['cite'],
  q: ['cite'],
  '*': ['lang', 'dir'],
};

