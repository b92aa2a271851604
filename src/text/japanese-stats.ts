/**
 * Byte statistics that tell Shift_JIS from EUC-JP from UTF-8 from windows-1252 on short texts.
 * Each scanner walks the bytes as its encoding would and scores every character by how often it
 * occurs in real Japanese text: hiragana is common in any sentence, level-1 kanji are the
 * common ones, while a wrong reading yields level-2 kanji, Greek, box drawing, private-use
 * characters, or half-width kana soup such as `､ｳ､ﾋ` (EUC-JP hiragana read as Shift_JIS).
 */
import { COMMON_KANJI } from './common-kanji.js';

export interface ByteStats {
  /** Byte sequences the encoding cannot decode. */
  errors: number;
  /** Bytes ≥ 0x80 (or, for ISO-2022-JP, bytes inside a two-byte run). */
  highBytes: number;
  /** Sum of per-character plausibility weights. */
  score: number;
  /** Hiragana and katakana seen: the surest sign of Japanese. */
  kana: number;
}

const W = {
  hiragana: 3,
  katakana: 2,
  punctuation: 1.5,
  fullwidthAlnum: 1,
  // Kanji earn most of their weight from `commonKanjiBonus`, which looks at which kanji they are.
  kanjiLevel1: 0.5,
  kanjiLevel2: 0,
  commonKanji: 1.5,
  vendorExtension: 0.8,
  symbol: 0.2,
  foreignScript: -0.5,
  halfwidthKana: 0.7,
  halfwidthSoup: -1.5,
  privateUse: -3,
  error: -10,
  jisX0212: 0,
} as const;

function emptyStats(): ByteStats {
  return { errors: 0, highBytes: 0, score: 0, kana: 0 };
}

/** Score of a JIS X 0208 cell (row 1–94, 1-based), shared by Shift_JIS and EUC-JP. */
function scoreJisRow(stats: ByteStats, row: number, cell: number): void {
  if (row === 1) stats.score += W.punctuation;
  else if (row === 2) stats.score += W.symbol;
  else if (row === 3) stats.score += W.fullwidthAlnum;
  else if (row === 4) {
    stats.score += W.hiragana;
    stats.kana++;
  } else if (row === 5) {
    stats.score += W.katakana;
    stats.kana++;
  } else if (row >= 6 && row <= 8) stats.score += W.foreignScript;
  else if (row === 13 || (row >= 89 && row <= 92)) stats.score += W.vendorExtension;
  else if (row >= 16 && row <= 47) stats.score += row === 47 && cell > 51 ? W.error : W.kanjiLevel1;
  else if (row >= 48 && row <= 84) stats.score += row === 84 && cell > 6 ? W.error : W.kanjiLevel2;
  else {
    stats.score += W.error;
    stats.errors++;
  }
}

export function scanShiftJis(bytes: Uint8Array, limit = bytes.length): ByteStats {
  const stats = emptyStats();
  const end = Math.min(limit, bytes.length);
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    stats.highBytes++;
    if (b >= 0xa1 && b <= 0xdf) {
      // `､` and `･` are rare in real half-width text but are every other byte of EUC-JP kana.
      stats.score += b === 0xa4 || b === 0xa5 ? W.halfwidthSoup : W.halfwidthKana;
      continue;
    }
    const t = i + 1 < bytes.length ? bytes[i + 1]! : -1;
    const leadOk = (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc);
    const trailOk = (t >= 0x40 && t <= 0x7e) || (t >= 0x80 && t <= 0xfc);
    if (!leadOk || !trailOk) {
      stats.errors++;
      stats.score += W.error;
      continue;
    }
    i++;
    stats.highBytes++;
    if (b >= 0xf0 && b <= 0xf9) {
      stats.score += W.privateUse;
      continue;
    }
    if (b >= 0xfa) {
      // IBM extensions occupy FA40–FC4B.
      if (b === 0xfc && t > 0x4b) {
        stats.errors++;
        stats.score += W.error;
      } else stats.score += W.vendorExtension;
      continue;
    }
    const pair = (b < 0xa0 ? b - 0x81 : b - 0xc1) * 2 + (t >= 0x9f ? 1 : 0);
    const row = pair + 1;
    const cell = t >= 0x9f ? t - 0x9e : t - (t >= 0x80 ? 0x40 : 0x3f);
    scoreJisRow(stats, row, cell);
  }
  return stats;
}

export function scanEucJp(bytes: Uint8Array, limit = bytes.length): ByteStats {
  const stats = emptyStats();
  const end = Math.min(limit, bytes.length);
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    stats.highBytes++;
    const t = i + 1 < bytes.length ? bytes[i + 1]! : -1;
    if (b === 0x8e) {
      if (t >= 0xa1 && t <= 0xdf) {
        i++;
        stats.highBytes++;
        stats.score += 2 * W.halfwidthKana;
      } else {
        stats.errors++;
        stats.score += W.error;
      }
      continue;
    }
    if (b === 0x8f) {
      const t2 = i + 2 < bytes.length ? bytes[i + 2]! : -1;
      if (t >= 0xa1 && t <= 0xfe && t2 >= 0xa1 && t2 <= 0xfe) {
        i += 2;
        stats.highBytes += 2;
        stats.score += W.jisX0212;
      } else {
        stats.errors++;
        stats.score += W.error;
      }
      continue;
    }
    if (b >= 0xa1 && b <= 0xfe && t >= 0xa1 && t <= 0xfe) {
      i++;
      stats.highBytes++;
      scoreJisRow(stats, b - 0xa0, t - 0xa0);
      continue;
    }
    stats.errors++;
    stats.score += W.error;
  }
  return stats;
}

/** UTF-8 read byte by byte: used only when the body is not entirely valid UTF-8. */
export function scanUtf8(bytes: Uint8Array, limit = bytes.length): ByteStats {
  const stats = emptyStats();
  const end = Math.min(limit, bytes.length);
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = length > 0 && i + length <= bytes.length;
    for (let k = 1; ok && k < length; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (!ok) {
      stats.highBytes++;
      stats.errors++;
      stats.score += W.error;
      continue;
    }
    stats.highBytes += length;
    const codePoint =
      length === 2
        ? ((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f)
        : length === 3
          ? ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f)
          : 0x10000;
    if (codePoint >= 0x3040 && codePoint <= 0x30ff) stats.kana++;
    // Three bytes per kana or kanji: a per-byte score comparable with the two-byte encodings.
    // Two-byte UTF-8 is Latin (café), Greek or Cyrillic in real text; Arabic or Syriac out of
    // Japanese bytes (EUC-JP 檸檬 is valid UTF-8) is a coincidence.
    if (length !== 2 || codePoint < 0x370) stats.score += length * 1.2;
    else stats.score += codePoint < 0x500 ? length * 0.5 : -length;
    i += length - 1;
  }
  return stats;
}

/** é è à ç ü ö ä ñ ó á í ú â ê î ô û ë ï ß å ø æ and their capitals, in windows-1252. */
const COMMON_ACCENTED = new Set(Buffer.from('éèàçüöäñóáíúâêîôûëïßåøæÉÈÀÇÜÖÄÑÓÁÍÚÂÊÎÔÛËÏÅØÆ', 'latin1'));

/** ‘ ’ “ ” – — … • € ™ and the Latin-1 symbols (NBSP to ¿): what Western text puts next to ASCII. */
const COMMON_WESTERN_PUNCTUATION = new Set([0x80, 0x85, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x99, ...Array.from({ length: 0x20 }, (_, i) => 0xa0 + i)]);

const isAsciiLetter = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/**
 * Western text: accented letters sit between ASCII letters (`café`, `Müller`), punctuation such
 * as `’` and `–` next to spaces. Japanese bytes read this way are high bytes next to high bytes.
 */
export function scanWindows1252(bytes: Uint8Array, limit = bytes.length): ByteStats {
  const stats = emptyStats();
  const end = Math.min(limit, bytes.length);
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    stats.highBytes++;
    const before = i > 0 ? bytes[i - 1]! : 0x20;
    const after = i + 1 < bytes.length ? bytes[i + 1]! : 0x20;
    const letter = b >= 0xc0 && b !== 0xd7 && b !== 0xf7;
    const nearLetter = isAsciiLetter(before) || isAsciiLetter(after);
    if (letter) stats.score += nearLetter ? (COMMON_ACCENTED.has(b) ? 1 : 0.3) : -1;
    else if (b === 0x81 || b === 0x8d || b === 0x8f || b === 0x90 || b === 0x9d) stats.score += W.error;
    else if (!COMMON_WESTERN_PUNCTUATION.has(b)) stats.score -= 0.5; // ƒ ‚ „ † ‡ ˆ ‰ Š ‹ Œ Ž ˜ š ›: Shift_JIS lead bytes, mostly
    else stats.score += before < 0x80 && after < 0x80 ? 0.5 : -1;
  }
  return stats;
}

/** Common kanji in a decoded sample: the part of the score that byte rows cannot give. */
export function commonKanjiBonus(text: string): number {
  let bonus = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x4e00 && c <= 0x9fff && COMMON_KANJI.has(c)) bonus += W.commonKanji;
  }
  return bonus;
}

/**
 * UTF-16 without a BOM and without any ASCII (which would have shown as NUL bytes): plausible
 * only if every code unit is Japanese (kana, kanji, CJK punctuation, full- or half-width forms).
 */
export function scanUtf16(bytes: Uint8Array, littleEndian: boolean, limit = bytes.length): ByteStats {
  const stats = emptyStats();
  const end = Math.min(limit, bytes.length) & ~1;
  for (let i = 0; i < end; i += 2) {
    const unit = littleEndian ? bytes[i]! | (bytes[i + 1]! << 8) : (bytes[i]! << 8) | bytes[i + 1]!;
    stats.highBytes += 2;
    if (unit >= 0x3040 && unit <= 0x30ff) {
      stats.kana++;
      stats.score += unit <= 0x309f ? W.hiragana : W.katakana;
    } else if (unit >= 0x3000 && unit <= 0x303f) stats.score += W.punctuation;
    else if (unit >= 0x4e00 && unit <= 0x9fff) stats.score += W.kanjiLevel1;
    else if (unit >= 0xff01 && unit <= 0xff5e) stats.score += W.fullwidthAlnum;
    else if (unit >= 0xff61 && unit <= 0xff9f) stats.score += 2 * W.halfwidthKana;
    else if ((unit >= 0x3200 && unit <= 0x33ff) || (unit >= 0xf900 && unit <= 0xfaff) || (unit >= 0x2460 && unit <= 0x24ff)) {
      stats.score += W.vendorExtension;
    } else if ((unit >= 0x2010 && unit <= 0x203b) || (unit >= 0x2100 && unit <= 0x21ff) || (unit >= 0x25a0 && unit <= 0x26ff)) {
      stats.score += W.symbol;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 3 < end) {
      const next = littleEndian ? bytes[i + 2]! | (bytes[i + 3]! << 8) : (bytes[i + 2]! << 8) | bytes[i + 3]!;
      if (next < 0xdc00 || next > 0xdfff) {
        stats.errors++;
        stats.score += W.error;
      }
      i += 2;
      stats.highBytes += 2;
    } else {
      stats.errors++;
      stats.score += W.error;
    }
  }
  return stats;
}

/** Per high byte, so that short and long texts compare. */
export function scorePerByte(stats: ByteStats): number {
  return stats.highBytes === 0 ? 0 : stats.score / stats.highBytes;
}

/**
 * What a windows-1252 reading must beat a Japanese one by: this detector runs on feeds a Japanese
 * reader subscribed to, so a tie between `åe,g` and 日本 goes to 日本.
 */
export const WESTERN_HANDICAP = 0.3;
