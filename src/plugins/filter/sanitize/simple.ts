/**
 * The sanitizer's fast path. Most feed HTML is plain, well-nested markup (`<p>`, `<a href>`,
 * `<br>`, `<img src>`); for it, sanitize-html's full parse costs more than the rest of a run. This
 * reads such HTML with one scan and writes exactly what the full policy would write (a
 * differential test holds it to that), and gives up — returning `undefined`, so the caller runs
 * sanitize-html — on anything it is not sure of: comments, unknown or implicitly closed tags,
 * unquoted or empty attributes, entities beyond the common few, lazy images, srcset, cite.
 */
import { ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LAZY_SOURCES, LAZY_SRCSETS, absolute } from './allowlist.js';

/** Tags the policy keeps untransformed, besides the ones handled below. */
const PLAIN_TAGS = new Set(ALLOWED_TAGS.filter((tag) => !['a', 'img', 'source', 'picture', 'blockquote', 'q', 'wbr', 'col', 'br', 'hr'].includes(tag)));
const VOID_TAGS = new Set(['br', 'hr', 'img']);
const GLOBAL_ATTRIBUTES = new Set(ALLOWED_ATTRIBUTES['*']);
const IMAGE_ATTRIBUTES = new Set([...(ALLOWED_ATTRIBUTES.img ?? []), ...GLOBAL_ATTRIBUTES]);
const LAZY_ATTRIBUTES = new Set([...LAZY_SOURCES, ...LAZY_SRCSETS, 'srcset']);

/** htmlparser2 closes the open element when one of these opens on it; nested so, we defer. */
const P = ['p'];
const CLOSED_BY_OPENING: Record<string, string[]> = {
  tr: ['tr', 'th', 'td'],
  th: ['th'],
  td: ['thead', 'th', 'td'],
  li: ['li'],
  dd: ['dd', 'dt'],
  dt: ['dd', 'dt'],
  rt: ['rb', 'rt', 'rtc', 'rp'],
  rp: ['rb', 'rt', 'rtc', 'rp'],
  tbody: ['thead', 'tbody'],
  tfoot: ['thead', 'tbody'],
  ...Object.fromEntries(
    ['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'figcaption', 'figure', 'footer', 'header', 'hr', 'main', 'nav', 'ol', 'pre', 'section', 'table', 'ul'].map(
      (tag) => [tag, P],
    ),
  ),
};

const TAG = /<(\/?)([a-z][a-z0-9]*)((?:[\t\n\f\r ]+[a-z][a-z0-9-]*=(?:"[^"]*"|'[^']*'))*)[\t\n\f\r ]*(\/?)>/y;
const ATTRIBUTE = /([a-z][a-z0-9-]*)=(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(?:(amp|lt|gt|quot|apos|nbsp)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));/y;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The policy's output for `html`, or `undefined` when only the full sanitizer may decide. */
export function sanitizeSimpleHtml(html: string, base: string | undefined): string | undefined {
  let out = '';
  const open: string[] = [];
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    const text = decodeText(lt < 0 ? html.slice(at) : html.slice(at, lt));
    if (text === undefined) return undefined;
    out += escapeText(text);
    if (lt < 0) break;
    TAG.lastIndex = lt;
    const tag = TAG.exec(html);
    if (!tag) return undefined;
    const [whole, closing, name, attributes, selfClosing] = tag as unknown as [string, string, string, string, string];
    at = lt + whole.length;
    if (closing) {
      if (attributes || selfClosing || open.pop() !== name) return undefined;
      out += `</${name}>`;
      continue;
    }
    const top = open[open.length - 1];
    if (top !== undefined && CLOSED_BY_OPENING[name]?.includes(top)) return undefined;
    if (selfClosing && !VOID_TAGS.has(name)) return undefined;
    const attribs = parseAttributes(attributes);
    if (!attribs) return undefined;
    const written = openTag(name, attribs, base);
    if (written === undefined) return undefined;
    out += written;
    if (!VOID_TAGS.has(name)) open.push(name);
  }
  return open.length === 0 ? out : undefined;
}

function openTag(name: string, attribs: Map<string, string>, base: string | undefined): string | undefined {
  if (name === 'a') {
    const attributes = linkAttributes(attribs, base);
    return attributes === undefined ? undefined : `<a${attributes}>`;
  }
  if (name === 'img') {
    const attributes = imageAttributes(attribs, base);
    return attributes === undefined ? undefined : `<img${attributes} />`;
  }
  if (name === 'br' || name === 'hr') return attribs.size === 0 ? `<${name} />` : undefined;
  if (name === 'blockquote' || name === 'q') return attribs.size === 0 ? `<${name}>` : undefined;
  if (!PLAIN_TAGS.has(name)) return undefined;
  const allowed = ALLOWED_ATTRIBUTES[name];
  let written = `<${name}`;
  for (const [attribute, value] of attribs) {
    if (!GLOBAL_ATTRIBUTES.has(attribute) && !allowed?.includes(attribute)) continue;
    if (value === '') return undefined;
    written += ` ${attribute}="${escapeAttribute(value)}"`;
  }
  return `${written}>`;
}

/** As the policy's `a` transform: href made absolute, title, rel for web links; nothing else. */
function linkAttributes(attribs: Map<string, string>, base: string | undefined): string | undefined {
  const rawHref = attribs.get('href');
  const title = attribs.get('title');
  let written = '';
  let href: string | undefined;
  if (rawHref !== undefined) {
    href = absolute(rawHref, base);
    if (href === undefined || !/^(?:https?|mailto):/.test(href)) return undefined;
    written += ` href="${escapeAttribute(href)}"`;
  }
  if (title) written += ` title="${escapeAttribute(title)}"`;
  if (href && /^https?:/.test(href)) written += ' rel="nofollow noopener noreferrer"';
  return written;
}

/** As the policy's `img` transform for an image that is neither lazy nor responsive. */
function imageAttributes(attribs: Map<string, string>, base: string | undefined): string | undefined {
  const raw = attribs.get('src')?.trim();
  if (!raw) return undefined;
  const src = absolute(raw, base);
  if (src === undefined || !/^https?:/.test(src)) return undefined;
  let written = '';
  for (const [attribute, value] of attribs) {
    if (LAZY_ATTRIBUTES.has(attribute)) return undefined;
    if (!IMAGE_ATTRIBUTES.has(attribute)) continue;
    if (value === '' && attribute !== 'alt') return undefined;
    written += ` ${attribute}="${escapeAttribute(attribute === 'src' ? src : value)}"`;
  }
  return written;
}

function parseAttributes(source: string): Map<string, string> | undefined {
  const attribs = new Map<string, string>();
  if (!source) return attribs;
  for (const match of source.matchAll(ATTRIBUTE)) {
    const name = match[1]!;
    const value = decodeText(match[2] ?? match[3] ?? '');
    // The first of two same-named attributes wins in htmlparser2; rare enough to leave to it.
    if (value === undefined || attribs.has(name)) return undefined;
    attribs.set(name, value);
  }
  return attribs;
}

/** Text with its character references decoded, or `undefined` for one we do not decode alike. */
function decodeText(text: string): string | undefined {
  if (text.includes('\u0000')) return undefined;
  let amp = text.indexOf('&');
  if (amp < 0) return text;
  let decoded = '';
  let at = 0;
  while (amp >= 0) {
    ENTITY.lastIndex = amp;
    const entity = ENTITY.exec(text);
    if (!entity) return undefined;
    const character = entity[1] ? NAMED[entity[1]] : codePointText(entity[2] ? Number(entity[2]) : Number.parseInt(entity[3]!, 16));
    if (character === undefined) return undefined;
    decoded += text.slice(at, amp) + character;
    at = amp + entity[0].length;
    amp = text.indexOf('&', at);
  }
  return decoded + text.slice(at);
}

/** Only code points every decoder passes through unchanged (no NUL, C1, surrogate or control fix-ups). */
function codePointText(codePoint: number): string | undefined {
  const plain =
    codePoint === 0x09 ||
    codePoint === 0x0a ||
    (codePoint >= 0x20 && codePoint < 0x7f) ||
    (codePoint >= 0xa0 && codePoint < 0xd800) ||
    (codePoint >= 0xe000 && codePoint <= 0x10ffff);
  return plain ? String.fromCodePoint(codePoint) : undefined;
}

const TEXT_SPECIAL = /[&<>]/;

function escapeText(text: string): string {
  return TEXT_SPECIAL.test(text) ? text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : text;
}

function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}
