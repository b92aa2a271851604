/**
 * Bytes to text, once, at the edge (formats.md §6.3). Order: BOM; the HTTP charset unless the
 * bytes contradict it; the XML declaration or HTML `<meta>`; then detection tuned for Japanese.
 * Every declaration we overrule is reported in `overrides`, so that the log says why.
 *
 * Decoding itself is the WHATWG decoders built into Node (TextDecoder, full ICU): Shift_JIS is
 * Windows-31J with the NEC and IBM extensions (①, ㈱, 髙), labels map as browsers map them.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import type { DecodeKind, DecodedText } from '../pipeline/context.js';
import {
  commonKanjiBonus,
  scanEucJp,
  scanShiftJis,
  scanUtf16,
  scanUtf8,
  scanWindows1252,
  scorePerByte,
  WESTERN_HANDICAP,
  type ByteStats,
} from './japanese-stats.js';

export type { DecodeKind, DecodedText } from '../pipeline/context.js';

export interface DecodeOptions {
  /** The HTTP `Content-Type` header, e.g. `text/xml; charset=Shift_JIS`. */
  contentType?: string;
  /** Which in-document declaration to look for; `text` still honours an XML declaration. */
  kind?: DecodeKind;
  /**
   * `whatwg` (default) decodes as browsers do: Shift_JIS 81 60 is U+FF5E ～, 81 7C is U+FF0D －.
   * `jis` gives those two their JIS X 0208 meaning instead, U+301C 〜 and U+2212 −.
   */
  mapping?: 'whatwg' | 'jis';
}

/** Labels browsers do not know but Japanese servers and Java/Perl/PHP programs send. */
const EXTRA_LABELS: Record<string, string> = {
  cp932: 'shift_jis',
  'cp-932': 'shift_jis',
  ms932: 'shift_jis',
  'ms-932': 'shift_jis',
  sjis: 'shift_jis',
  'sjis-win': 'shift_jis',
  'shift_jisx0213': 'shift_jis',
  'shift_jis-2004': 'shift_jis',
  'x-ms-cp932': 'shift_jis',
  'windows-932': 'shift_jis',
  eucjp: 'euc-jp',
  'euc-jp-ms': 'euc-jp',
  'eucjp-ms': 'euc-jp',
  'eucjp-win': 'euc-jp',
  'euc-jis-2004': 'euc-jp',
  cp51932: 'euc-jp',
  'cp-51932': 'euc-jp',
  ujis: 'euc-jp',
  'x-euc': 'euc-jp',
  eucjis: 'euc-jp',
  jis: 'iso-2022-jp',
  iso2022jp: 'iso-2022-jp',
  'iso-2022-jp-1': 'iso-2022-jp',
  'iso-2022-jp-2': 'iso-2022-jp',
  'iso-2022-jp-3': 'iso-2022-jp',
  cp50220: 'iso-2022-jp',
  cp50221: 'iso-2022-jp',
  cp50222: 'iso-2022-jp',
  'utf-8n': 'utf-8',
  utf16: 'utf-16le',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
  'ucs-2be': 'utf-16be',
  'ucs-2le': 'utf-16le',
  cp1252: 'windows-1252',
  'latin-1': 'windows-1252',
};

const labelCache = new Map<string, string | undefined>();

/**
 * The encoding a charset label names, as browsers resolve it (`Shift_JIS`, `x-sjis`, `CP932` →
 * `shift_jis`; `ISO-8859-1`, `latin1`, `ascii` → `windows-1252`; `EUC_JP` → `euc-jp`), or
 * undefined for a label nobody knows.
 */
export function encodingForLabel(label: string): string | undefined {
  const key = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (labelCache.has(key)) return labelCache.get(key);
  let encoding = whatwgEncoding(key) ?? whatwgEncoding(key.replace(/_/g, '-')) ?? EXTRA_LABELS[key] ?? EXTRA_LABELS[key.replace(/_/g, '-')];
  // `replacement` is WHATWG's refusal to decode ISO-2022-KR and friends; we cannot do better.
  if (encoding === 'replacement') encoding = undefined;
  labelCache.set(key, encoding);
  return encoding;
}

function whatwgEncoding(label: string): string | undefined {
  if (label === '') return undefined;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

/** The `charset` parameter of a Content-Type header, as written. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i.exec(contentType);
  const label = (m?.[1] ?? m?.[2])?.trim();
  return label || undefined;
}

// ─── Decoders ──────────────────────────────────────────────────────────────────────────────

const decoders = new Map<string, TextDecoder>();

function decoder(encoding: string, fatal: boolean): TextDecoder {
  const key = `${encoding}\u0000${fatal}`;
  let d = decoders.get(key);
  if (!d) {
    d = new TextDecoder(encoding, { fatal });
    decoders.set(key, d);
  }
  return d;
}

/**
 * windows-1252 per WHATWG: Latin-1 plus the printable characters Windows put in 0x80–0x9F. Node
 * 20's TextDecoder('windows-1252') decodes plain Latin-1 (0x93 → U+0093 instead of “), so we
 * fill that range in ourselves.
 */
// prettier-ignore
const WINDOWS_1252_C1 = String.fromCharCode(
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
);

export function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (ch) => WINDOWS_1252_C1[ch.charCodeAt(0) - 0x80]!);
}

/** Decode with an encoding name from `encodingForLabel`; U+FFFD where bytes do not fit. */
export function decodeAs(bytes: Uint8Array, encoding: string, mapping: 'whatwg' | 'jis' = 'whatwg'): string {
  if (encoding === 'windows-1252') return decodeWindows1252(bytes);
  const text = decoder(encoding, false).decode(bytes);
  return mapping === 'jis' && JAPANESE_LEGACY.has(encoding) ? toJisMeaning(text) : text;
}

/** Whether every byte decodes; for UTF-16, whether every surrogate is paired. */
export function isValidIn(bytes: Uint8Array, encoding: string): boolean {
  if (encoding === 'utf-8') return isUtf8(bytes);
  if (SINGLE_BYTE.has(encoding)) return true;
  // ICU lets 0x80–0x9F through as C1 controls where WHATWG EUC-JP has errors: count them.
  if (encoding === 'euc-jp' && scanEucJp(bytes).errors > 0) return false;
  try {
    decoder(encoding, true).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function toJisMeaning(text: string): string {
  return text.replace(/[\uFF5E\uFF0D]/g, (ch) => (ch === '\uFF5E' ? '\u301C' : '\u2212'));
}

const JAPANESE_LEGACY = new Set(['shift_jis', 'euc-jp', 'iso-2022-jp']);
/** Encodings under which any byte string is "valid", so validity proves nothing. */
const SINGLE_BYTE = new Set([
  'windows-1252', 'windows-1250', 'windows-1251', 'windows-1253', 'windows-1254', 'windows-1255',
  'windows-1256', 'windows-1257', 'windows-1258', 'windows-874', 'macintosh', 'x-mac-cyrillic',
  'ibm866', 'koi8-r', 'koi8-u', 'iso-8859-2', 'iso-8859-3', 'iso-8859-4', 'iso-8859-5',
  'iso-8859-6', 'iso-8859-7', 'iso-8859-8', 'iso-8859-8-i', 'iso-8859-10', 'iso-8859-13',
  'iso-8859-14', 'iso-8859-15', 'iso-8859-16', 'x-user-defined',
]);

// ─── Declarations inside the document ──────────────────────────────────────────────────────

function asciiHead(bytes: Uint8Array, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(length, bytes.length)).toString('latin1');
}

/** `<?xml version="1.0" encoding="Shift_JIS"?>` at the very start. */
export function xmlDeclarationLabel(bytes: Uint8Array): string | undefined {
  const head = asciiHead(bytes, 512);
  const m = /^[\s\uFEFF]*<\?xml\s[^>]*?\bencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(head);
  return m ? (m[1] ?? m[2])!.trim() || undefined : undefined;
}

/** HTML `<meta charset>` / `<meta http-equiv="Content-Type" content="…; charset=…">` in the first 1024 bytes. */
export function htmlMetaLabel(bytes: Uint8Array): string | undefined {
  const head = asciiHead(bytes, 1024).replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  for (const tag of head.matchAll(/<meta[\s/][^>]*>?/gi)) {
    const attributes = new Map<string, string>();
    for (const a of tag[0].matchAll(/([^\s"'>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/g)) {
      const name = a[1]!.toLowerCase();
      if (!attributes.has(name)) attributes.set(name, a[2] ?? a[3] ?? a[4] ?? '');
    }
    const charset = attributes.get('charset');
    if (charset) return charset.trim();
    if (attributes.get('http-equiv')?.toLowerCase() === 'content-type') {
      const fromContent = charsetFromContentType(`x;${attributes.get('content')?.replace(/^[^;]*;?/, '') ?? ''}`);
      if (fromContent) return fromContent;
    }
  }
  return undefined;
}

// ─── Detection ─────────────────────────────────────────────────────────────────────────────

export interface Detection {
  encoding: string;
  /** Why, for `decidedBy`: `ASCII`, `valid UTF-8`, `ISO-2022-JP escapes`, `byte statistics`… */
  reason: string;
  /** The bytes are surely this encoding (not a guess between near-equal readings). */
  certain: boolean;
  /** The bytes are multibyte text (UTF-8 or Japanese), not something a Western label could mean. */
  multibyte: boolean;
}

/** How many bytes statistics look at: enough to be right, bounded to stay fast on big feeds. */
const SAMPLE_BYTES = 256 * 1024;
const ISO_2022_JP_ESCAPE = /\x1b(?:\$[@B]|\$\(D|\([BJI])/;

/** Detect the encoding of undeclared bytes, preferring Japanese readings. */
export function detectEncoding(bytes: Uint8Array): Detection {
  const utf16 = detectUtf16(bytes);
  if (utf16) return { encoding: utf16, reason: 'UTF-16 byte pattern', certain: true, multibyte: true };
  if (isAscii(bytes)) {
    if (ISO_2022_JP_ESCAPE.test(asciiHead(bytes, SAMPLE_BYTES))) {
      return { encoding: 'iso-2022-jp', reason: 'ISO-2022-JP escapes', certain: true, multibyte: true };
    }
    return { encoding: 'utf-8', reason: 'ASCII', certain: false, multibyte: false };
  }
  // Valid UTF-8 with three-byte sequences is UTF-8; with two-byte ones only, it may be a short
  // EUC-JP or Shift_JIS text that happens to be valid, so it is weighed like the others.
  if (isUtf8(bytes) && hasLeadOfThreeOrMore(bytes)) return { encoding: 'utf-8', reason: 'valid UTF-8', certain: true, multibyte: true };
  return detectLegacy(bytes);
}

function hasLeadOfThreeOrMore(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0xe0) return true;
  return false;
}

interface Candidate {
  encoding: string;
  stats: ByteStats;
}

function detectLegacy(bytes: Uint8Array): Detection {
  // Scanners read the whole buffer but stop counting at the sample's end, so that a character
  // cut by the sample boundary is not an error.
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  const withKanji = (encoding: string, stats: ByteStats): Candidate => {
    stats.score += commonKanjiBonus(decodeAs(sample, encoding));
    return { encoding, stats };
  };
  const candidates: Candidate[] = [
    withKanji('shift_jis', scanShiftJis(bytes, SAMPLE_BYTES)),
    withKanji('euc-jp', scanEucJp(bytes, SAMPLE_BYTES)),
    withKanji('utf-8', scanUtf8(bytes, SAMPLE_BYTES)),
    { encoding: 'windows-1252', stats: scanWindows1252(bytes, SAMPLE_BYTES) },
  ];
  if (bytes.length % 2 === 0) {
    candidates.push(withKanji('utf-16le', scanUtf16(bytes, true, SAMPLE_BYTES)), withKanji('utf-16be', scanUtf16(bytes, false, SAMPLE_BYTES)));
  }
  // One bad byte in a thousand (a truncated or spliced feed) does not disqualify a reading.
  const clean = (c: Candidate) => c.stats.errors <= Math.floor(c.stats.highBytes / 1000);
  const errorRate = (c: Candidate) => c.stats.errors / Math.max(1, c.stats.highBytes);
  const weighted = (c: Candidate) => scorePerByte(c.stats) - (c.encoding === 'windows-1252' ? WESTERN_HANDICAP : 0);
  candidates.sort((a, b) => {
    // A reading with decoding errors loses to one without, whatever it scores.
    if (clean(a) !== clean(b)) return clean(a) ? -1 : 1;
    return weighted(b) - weighted(a) || errorRate(a) - errorRate(b);
  });
  const [best, second] = candidates as [Candidate, Candidate];
  const margin = weighted(best) - weighted(second);
  // Certain: nothing else reads without errors, or the runner-up is far behind (by a byte score
  // of 1, or by half that when the winner scores at least twice as high).
  const certain =
    clean(best) &&
    best.encoding !== 'windows-1252' &&
    (!clean(second) || margin >= 1 || (margin >= 0.5 && weighted(second) > 0.1 && weighted(best) >= 2 * weighted(second)));
  const western = candidates.find((c) => c.encoding === 'windows-1252')!;
  const multibyte = clean(best) && best.encoding !== 'windows-1252' && weighted(best) - weighted(western) >= 1;
  return { encoding: best.encoding, reason: 'byte statistics', certain, multibyte };
}

/**
 * UTF-16 without a BOM: text has NUL bytes (ASCII, newlines, markup) on one side of each code
 * unit; a purely Japanese text has kana, whose high byte is 0x30, on one side.
 */
function detectUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const length = Math.min(bytes.length, 4096) & ~1;
  if (length < 2) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  let kanaEven = 0;
  let kanaOdd = 0;
  for (let i = 0; i < length; i += 2) {
    const even = bytes[i]!;
    const odd = bytes[i + 1]!;
    if (even === 0) zeroEven++;
    if (odd === 0) zeroOdd++;
    // A kana code unit is 0x30 0x41–0xFA; `0` followed by a digit (0x30 0x31) is not one.
    if (even === 0x30 && odd >= 0x41 && odd <= 0xfa) kanaEven++;
    if (odd === 0x30 && even >= 0x41 && even <= 0xfa) kanaOdd++;
  }
  const units = length / 2;
  if (zeroEven + zeroOdd > 0) {
    if (zeroOdd >= units * 0.05 && zeroEven <= zeroOdd * 0.1) return 'utf-16le';
    if (zeroEven >= units * 0.05 && zeroOdd <= zeroEven * 0.1) return 'utf-16be';
    return undefined;
  }
  if (bytes.length % 2 !== 0) return undefined;
  const sample = bytes.subarray(0, length);
  if (kanaOdd >= units * 0.2 && kanaEven < kanaOdd * 0.2 && scanUtf16(sample, true).errors === 0) return 'utf-16le';
  if (kanaEven >= units * 0.2 && kanaOdd < kanaEven * 0.2 && scanUtf16(sample, false).errors === 0) return 'utf-16be';
  return undefined;
}

// ─── decode ────────────────────────────────────────────────────────────────────────────────

const BOMS: Array<[number[], string]> = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe], 'utf-16le'],
  [[0xfe, 0xff], 'utf-16be'],
];

function bomEncoding(bytes: Uint8Array): string | undefined {
  for (const [signature, encoding] of BOMS) {
    if (signature.every((b, i) => bytes[i] === b)) return encoding;
  }
  return undefined;
}

interface Declaration {
  source: 'HTTP charset' | 'XML declaration' | 'HTML meta';
  label: string;
  encoding: string | undefined;
}

function describe(d: Declaration): string {
  return d.encoding && d.encoding !== d.label.toLowerCase() ? `${d.source} "${d.label}" (${d.encoding})` : `${d.source} "${d.label}"`;
}

function wantsMeta(bytes: Uint8Array, options: DecodeOptions): boolean {
  if (options.kind === 'html') return true;
  if (options.kind === 'xml') return false;
  if (options.contentType && /html/i.test(options.contentType)) return true;
  return /^\s*(?:<!doctype\s+html|<html|<head|<meta)/i.test(asciiHead(bytes, 256));
}

/**
 * Decode bytes fetched from somewhere, deciding the encoding the way a careful browser would and
 * then some: a declaration the bytes contradict loses, and Japanese detection overrules a
 * Western single-byte label on bytes that are plainly Japanese.
 */
export function decode(bytes: Uint8Array, options: DecodeOptions = {}): DecodedText {
  const mapping = options.mapping ?? 'whatwg';
  const overrides: string[] = [];
  const result = (encoding: string, decidedBy: string): DecodedText => ({
    text: decodeAs(bytes, encoding, mapping),
    encoding,
    decidedBy,
    overrides,
  });

  const declarations: Declaration[] = [];
  const httpLabel = charsetFromContentType(options.contentType);
  if (httpLabel) declarations.push({ source: 'HTTP charset', label: httpLabel, encoding: encodingForLabel(httpLabel) });

  const bom = bomEncoding(bytes);
  if (bom) {
    for (const d of declarations) if (d.encoding !== bom) overrides.push(`${describe(d)} ignored: the body starts with a ${bom} BOM`);
    const afterBom = bytes.subarray(3);
    const inside = bom === 'utf-8' ? (xmlDeclarationLabel(afterBom) ?? (wantsMeta(afterBom, options) ? htmlMetaLabel(afterBom) : undefined)) : undefined;
    if (inside !== undefined && encodingForLabel(inside) !== bom) overrides.push(`declared "${inside}" ignored: the body starts with a ${bom} BOM`);
    return result(bom, 'BOM');
  }

  const xmlLabel = options.kind === 'html' ? undefined : xmlDeclarationLabel(bytes);
  if (xmlLabel) declarations.push({ source: 'XML declaration', label: xmlLabel, encoding: ascii8bitDeclared(encodingForLabel(xmlLabel)) });
  const metaLabel = !xmlLabel && wantsMeta(bytes, options) ? htmlMetaLabel(bytes) : undefined;
  if (metaLabel) declarations.push({ source: 'HTML meta', label: metaLabel, encoding: ascii8bitDeclared(encodingForLabel(metaLabel)) });

  let detection: Detection | undefined;
  const detect = () => (detection ??= detectEncoding(bytes));

  for (const d of declarations) {
    if (!d.encoding) {
      overrides.push(`${describe(d)} ignored: unknown charset`);
      continue;
    }
    const verdict = judge(bytes, d.encoding, detect);
    if (verdict === 'fits') return result(d.encoding, d.source);
    const found = detect();
    overrides.push(`${describe(d)} overridden: ${verdict === 'invalid' ? 'the bytes are not valid in it' : `the bytes are ${found.encoding}`}`);
  }

  const found = detect();
  return result(found.encoding, `detected (${found.reason})`);
}

/** A document we could read as ASCII cannot be UTF-16, whatever it says (WHATWG does the same). */
function ascii8bitDeclared(encoding: string | undefined): string | undefined {
  return encoding === 'utf-16le' || encoding === 'utf-16be' ? 'utf-8' : encoding;
}

/**
 * Whether a declared encoding fits the bytes: valid in it, and not plainly something else
 * (Japanese under a Western label; ISO-2022-JP escapes or UTF-8 under any other label; EUC-JP
 * that happens to be valid Shift_JIS but reads as half-width kana soup).
 */
function judge(bytes: Uint8Array, encoding: string, detect: () => Detection): 'fits' | 'invalid' | 'contradicted' {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    const pattern = detectUtf16(bytes);
    if (pattern && pattern !== encoding) return 'contradicted';
    if (!pattern && isAscii(bytes.subarray(0, 512))) return 'contradicted';
    return isValidIn(bytes, encoding) ? 'fits' : 'invalid';
  }
  // NUL bytes on one side of every code unit: UTF-16, whatever an 8-bit label says.
  if (detectUtf16(bytes)) return 'contradicted';
  if (!isValidIn(bytes, encoding)) return 'invalid';
  if (encoding === 'iso-2022-jp') return 'fits';
  if (isAscii(bytes)) {
    return ISO_2022_JP_ESCAPE.test(asciiHead(bytes, SAMPLE_BYTES)) ? 'contradicted' : 'fits';
  }
  if (encoding === 'utf-8') return 'fits';
  const found = detect();
  if (found.encoding === encoding) return 'fits';
  if (SINGLE_BYTE.has(encoding)) return found.multibyte ? 'contradicted' : 'fits';
  // A legacy Japanese label over bytes that are certainly UTF-8 or the other Japanese encoding.
  return found.certain ? 'contradicted' : 'fits';
}
