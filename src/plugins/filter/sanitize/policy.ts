/**
 * The HTML that leaves kakehashi: an allowlist (sanitize-html), not a blocklist. No scripts, no
 * `on*` handlers, no `style`, no `javascript:`/`data:` URLs; links and images made absolute
 * against the entry's page; lazy-loaded images given their real `src`.
 */
import sanitizeHtml from 'sanitize-html';

const ALLOWED_TAGS = [
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
const LAZY_SOURCES = ['data-src', 'data-original', 'data-lazy-src', 'data-lazy', 'data-url'];
const LAZY_SRCSETS = ['data-srcset', 'data-lazy-srcset'];
/** What lazy loaders put in `src` until a script swaps it: a blank GIF, a spinner. */
const PLACEHOLDER = /^(?:data:|about:blank$)|(?:^|\/)(?:blank|spacer|pixel|placeholder|loading|lazy)[^/]*\.(?:gif|png|svg)(?:\?|$)/i;

export interface SanitizeOptions {
  /** The page relative links in the HTML are relative to. */
  baseUrl?: string;
}

function absolute(url: string, base: string | undefined): string | undefined {
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

function absoluteSrcset(srcset: string, base: string | undefined): string | undefined {
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

function policy(base: string | undefined): sanitizeHtml.IOptions {
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
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
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    // Text of these is code or markup, never prose to keep.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'math', 'title', 'head'],
    transformTags: {
      a: (tagName, attribs) => {
        const href = attribs.href === undefined ? undefined : absolute(attribs.href, base);
        const out: Record<string, string> = {};
        if (href) out.href = href;
        if (attribs.title) out.title = attribs.title;
        if (href && /^https?:/.test(href)) out.rel = 'nofollow noopener noreferrer';
        return { tagName, attribs: out };
      },
      img: (tagName, attribs) => {
        const lazy = LAZY_SOURCES.map((name) => attribs[name]).find((value) => value?.trim());
        const current = attribs.src?.trim();
        const chosen = lazy && (!current || PLACEHOLDER.test(current)) ? lazy : (current ?? lazy);
        const lazySrcset = LAZY_SRCSETS.map((name) => attribs[name]).find((value) => value?.trim());
        const out: Record<string, string> = { ...attribs };
        for (const name of [...LAZY_SOURCES, ...LAZY_SRCSETS]) delete out[name];
        const src = chosen ? absolute(chosen, base) : undefined;
        if (src) out.src = src;
        else delete out.src;
        const srcset = lazySrcset ?? attribs.srcset;
        const resolvedSrcset = srcset ? absoluteSrcset(srcset, base) : undefined;
        if (resolvedSrcset) out.srcset = resolvedSrcset;
        else delete out.srcset;
        return { tagName, attribs: out };
      },
      source: (tagName, attribs) => {
        const srcset = attribs.srcset ? absoluteSrcset(attribs.srcset, base) : undefined;
        const out: Record<string, string> = { ...attribs };
        if (srcset) out.srcset = srcset;
        else delete out.srcset;
        return { tagName, attribs: out };
      },
      blockquote: (tagName, attribs) => citeOnly(tagName, attribs, base),
      q: (tagName, attribs) => citeOnly(tagName, attribs, base),
    },
    // An image that kept no source is an empty box; drop it.
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  };
}

function citeOnly(tagName: string, attribs: sanitizeHtml.Attributes, base: string | undefined): sanitizeHtml.Tag {
  const cite = attribs.cite ? absolute(attribs.cite, base) : undefined;
  const out: sanitizeHtml.Attributes = {};
  if (cite && /^https?:/.test(cite)) out.cite = cite;
  return { tagName, attribs: out };
}

export function sanitizeHtmlFragment(html: string, options: SanitizeOptions = {}): string {
  if (!html) return html;
  return sanitizeHtml(html, policy(options.baseUrl));
}
