/**
 * Byte-level Shift_JIS (Windows-31J), EUC-JP, UTF-8 and windows-1252 codecs that report where
 * each character starts and ends, which TextDecoder cannot. Mojibake repair needs that to turn
 * text back into the bytes it was decoded from and to see which bytes still form characters.
 *
 * The Shift_JIS and EUC-JP tables are read out of Node's own WHATWG decoders once, on first use,
 * so that repair and `decode()` agree to the code point (NEC/IBM extensions included); encoding
 * takes the first byte pair that decodes to a character, as the WHATWG index does.
 */
import { TextDecoder } from 'node:util';

export interface DecodedStep {
  /** Bytes consumed (≥ 1). */
  length: number;
  /** The character, or undefined when the bytes at this position are invalid. */
  text: string | undefined;
}

export interface ByteCodec {
  readonly name: string;
  /** The bytes one character (one code point) was written as, or undefined if it has none. */
  encode(char: string): readonly number[] | undefined;
  /** Another byte sequence of the same length that decodes to the same character, if any. */
  alternative?(char: string): readonly number[] | undefined;
  /** Read one character at `index`. */
  step(bytes: readonly number[], index: number): DecodedStep;
}

const INVALID = (length = 1): DecodedStep => ({ length, text: undefined });

// ─── Tables from the WHATWG decoders ───────────────────────────────────────────────────────

interface Table {
  decode: Map<number, string>;
  encode: Map<string, number[]>;
}

/** Decode every candidate sequence in one TextDecoder call, each followed by a newline. */
function buildTable(encoding: string, sequences: number[][]): Table {
  const bytes: number[] = [];
  for (const sequence of sequences) bytes.push(...sequence, 0x0a);
  const texts = new TextDecoder(encoding).decode(Uint8Array.from(bytes)).split('\n');
  const table: Table = { decode: new Map(), encode: new Map() };
  sequences.forEach((sequence, i) => {
    const text = texts[i]!;
    if (text.length === 0 || text.includes('\uFFFD') || [...text].length !== 1) return;
    table.decode.set(key(sequence), text);
    if (!table.encode.has(text)) table.encode.set(text, sequence);
  });
  return table;
}

const key = (sequence: readonly number[]) => sequence.reduce((k, b) => k * 256 + b, 0);

let shiftJisTable: Table | undefined;
function shiftJis(): Table {
  if (!shiftJisTable) {
    const sequences: number[][] = [];
    for (let b = 0x80; b <= 0xdf; b++) if (b === 0x80 || b >= 0xa1) sequences.push([b]);
    for (let lead = 0x81; lead <= 0xfc; lead++) {
      if (lead >= 0xa0 && lead <= 0xdf) continue;
      for (let trail = 0x40; trail <= 0xfc; trail++) if (trail !== 0x7f) sequences.push([lead, trail]);
    }
    shiftJisTable = buildTable('shift_jis', sequences);
  }
  return shiftJisTable;
}

let eucJpTable: Table | undefined;
function eucJp(): Table {
  if (!eucJpTable) {
    // ICU's EUC-JP decoder (Node's) passes 0x80–0x9F other than SS2/SS3 through as C1 controls.
    const sequences: number[][] = [];
    for (let b = 0x80; b <= 0x9f; b++) if (b !== 0x8e && b !== 0x8f) sequences.push([b]);
    for (let trail = 0xa1; trail <= 0xdf; trail++) sequences.push([0x8e, trail]);
    for (let lead = 0xa1; lead <= 0xfe; lead++) for (let trail = 0xa1; trail <= 0xfe; trail++) sequences.push([lead, trail]);
    for (let lead = 0xa1; lead <= 0xfe; lead++) {
      for (let trail = 0xa1; trail <= 0xfe; trail++) sequences.push([0x8f, lead, trail]);
    }
    eucJpTable = buildTable('euc-jp', sequences);
  }
  return eucJpTable;
}

const ascii = (char: string): readonly number[] | undefined => {
  const code = char.charCodeAt(0);
  return char.length === 1 && code < 0x80 ? ASCII_BYTES[code] : undefined;
};
const ASCII_BYTES = Array.from({ length: 128 }, (_, b) => [b]);
const ASCII_TEXT = Array.from({ length: 128 }, (_, b) => String.fromCharCode(b));

// ─── Codecs ────────────────────────────────────────────────────────────────────────────────

/**
 * Characters that Shift_JIS has twice, as an NEC-selected IBM extension (ED/EE) and as an IBM
 * extension (FA–FC): character → the pair not chosen by `encode`.
 */
let duplicates: Map<string, number[]> | undefined;
function duplicatePairs(): Map<string, number[]> {
  if (!duplicates) {
    duplicates = new Map();
    for (const [code, char] of shiftJis().decode) {
      const first = shiftJis().encode.get(char)!;
      if (code >= 0xfa00 && first[0] !== code >> 8) duplicates.set(char, [code >> 8, code & 0xff]);
    }
  }
  return duplicates;
}

/**
 * Shift_JIS (Windows-31J). `encode` writes a character at its first position in the table (an
 * NEC-selected IBM extension as ED/EE, which is what UTF-8 bytes read as Shift_JIS give back);
 * `alternative` offers the IBM-extension pair, which EUC-JP bytes read as Shift_JIS may need.
 */
export const SHIFT_JIS: ByteCodec = {
  name: 'Shift_JIS',
  encode: (char) => ascii(char) ?? shiftJis().encode.get(char),
  alternative: (char) => duplicatePairs().get(char),
  step(bytes, i) {
    const b = bytes[i]!;
    if (b < 0x80) return { length: 1, text: ASCII_TEXT[b] };
    const single = shiftJis().decode.get(b);
    if (single !== undefined) return { length: 1, text: single };
    if (i + 1 >= bytes.length) return INVALID();
    const pair = shiftJis().decode.get(b * 256 + bytes[i + 1]!);
    return pair === undefined ? INVALID() : { length: 2, text: pair };
  },
};

export const EUC_JP: ByteCodec = {
  name: 'EUC-JP',
  encode: (char) => ascii(char) ?? eucJp().encode.get(char),
  step(bytes, i) {
    const b = bytes[i]!;
    if (b < 0x80) return { length: 1, text: ASCII_TEXT[b] };
    // The C1 controls ICU passes through are in the table only to encode them back.
    if (i + 1 >= bytes.length || b < 0xa1 && b !== 0x8e && b !== 0x8f) return INVALID();
    const pair = eucJp().decode.get(b * 256 + bytes[i + 1]!);
    if (pair !== undefined) return { length: 2, text: pair };
    if (b === 0x8f && i + 2 < bytes.length) {
      const triple = eucJp().decode.get((b * 256 + bytes[i + 1]!) * 256 + bytes[i + 2]!);
      if (triple !== undefined) return { length: 3, text: triple };
    }
    return INVALID();
  },
};

export const UTF_8: ByteCodec = {
  name: 'UTF-8',
  encode(char) {
    return Array.from(Buffer.from(char, 'utf8'));
  },
  step(bytes, i) {
    const b = bytes[i]!;
    if (b < 0x80) return { length: 1, text: ASCII_TEXT[b] };
    let length: number;
    let codePoint: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [length, codePoint, min] = [2, b & 0x1f, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [length, codePoint, min] = [3, b & 0x0f, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [length, codePoint, min] = [4, b & 0x07, 0x10000];
    else return INVALID();
    if (i + length > bytes.length) return INVALID();
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return INVALID();
      codePoint = (codePoint << 6) | (c & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return INVALID();
    return { length, text: String.fromCodePoint(codePoint) };
  },
};

/** The characters windows-1252 puts in 0x80–0x9F, by byte. */
export const WINDOWS_1252_HIGH: ReadonlyMap<string, number> = new Map(
  [
    0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
    0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
  ].map((code, i) => [String.fromCharCode(code), 0x80 + i]),
);
const BYTE_ARRAYS = Array.from({ length: 256 }, (_, b) => [b]);

/**
 * "Sloppy" windows-1252, as ftfy calls it: Latin-1 for every byte, the Windows characters for
 * 0x80–0x9F as well as the C1 controls a Latin-1 or WHATWG decoder leaves there. That single table
 * undoes both "read as Latin-1" and "read as windows-1252".
 */
export const WINDOWS_1252: ByteCodec = {
  name: 'windows-1252',
  encode(char) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code <= 0xff) return BYTE_ARRAYS[code];
    const high = WINDOWS_1252_HIGH.get(char);
    return high === undefined ? undefined : BYTE_ARRAYS[high];
  },
  step(bytes, i) {
    return { length: 1, text: String.fromCharCode(bytes[i]!) };
  },
};

/** Characters that Shift_JIS makes of a UTF-8 lead byte (E2–E9) and a continuation byte (縺 繧 譌 …). */
let utf8AsShiftJis: Set<string> | undefined;
export function utf8LeadAsShiftJis(): ReadonlySet<string> {
  if (!utf8AsShiftJis) {
    utf8AsShiftJis = new Set();
    // E2: symbols (① ※ → ★ ™), E3: kana and CJK punctuation, E4–E9: kanji.
    for (let lead = 0xe2; lead <= 0xe9; lead++) {
      for (let trail = 0x80; trail <= 0xbf; trail++) {
        const text = shiftJis().decode.get(lead * 256 + trail);
        if (text) utf8AsShiftJis.add(text);
      }
    }
  }
  return utf8AsShiftJis;
}

/** Characters that EUC-JP makes of a UTF-8 lead byte and continuation byte. */
let utf8AsEucJp: Set<string> | undefined;
export function utf8LeadAsEucJp(): ReadonlySet<string> {
  if (!utf8AsEucJp) {
    utf8AsEucJp = new Set();
    for (let lead = 0xe2; lead <= 0xe9; lead++) {
      for (let trail = 0xa1; trail <= 0xbf; trail++) {
        const text = eucJp().decode.get(lead * 256 + trail);
        if (text) utf8AsEucJp.add(text);
      }
    }
  }
  return utf8AsEucJp;
}

let level1: Uint8Array | undefined;
/** Whether a kanji is in JIS X 0208 level 1, the 2,965 kanji of everyday writing (EUC-JP rows 16–47). */
export function isJisLevel1Kanji(code: number): boolean {
  if (code < 0x4e00 || code >= 0xa000) return false;
  if (!level1) {
    level1 = new Uint8Array(0xa000 - 0x4e00);
    for (let lead = 0xb0; lead <= 0xcf; lead++) {
      for (let trail = 0xa1; trail <= 0xfe; trail++) {
        const text = eucJp().decode.get(lead * 256 + trail);
        const c = text?.charCodeAt(0) ?? 0;
        if (c >= 0x4e00 && c < 0xa000) level1[c - 0x4e00] = 1;
      }
    }
  }
  return level1[code - 0x4e00] === 1;
}

let vendorKanji: Set<string> | undefined;
/** Kanji that exist only as NEC or IBM extensions of Shift_JIS (髙 﨑 纊 …). */
export function isVendorKanji(char: string): boolean {
  if (!vendorKanji) {
    vendorKanji = new Set();
    for (const [code, text] of shiftJis().decode) {
      if (code >= 0xed00 && code < 0xef00) vendorKanji.add(text);
      if (code >= 0xfa00 && code < 0xfd00) vendorKanji.add(text);
    }
  }
  return vendorKanji.has(char);
}
