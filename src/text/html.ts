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
  const clean = firstLine.replace(/\s+/g, ' ');
  const sentenceEnd = clean.search(SENTENCE_END);
  const sentence = sentenceEnd >= 0 ? clean.slice(0, sentenceEnd + 1) : clean;
  // Most titles (a tweet's first sentence) are short: no fewer UTF-16 units than characters, so
  // no need to split them into characters.
  if (sentence.length <= maxChars) return sentence;
  const chars = Array.from(sentence);
  if (chars.length <= maxChars) return sentence;
  const cut = chars.slice(0, maxChars - 1).join('');
  const lastSpace = cut.lastIndexOf(' ');
  const atWord = lastSpace > maxChars / 2 ? cut.slice(0, lastSpace) : cut;
  return `${atWord.trimEnd()}…`;
}

/** Characters XML 1.0 forbids (control bytes, U+FFFE/U+FFFF): dropped before parsing and writing. */
export function stripXmlForbidden(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}
