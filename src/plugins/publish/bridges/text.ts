/**
 * Fitting a post into a destination's length limit: the body is cut at a word (between
 * characters for Japanese, which has no spaces), an ellipsis marks the cut, and the link back to
 * the original always survives whole. Each destination counts differently, so the counting is a
 * parameter: Mastodon counts code points with every URL as 23, Bluesky counts graphemes.
 */

export type Measure = (text: string) => number;

const URL_PATTERN = /https?:\/\/[^\s<>"'「」『』（）()]+/g;
const ELLIPSIS = '…';

const graphemes = new Intl.Segmenter('ja', { granularity: 'grapheme' });
const words = new Intl.Segmenter('ja', { granularity: 'word' });

export function graphemeLength(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  return count;
}

/** Mastodon's count (✔ formats.md §5.3): code points, with each URL counted as 23 whatever its length. */
export const MASTODON_URL_WEIGHT = 23;
export function mastodonLength(text: string): number {
  return Array.from(text.replace(URL_PATTERN, 'x'.repeat(MASTODON_URL_WEIGHT))).length;
}

export function codePointLength(text: string): number {
  return Array.from(text).length;
}

export interface ComposeInput {
  /** Plain text, already without markup. */
  body: string;
  /** The link back to the original; kept whole after the body. */
  link?: string;
  /** How the link is written in the text (Bluesky shows a short form and links it with a facet). */
  linkText?: string;
  limit: number;
  measure: Measure;
  /** Between the body and the link. */
  separator?: string;
}

export interface Composed {
  text: string;
  truncated: boolean;
  /** Where the link text starts in `text` (UTF-16 index), when there is a link. */
  linkIndex?: number;
  linkText?: string;
}

/** Body, then the link; the body is shortened at a word until the whole fits `limit`. */
export function composeWithLink(input: ComposeInput): Composed {
  const separator = input.separator ?? ' ';
  const body = input.body.replace(/[ \t]+\n/g, '\n').trim();
  const linkText = input.link ? (input.linkText ?? input.link) : undefined;
  const bodyHasLink = input.link !== undefined && input.linkText === undefined && body.includes(input.link);
  const tail = linkText && !bodyHasLink ? `${body ? separator : ''}${linkText}` : '';
  const whole = `${body}${tail}`;
  if (input.measure(whole) <= input.limit) {
    return withLink({ text: whole, truncated: false }, linkText, bodyHasLink ? body.indexOf(input.link!) : whole.length - (linkText?.length ?? 0));
  }
  // When the body held the link, it is cut away with the body, so it goes after the ellipsis.
  const suffix = linkText ? `${separator}${linkText}` : '';
  const budget = input.limit - input.measure(suffix) - input.measure(ELLIPSIS);
  if (budget <= 0) {
    const text = linkText ?? cutToFit(body, input.limit - 1, input.measure) + ELLIPSIS;
    return withLink({ text, truncated: true }, linkText, 0);
  }
  const cut = cutToFit(body, budget, input.measure);
  const text = `${cut}${ELLIPSIS}${suffix}`;
  return withLink({ text, truncated: true }, linkText, text.length - (linkText?.length ?? 0));
}

function withLink(composed: Composed, linkText: string | undefined, index: number): Composed {
  return linkText === undefined ? composed : { ...composed, linkIndex: index, linkText };
}

/**
 * The longest prefix of `text` that measures at most `budget` and ends at a word boundary
 * (Intl.Segmenter finds them in Japanese too), never inside a URL, without trailing spaces or
 * dangling punctuation. Only a single word longer than half the budget is cut inside.
 */
export function cutToFit(text: string, budget: number, measure: Measure): string {
  // Only the start can survive; the bound keeps a 100,000-character post cheap. It is generous
  // enough that the cut never falls inside it, even for 7-code-point emoji or long URLs.
  const head = text.length > budget * 40 + 1000 ? text.slice(0, budget * 40 + 1000) : text;
  let kept = '';
  let used = 0;
  // Tokens are whole URLs and whole words, so the measures of the parts add up to the whole.
  for (const token of tokenize(head)) {
    const size = measure(token.text);
    if (used + size <= budget) {
      kept += token.text;
      used += size;
      continue;
    }
    if (!token.url && used < budget / 2) {
      for (const { segment } of graphemes.segment(token.text)) {
        const segmentSize = measure(segment);
        if (used + segmentSize > budget) break;
        kept += segment;
        used += segmentSize;
      }
    }
    break;
  }
  return kept.replace(/[\s、，,。.・:：;；\-–—]+$/u, '');
}

interface Token {
  text: string;
  url: boolean;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    pushWords(tokens, text.slice(last, match.index));
    tokens.push({ text: match[0], url: true });
    last = match.index + match[0].length;
  }
  pushWords(tokens, text.slice(last));
  return tokens;
}

function pushWords(tokens: Token[], text: string): void {
  for (const { segment } of words.segment(text)) tokens.push({ text: segment, url: false });
}

/** A short form of a URL for display (`example.com/entry/2026/01/05/…`), as Bluesky's own client writes. */
export function shortLinkText(url: string, maxChars = 30): string {
  let shown: string;
  try {
    const parsed = new URL(url);
    shown = `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}${parsed.search}`;
  } catch {
    shown = url;
  }
  const chars = Array.from(shown);
  return chars.length <= maxChars ? shown : `${chars.slice(0, maxChars - 1).join('')}${ELLIPSIS}`;
}

/** The text itself when it fits; otherwise cut at a word with an ellipsis, within `limit`. */
export function fitText(text: string, limit: number, measure: Measure): string {
  return measure(text) <= limit ? text : `${cutToFit(text, limit - measure(ELLIPSIS), measure)}${ELLIPSIS}`;
}
