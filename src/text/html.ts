/** Small HTML-to-text helpers for titles and summaries. Pure functions, no DOM. */
import { decodeHTML, escapeUTF8 } from 'entities';

const BLOCK_BOUNDARY = /<\s*(?:br|\/p|\/div|\/li|\/h[1-6]|\/blockquote|\/pre|\/tr)\b[^>]*>/gi;
const TAG = /<[^>]*>/g;
const COMMENT = /<!--[\s\S]*?-->/g;
const SCRIPT_OR_STYLE = /<(script|style)\b[\s\S]*?<\/\1\s*>/gi;
const ENTITY = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;

/** Plain text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  if (!html) return '';
  const withoutMarkup = html
    .replace(COMMENT, '')
    .replace(SCRIPT_OR_STYLE, '')
    .replace(BLOCK_BOUNDARY, ' ')
    .replace(TAG, '');
  return decodeHTML(withoutMarkup).replace(/\s+/g, ' ').trim();
}

export function escapeHtml(text: string): string {
  return escapeUTF8(text);
}

/**
 * Decodes entities at most twice, and only while entities remain: `&amp;#12354;` → `あ`,
 * `&amp;amp;` → `&` (double escaping is common in feed titles, formats.md §6.6).
 */
export function unescapeEntities(text: string): string {
  let result = text;
  for (let round = 0; round < 2 && ENTITY.test(result); round++) result = decodeHTML(result);
  return result;
}

const SENTENCE_END = /[。！？!?]|\.(?=\s|$)/;

/**
 * A title from body text (tweets, notes and diary days have none): the first line or sentence,
 * cut at a word boundary (or between characters for Japanese) with an ellipsis.
 */
export function deriveTitle(text: string, maxChars = 60): string {
  const trimmed = text.trim();
  const newline = trimmed.indexOf('\n');
  const firstLine = newline < 0 ? trimmed : trimmed.slice(0, newline).trim();
  let sentence: string;
  const plainEnd = plainSentenceEnd(firstLine);
  if (plainEnd !== undefined) {
    sentence = plainEnd >= 0 ? firstLine.slice(0, plainEnd + 1) : firstLine;
  } else {
    const clean = firstLine.replace(/\s+/g, ' ');
    const sentenceEnd = clean.search(SENTENCE_END);
    sentence = sentenceEnd >= 0 ? clean.slice(0, sentenceEnd + 1) : clean;
  }
  // Most titles (a tweet's first sentence) are short: no fewer UTF-16 units than characters, so
  // no need to split them into characters.
  if (sentence.length <= maxChars) return sentence;
  const cut = firstCharacters(sentence, maxChars);
  if (cut === undefined) return sentence;
  const lastSpace = cut.lastIndexOf(' ');
  const atWord = lastSpace > maxChars / 2 ? cut.slice(0, lastSpace) : cut;
  return `${atWord.trimEnd()}…`;
}

/** Whether a UTF-16 unit is whitespace to `\s` in a regular expression. */
function isWhiteSpace(unit: number): boolean {
  if (unit <= 0x20) return unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);
  if (unit < 0xa0) return false;
  return (
    unit === 0xa0 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000 ||
    unit === 0xfeff
  );
}

/**
 * Where SENTENCE_END first matches in a line whose whitespace is single spaces already (-1: no
 * match), found in one pass; undefined when `\s+` → ' ' would change the text before it. Two
 * regular expressions per title cost most of deriveTitle for a short tweet.
 */
function plainSentenceEnd(line: string): number | undefined {
  for (let at = 0; at < line.length; at++) {
    const unit = line.charCodeAt(at);
    if (isWhiteSpace(unit)) {
      if (unit !== 0x20 || isWhiteSpace(line.charCodeAt(at + 1))) return undefined;
    } else if (unit === 0x3002 || unit === 0xff01 || unit === 0xff1f || unit === 0x21 || unit === 0x3f) {
      return at;
    } else if (unit === 0x2e && (at + 1 === line.length || isWhiteSpace(line.charCodeAt(at + 1)))) {
      return at;
    }
  }
  return -1;
}

/**
 * The first `maxChars - 1` characters (code points, as the string iterator counts them) of a text
 * longer than `maxChars`, or undefined if it is not longer. Counted in place: splitting a text
 * into an array of characters costs more than the rest of deriveTitle together.
 */
function firstCharacters(text: string, maxChars: number): string | undefined {
  if (maxChars < 2) {
    const chars = Array.from(text);
    return chars.length <= maxChars ? undefined : chars.slice(0, maxChars - 1).join('');
  }
  let count = 0;
  let cutAt = 0;
  for (let at = 0; at < text.length; at++) {
    const unit = text.charCodeAt(at);
    if (unit >= 0xd800 && unit <= 0xdbff && at + 1 < text.length) {
      const next = text.charCodeAt(at + 1);
      if (next >= 0xdc00 && next <= 0xdfff) at++;
    }
    count++;
    if (count === maxChars - 1) cutAt = at + 1;
    if (count > maxChars) return text.slice(0, cutAt);
  }
  return undefined;
}

/** Characters XML 1.0 forbids (control bytes, U+FFFE/U+FFFF): dropped before parsing and writing. */
export function stripXmlForbidden(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}
