/**
 * The HTML that leaves kakehashi: an allowlist (sanitize-html), not a blocklist. No scripts, no
 * `on*` handlers, no `style`, no `javascript:`/`data:` URLs; links and images made absolute
 * against the entry's page; lazy-loaded images given their real `src`.
 */
import sanitizeHtml from 'sanitize-html';
import { ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LAZY_SOURCES, LAZY_SRCSETS, PLACEHOLDER, absolute, absoluteSrcset } from './allowlist.js';
import type { SanitizeOptions } from './allowlist.js';
import { sanitizeSimpleHtml } from './simple.js';

export type { SanitizeOptions } from './allowlist.js';

function policy(base: string | undefined): sanitizeHtml.IOptions {
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
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
  return sanitizeSimpleHtml(html, options.baseUrl) ?? sanitizeWithPolicy(html, options);
}

/** sanitize-html with the policy, never the fast path: what the fast path must match. */
export function sanitizeWithPolicy(html: string, options: SanitizeOptions = {}): string {
  return sanitizeHtml(html, policy(options.baseUrl));
}
