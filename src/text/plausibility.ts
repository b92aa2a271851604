/**
 * How much a string looks like text a person wrote, as opposed to mojibake. Only differences
 * matter: repair compares a stretch of text before and after turning it back into bytes and
 * reading them another way, and keeps the reading that scores clearly higher.
 */
import { COMMON_KANJI } from './common-kanji.js';
import { WINDOWS_1252_HIGH, isJisLevel1Kanji, utf8LeadAsEucJp, utf8LeadAsShiftJis } from './legacy-codecs.js';

/** Windows-1252 punctuation that real text uses; the rest of 0x80–0x9F (‚ ƒ „ † ‡ ˆ ‰ Š ‹ Œ …) mostly appears as mojibake. */
const COMMON_WINDOWS_PUNCTUATION = new Set('–—‘’“”•…€™');

function charWeight(char: string, code: number): number {
  if (code < 0x80) return code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d ? -3 : 0;
  if (code < 0xa0) return -3; // C1 controls
  if (code < 0xc0) return -0.5; // Latin-1 symbols
  if (code <= 0xff) return code === 0xd7 || code === 0xf7 ? -0.5 : 0.5; // Latin-1 letters
  if (code < 0x250) return WINDOWS_1252_HIGH.has(char) ? -1 : 0;
  if (code < 0x370) return -1; // IPA, spacing modifiers such as ˆ ˜
  if (code < 0x500) return -0.5; // Greek, Cyrillic
  if (code < 0x2000) return -2;
  if (code < 0x2070) return COMMON_WINDOWS_PUNCTUATION.has(char) || !WINDOWS_1252_HIGH.has(char) ? 0 : -1;
  if (code >= 0x2500 && code < 0x2580) return -1; // box drawing
  if (code < 0x3000) return 0;
  if (code < 0x3040) return 2; // 、。「」〜
  if (code < 0x30a0) return 3; // hiragana
  if (code < 0x3100) return 2; // katakana
  if (code < 0x3400) return 0.5; // ㈱ ㌔
  if (code < 0x4e00) return -2; // CJK extension A
  if (code < 0xa000) {
    if (COMMON_KANJI.has(code)) return 2.5;
    if (utf8LeadAsShiftJis().has(char) || utf8LeadAsEucJp().has(char)) return -2;
    return isJisLevel1Kanji(code) ? 1.5 : 0;
  }
  if (code >= 0xac00 && code < 0xd7b0) return -2; // Hangul
  if (code >= 0xe000 && code < 0xf900) return -3; // private use
  if (code >= 0xf900 && code < 0xfb00) return -1; // CJK compatibility
  if (code >= 0xff01 && code < 0xff5f) return 0.5; // full-width ASCII
  if (code >= 0xff61 && code < 0xffa0) return -0.3; // half-width kana: rare, but genuine in old mobile text
  if (code === 0xfffd) return -3;
  return 0;
}

/** A UTF-8 lead byte read as Latin-1 (Â–ô) followed by a continuation byte read the same way. */
function isLeadAsLatin(code: number): boolean {
  return code >= 0xc2 && code <= 0xf4;
}
function isContinuationAsLatin(char: string, code: number): boolean {
  return (code >= 0x80 && code <= 0xbf) || WINDOWS_1252_HIGH.has(char);
}

/** Sum of per-character weights, minus a penalty for each `Ã©`-like pair. */
export function plausibility(text: string): number {
  let score = 0;
  let previousWasLead = false;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    score += charWeight(char, code);
    if (previousWasLead && isContinuationAsLatin(char, code)) score -= 3;
    previousWasLead = isLeadAsLatin(code);
  }
  return score;
}
