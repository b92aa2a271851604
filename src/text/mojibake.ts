/**
 * Mojibake repair (formats.md §6.1): text whose bytes were decoded with the wrong charset is
 * turned back into those bytes and read again, stretch by stretch, and the new reading is kept
 * only where it is clearly more like real text (src/text/plausibility.ts). Paths undone:
 *
 * - UTF-8, Shift_JIS or EUC-JP bytes read as windows-1252 or Latin-1 (`ã“ã‚“`, `‚±‚ñ`, `¤³¤ó`),
 *   once or repeatedly;
 * - UTF-8 read as Shift_JIS (`縺薙ｓ`) or as EUC-JP; EUC-JP read as Shift_JIS (`､ｳ､ﾋ`) and back;
 * - raw ISO-2022-JP escape sequences left in text; double-escaped entities (`&amp;#12354;`).
 *
 * Where bytes were lost (a U+FFFD in the input), what decodes with certainty is repaired and
 * the lost part stays one U+FFFD; nothing is guessed. Text that is already right never changes:
 * no width, NFKC or quote normalisation, and clean text leaves through a fast path.
 */
import { decodeHTMLStrict } from 'entities';
import { TextDecoder } from 'node:util';
import {
  EUC_JP,
  SHIFT_JIS,
  UTF_8,
  WINDOWS_1252,
  WINDOWS_1252_HIGH,
  isJisLevel1Kanji,
  isVendorKanji,
  utf8LeadAsEucJp,
  utf8LeadAsShiftJis,
  type ByteCodec,
} from './legacy-codecs.js';
import { COMMON_KANJI } from './common-kanji.js';
import { plausibility } from './plausibility.js';

export interface RepairOptions {
  /**
   * The text is HTML (an entry's content or summary): a double escape `&amp;lt;` becomes `&lt;`,
   * one level, instead of `<`, which would change the markup.
   */
  html?: boolean;
}

export interface MojibakeRepair {
  text: string;
  /** What was undone, e.g. `UTF-8 read as Shift_JIS`, in the order it was undone. */
  repairs: string[];
}

/** A stretch must gain at least this much plausibility to be replaced. */
const MIN_GAIN = 2;
/** Layers of mojibake undone at most (UTF-8 read as windows-1252 three times over is seen). */
const MAX_PASSES = 5;

export function repairMojibake(text: string, options: RepairOptions = {}): string {
  return repairMojibakeDetailed(text, options).text;
}

export function repairMojibakeDetailed(text: string, options: RepairOptions = {}): MojibakeRepair {
  const repairs: string[] = [];
  if (!mayBeMojibake(text)) return { text, repairs };
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const before = current;
    for (const step of STEPS) {
      const result = step(current, options, new Set(repairs));
      if (result.text !== current) {
        current = result.text;
        // A layer of UTF-8 read as windows-1252 or Latin-1 can sit on another; other paths
        // found again in a later pass are the same corruption, reached once it was proven.
        for (const label of result.labels) {
          if (!repairs.includes(label) || (pass > 0 && /^UTF-8 read as (windows-1252|Latin-1)$/.test(label))) repairs.push(label);
        }
      }
    }
    // Another pass even without a sign of mojibake left: what this pass proved may unlock more.
    if (current === before) break;
  }
  return { text: current, repairs };
}

// ─── Fast path ─────────────────────────────────────────────────────────────────────────────

const HIGH_LATIN = 1; // a character windows-1252 or Latin-1 writes as a byte ≥ 0x80
const COMMON_PUNCTUATION = 2; // ‘ ’ “ ” – — … • € ™: Western text has these side by side
const SHIFT_JIS_LEAD = 4; // what a Shift_JIS lead byte becomes in windows-1252 (ƒ of ƒe = テ)
const SURE_SIGN = 8; // U+FFFD, private use, ESC, kanji made of UTF-8 bytes (縺 繧 譌)
const EUC_MARK = 16; // ｡ ､ ･: EUC-JP punctuation and kana lead bytes read as Shift_JIS
const SS2_KANJI = 32; // kanji at Shift_JIS 8E xx: EUC-JP half-width katakana read as Shift_JIS

let classes: Uint8Array | undefined;
function characterClasses(): Uint8Array {
  if (classes) return classes;
  classes = new Uint8Array(0x10000);
  for (let c = 0x80; c <= 0xff; c++) classes[c] = HIGH_LATIN;
  for (const char of WINDOWS_1252_HIGH.keys()) classes[char.charCodeAt(0)]! |= HIGH_LATIN;
  for (const char of '‘’“”–—…•€™') classes[char.charCodeAt(0)]! |= COMMON_PUNCTUATION;
  for (const [char, byte] of WINDOWS_1252_HIGH) if (!(classes[char.charCodeAt(0)]! & COMMON_PUNCTUATION) && byte !== 0x85) classes[char.charCodeAt(0)]! |= SHIFT_JIS_LEAD;
  for (let c = 0x80; c <= 0x9f; c++) classes[c]! |= SHIFT_JIS_LEAD;
  for (let c = 0xe0; c <= 0xef; c++) classes[c]! |= SHIFT_JIS_LEAD;
  for (const c of [0xfffd, 0x1b]) classes[c] = SURE_SIGN;
  for (let c = 0xe000; c < 0xf900; c++) classes[c] = SURE_SIGN;
  for (const set of [utf8LeadAsShiftJis(), utf8LeadAsEucJp()]) for (const char of set) classes[char.charCodeAt(0)] = SURE_SIGN;
  for (const c of [0xff61, 0xff64, 0xff65]) classes[c] = EUC_MARK;
  for (let trail = 0x40; trail <= 0xfc; trail++) {
    const char = SHIFT_JIS.step([0x8e, trail], 0).text;
    if (char && char.length === 1) classes[char.charCodeAt(0)]! |= SS2_KANJI;
  }
  return classes;
}

const DOUBLE_ESCAPE = /&amp;(?:amp;)*(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;
const ISO_2022_JP_STRIPPED = /\$[@B](?:[\x21-\x7e]{2})+?\([BJ]/;

/**
 * Cheap test that lets clean text through untouched: no sign of any corruption path. One pass
 * over the characters with a class table; Western punctuation side by side (’…) and genuine
 * half-width katakana do not count.
 */
export function mayBeMojibake(text: string): boolean {
  const table = characterClasses();
  let previous = 0;
  let leadPairs = 0;
  let ss2Kanji = 0;
  for (let i = 0; i < text.length; i++) {
    const current = table[text.charCodeAt(i)]!;
    ss2Kanji = current & SS2_KANJI ? ss2Kanji + 1 : 0;
    if (ss2Kanji >= 3) return true;
    if (current !== 0) {
      if (current & SURE_SIGN) return true;
      if (current & HIGH_LATIN) {
        if (previous & HIGH_LATIN && !(previous & current & COMMON_PUNCTUATION)) return true;
        if (current & SHIFT_JIS_LEAD) {
          const next = text.charCodeAt(i + 1);
          if (next >= 0x40 && next <= 0x7e && ++leadPairs >= 2) return true;
        }
      }
      if (current & EUC_MARK && (text.charCodeAt(i + 1) || 0) >= 0x80) return true;
    }
    previous = current;
  }
  return (text.includes('&amp;') && DOUBLE_ESCAPE.test(text)) || (text.includes('$') && ISO_2022_JP_STRIPPED.test(text));
}

// ─── Steps ─────────────────────────────────────────────────────────────────────────────────

interface StepResult {
  text: string;
  labels: string[];
}
/** Corruption paths already undone somewhere in this text: the rest of it likely went the same way. */
type Evidence = ReadonlySet<string>;
type Step = (text: string, options: RepairOptions, evidence: Evidence) => StepResult;

const iso2022Decoder = new TextDecoder('iso-2022-jp');

/** `ESC $ B … ESC ( B` left in text by a mailer or a program that did not decode ISO-2022-JP. */
const repairIso2022Jp: Step = (text) => {
  const labels: string[] = [];
  let out = text.replace(/\x1b(?:\$[@B]|\(I)[\x1b\x21-\x7e]*?(?:\x1b\([BJ]|(?![\x1b\x21-\x7e]))/g, (span) => {
    const decoded = iso2022Decoder.decode(Buffer.from(span, 'latin1'));
    if (decoded.includes('\uFFFD')) return span;
    labels.push('raw ISO-2022-JP');
    return decoded;
  });
  // The same with the escape characters stripped by a filter: `$B$3$s$K$A$O(B`.
  out = out.replace(/\$[@B]((?:[\x21-\x7e]{2})+?)\([BJ]/g, (span, pairs: string) => {
    const decoded = iso2022Decoder.decode(Buffer.from(`\x1b$B${pairs}\x1b(B`, 'latin1'));
    const chars = [...decoded].length;
    if (decoded.includes('\uFFFD') || chars < 2 || plausibility(decoded) < 1.5 * chars) return span;
    labels.push('ISO-2022-JP with its escapes stripped');
    return decoded;
  });
  return { text: out, labels: [...new Set(labels)] };
};

const ENTITY_BODY = /^(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31})$/i;

/** `&amp;#12354;` → `あ`, `&amp;amp;` → `&` (plain text); one level only in HTML. */
const repairDoubleEscapes: Step = (text, options) => {
  let changed = false;
  const out = text.replace(/&amp;((?:amp;)*)([#a-z][#a-z0-9]{0,32});/gi, (span, _inner: string, body: string) => {
    if (!ENTITY_BODY.test(body)) return span;
    const reference = `&${body};`;
    const decoded = decodeHTMLStrict(reference);
    if (decoded === reference || decoded.includes('\uFFFD')) return span;
    changed = true;
    return options.html ? reference : decoded;
  });
  return { text: out, labels: changed ? ['double-escaped entities'] : [] };
};

/** Runs of characters windows-1252 can write, holding two or more non-ASCII ones. */
const repairLatinMisreadings: Step = (text, _options, evidence) => {
  const context = contextOf(text, evidence);
  const labels = new Set<string>();
  const chars = Array.from(text);
  const out: string[] = [];
  let i = 0;
  while (i < chars.length) {
    if (!WINDOWS_1252.encode(chars[i]!) && chars[i] !== '\uFFFD') {
      out.push(chars[i++]!);
      continue;
    }
    let j = i;
    let nonAscii = 0;
    while (j < chars.length && (WINDOWS_1252.encode(chars[j]!) || chars[j] === '\uFFFD')) {
      if (chars[j]!.charCodeAt(0) >= 0x80) nonAscii++;
      j++;
    }
    const run = chars.slice(i, j);
    if (nonAscii >= 2) {
      const best = bestRepair(run, [
        [WINDOWS_1252, UTF_8],
        [WINDOWS_1252, SHIFT_JIS],
        [WINDOWS_1252, EUC_JP],
      ], context);
      if (best) {
        const readAs = run.some((c) => WINDOWS_1252_HIGH.has(c) && c.charCodeAt(0) > 0xff) ? 'windows-1252' : 'Latin-1';
        labels.add(`${best.to.name} read as ${readAs}`);
        out.push(...best.chars);
        i = j;
        continue;
      }
    }
    out.push(...run);
    i = j;
  }
  return { text: labels.size ? out.join('') : text, labels: [...labels] };
};

/** Kanji that a UTF-8 lead byte and a continuation byte make in Shift_JIS or EUC-JP (縺 繧 譌 …). */
function isGarbageKanji(code: number): boolean {
  return code >= 0x4e00 && code < 0xa000 && (characterClasses()[code]! & SURE_SIGN) !== 0;
}

function isCjkSign(char: string): boolean {
  const code = char.charCodeAt(0);
  return (
    code === 0xfffd ||
    (code >= 0xff61 && code <= 0xff9f) ||
    (code >= 0xe000 && code < 0xf900) ||
    (code >= 0xf900 && code < 0xfb00) ||
    isGarbageKanji(code)
  );
}

/** Runs of non-ASCII characters that hold a sign of a Japanese-codec misreading. */
const repairJapaneseMisreadings: Step = (text, _options, evidence) => {
  const context = contextOf(text, evidence);
  const labels = new Set<string>();
  const chars = Array.from(text);
  const out: string[] = [];
  let i = 0;
  let changed = false;
  while (i < chars.length) {
    if (chars[i]!.charCodeAt(0) < 0x80) {
      out.push(chars[i++]!);
      continue;
    }
    let j = i;
    let signs = 0;
    while (j < chars.length && chars[j]!.charCodeAt(0) >= 0x80) {
      if (isCjkSign(chars[j]!)) signs++;
      j++;
    }
    const run = chars.slice(i, j);
    const best =
      (signs > 0 || hasLead8eRun(run)) && run.length >= 2
        ? bestRepair(run, [
            [SHIFT_JIS, UTF_8],
            [EUC_JP, UTF_8],
            [SHIFT_JIS, EUC_JP],
            [EUC_JP, SHIFT_JIS],
          ], context)
        : undefined;
    if (best) {
      labels.add(`${best.to.name} read as ${best.from.name}`);
      out.push(...best.chars);
      changed = true;
    } else out.push(...run);
    i = j;
  }
  return { text: changed ? out.join('') : text, labels: [...labels] };
};

const STEPS: Step[] = [repairIso2022Jp, repairDoubleEscapes, repairLatinMisreadings, repairJapaneseMisreadings];

// ─── Re-reading a run of characters ────────────────────────────────────────────────────────

interface Repaired {
  chars: string[];
  gain: number;
  from: ByteCodec;
  to: ByteCodec;
  /** Every character of the run was read again: nothing of the old reading is left. */
  complete: boolean;
}

/**
 * The reading that leaves the run most plausible wins. A UTF-8 reading of windows-1252 text may
 * itself be mojibake of the same kind one layer down (`Ã£Â§` → `ã§` → `で`), so it is judged by
 * what it becomes once every layer is peeled, not by how it looks after the first.
 */
function bestRepair(run: string[], paths: Array<[ByteCodec, ByteCodec]>, context: RepairContext): Repaired | undefined {
  let best: { repaired: Repaired; score: number; rank: number } | undefined;
  for (const [from, to] of paths) {
    if (!worthTrying(run, from, to, context)) continue;
    const repaired = reread(run, from, to, context);
    if (!repaired) continue;
    let peeled = repaired.chars;
    if (from === WINDOWS_1252 && to === UTF_8) {
      for (let layer = 1; layer < MAX_PASSES; layer++) {
        const deeper = reread(peeled, WINDOWS_1252, UTF_8, context);
        if (!deeper) break;
        peeled = deeper.chars;
      }
    }
    // A whole run that reads as valid UTF-8 is near proof: Shift_JIS and EUC-JP readings of the
    // same bytes, however plausible their kanji, are coincidences.
    const wholeUtf8 = to === UTF_8 && repaired.complete;
    // A path already proven on this text beats a new one: one text, one corruption.
    const proven = isProven(context, from, to);
    const score = plausibility(peeled.join(''));
    const rank = (proven ? 2 : 0) + (wholeUtf8 ? 1 : 0);
    if (!best || rank > best.rank || (rank === best.rank && score > best.score)) best = { repaired, score, rank };
  }
  return best?.repaired;
}

/**
 * Whether a path can possibly pass `acceptable`, decided on the characters alone: most runs that
 * reach the slow path are genuine (Western accents, a rare kanji) and leave here, cheaply.
 */
function worthTrying(run: string[], from: ByteCodec, to: ByteCodec, context: RepairContext): boolean {
  if (isProven(context, from, to)) return true;
  if (from === WINDOWS_1252) {
    const bytes = run.map((char) => WINDOWS_1252.encode(char)?.[0] ?? -1);
    let inARow = 0;
    for (let i = 0; i + 1 < bytes.length; i++) {
      const [b, t] = [bytes[i]!, bytes[i + 1]!];
      if (to === UTF_8) {
        if (b >= 0xc2 && b <= 0xf4 && t >= 0x80 && t <= 0xbf) return true;
        continue;
      }
      // A Japanese word needs two double-byte characters in a row (Shift_JIS user-defined
      // F0–F9 only gives private-use characters, which never pass).
      const double =
        to === SHIFT_JIS
          ? ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xef) || b >= 0xfa) && t >= 0x40 && t <= 0xfc && t !== 0x7f
          : (b >= 0xa1 && b <= 0xfe && t >= 0xa1 && t <= 0xfe) || (b === 0x8e && t >= 0xa1 && t <= 0xdf);
      if (double) {
        if (++inARow >= 2) return true;
        i++;
      } else inARow = 0;
    }
    return false;
  }
  if (to === UTF_8) {
    // Japanese read this way gives back three-byte UTF-8: two such sequences, or one beside a
    // loss or half-width debris, are worth a closer look. A rare kanji alone (縺れる) is not.
    const bytes: number[] = [];
    let debris = false;
    for (const char of run) {
      const code = char.charCodeAt(0);
      if (code === 0xfffd || (code >= 0xff61 && code <= 0xff9f)) debris = true;
      const encoded = from.encode(char);
      if (encoded) bytes.push(...encoded);
      else bytes.push(-1);
    }
    let sequences = 0;
    for (let i = 0; i + 2 < bytes.length; i++) {
      const b = bytes[i]!;
      if (b < 0xe3 || b > 0xef || (bytes[i + 1]! & 0xc0) !== 0x80 || (bytes[i + 2]! & 0xc0) !== 0x80) continue;
      const code = ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
      if (isJapaneseRange(code) && (++sequences >= 2 || debris)) return true;
      i += 2;
    }
    return false;
  }
  if (from === SHIFT_JIS && to === EUC_JP) return context.eucReadAsShiftJis || hasLead8eRun(run);
  return run.some((char) => char === '\uFFFD' || (char.charCodeAt(0) >= 0x80 && char.charCodeAt(0) <= 0x9f));
}

/** Kana, CJK punctuation, everyday kanji, full-width forms, NEC/IBM symbols: what Japanese text is made of. */
function isEverydayJapanese(code: number): boolean {
  return (
    (code >= 0x3000 && code < 0x3100) ||
    (code >= 0x4e00 && code < 0xa000 && (COMMON_KANJI.has(code) || isJisLevel1Kanji(code))) ||
    (code >= 0xff01 && code < 0xff5f) ||
    (code >= 0x2460 && code < 0x2500) ||
    (code >= 0x3200 && code < 0x3400)
  );
}

/** The same with only the commonest kanji: what a stretch read just after a loss must be made of. */
function isCommonJapanese(code: number): boolean {
  return code >= 0x4e00 && code < 0xa000 ? COMMON_KANJI.has(code) : isEverydayJapanese(code);
}

/** Symbols JIS X 0208 shares with Western text (Greek, Cyrillic, ※ → ∑ ★): no evidence either way. */
function isNeutralSymbol(code: number): boolean {
  return (code >= 0x0370 && code < 0x0500) || (code >= 0x2000 && code < 0x2460) || (code >= 0x2500 && code < 0x2800);
}

/**
 * Three- and four-byte UTF-8 that text is written in: not Yi, Ethiopic Extended, private use or
 * the rarer planes, which bytes out of step decode to as readily as to anything else.
 */
function isLivingScript(code: number): boolean {
  return (
    (code >= 0x0800 && code < 0x2c00) ||
    (code >= 0x3000 && code < 0xa000) ||
    (code >= 0xac00 && code < 0xd7b0) ||
    (code >= 0xf900 && code < 0xfb00) ||
    (code >= 0xfe00 && code < 0xfff0) ||
    (code >= 0x1f000 && code < 0x1fb00) ||
    (code >= 0x20000 && code < 0x30000)
  );
}

/** Where the characters of Japanese text live: a UTF-8 reading outside them is a coincidence. */
function isJapaneseRange(code: number): boolean {
  return (
    (code >= 0x2000 && code < 0x2800) ||
    (code >= 0x3000 && code < 0x3100) ||
    (code >= 0x3200 && code < 0x3400) ||
    (code >= 0x4e00 && code < 0xa000) ||
    (code >= 0xf900 && code < 0xfb00) ||
    (code >= 0xff00 && code < 0xfff0) ||
    (code >= 0x1f000 && code < 0x1fb00) ||
    (code >= 0x20000 && code < 0x30000)
  );
}

function isKana(code: number): boolean {
  return code >= 0x3041 && code < 0x3100;
}

/**
 * Shift_JIS and EUC-JP accept almost any pair of high bytes, so a reading in one of them must
 * look like everyday Japanese before it replaces anything; and the two misreadings between them
 * must show their own signature, so that genuine half-width katakana (ﾃｨｰｼｬﾂ) is left alone.
 */
/**
 * EUC-JP half-width katakana (SS2 8E before each byte) leaves a trace no genuine text has: read
 * as windows-1252 or Latin-1, `Ž` or U+008E before every character (ŽÃŽ½); read as Shift_JIS,
 * a row of kanji that all begin with 8E (ﾃｽﾄ → 偲漆柴). With that trace, the half-width reading
 * is taken even though half-width katakana scores lower than the kanji it replaces.
 */
function unmistakable(original: string, reading: string, from: ByteCodec, to: ByteCodec): boolean {
  if (to !== EUC_JP) return false;
  // Half-width katakana, and everyday Japanese beside it (ｾｰﾙ中！).
  for (const char of reading) {
    const code = char.codePointAt(0)!;
    if (code >= 0x80 && !(code >= 0xff61 && code <= 0xff9f) && !isEverydayJapanese(code)) return false;
  }
  if (!/[\uff61-\uff9f]/.test(reading)) return false;
  if (from === WINDOWS_1252) return /[\u008e\u017d][\u00a1-\u00df][\u008e\u017d][\u00a1-\u00df]/.test(original);
  return from === SHIFT_JIS && hasLead8eRun(Array.from(original));
}

function acceptable(
  original: string,
  reading: string,
  from: ByteCodec,
  to: ByteCodec,
  context: RepairContext,
  wholeRun: boolean,
): boolean {
  const provenLatin = isProven(context, from, to) && readsAsLatin(reading);
  if (to === UTF_8) {
    if (from === WINDOWS_1252) return !looksLikeHalfwidthKatakana(original, reading);
    return provenLatin || readsAsJapanese(reading, wholeRun);
  }
  if (provenLatin) return true;
  let everyday = 0;
  let kana = 0;
  let substantial = 0;
  let counted = 0;
  for (const char of reading) {
    const code = char.codePointAt(0)!;
    // Half-width katakana is what Shift_JIS single bytes are: neither evidence for nor against.
    if (code < 0x80 || code === 0xfffd || (code >= 0xff61 && code <= 0xff9f) || isNeutralSymbol(code) || isVendorKanji(char)) continue;
    counted++;
    if (isEverydayJapanese(code)) everyday++;
    if (isKana(code)) kana++;
    if (isKana(code) || (code >= 0x4e00 && code < 0xa000 && COMMON_KANJI.has(code))) substantial++;
  }
  if (substantial === 0 || everyday < counted * 0.75 || (kana === 0 && everyday < counted * 0.9)) return false;
  // Kanji made of Western punctuation and a letter (‘g → 組) are coincidences; Japanese read
  // as windows-1252 gives back words, at least two Japanese characters in a row.
  if (from === WINDOWS_1252 && !hasJapaneseWord(reading)) return false;
  // Latin-1 letters and symbols pair up into level-1 kanji all the time (»¼½¾ → 纂従); without
  // kana, only kanji of everyday writing are believed.
  if (from === WINDOWS_1252 && kana === 0 && !allKanjiCommon(reading)) return false;
  // Bytes A1–DF only (ºÝÆÁ) are half-width katakana in Shift_JIS as much as kanji in EUC-JP:
  // without a kana to tip it, that is a guess, and guesses are not made.
  if (from === WINDOWS_1252 && to === EUC_JP && kana === 0 && onlyHalfwidthKatakanaBytes(original)) return false;
  // EUC-JP kana are A4/A5 lead bytes: read as Shift_JIS, `､` and `･` come before every other
  // character. Without that signature somewhere in the text, half-width katakana is genuine.
  if (from === SHIFT_JIS && to === EUC_JP) return context.eucReadAsShiftJis && (kana > 0 || (counted >= 2 && allKanjiCommon(reading)));
  // Shift_JIS read as EUC-JP loses most bytes: what remains is U+FFFD and control characters.
  if (from === EUC_JP && to === SHIFT_JIS) return kana > 0 && /[\ufffd\u0080-\u009f]/.test(original);
  return true;
}

/**
 * Half-width katakana in Shift_JIS or EUC-JP is bytes A1–DF (after 8E in EUC-JP), which read as
 * windows-1252 are `±Ø¶ÞÄ` and pair up into valid two-byte UTF-8 (`Ã½` → `ý`). Western text
 * read that way has ASCII letters around its accents (`cafÃ©`); a stretch without any, made only
 * of those bytes, is left for what it more likely is.
 */
function looksLikeHalfwidthKatakana(original: string, reading: string): boolean {
  for (const char of reading) if (char.codePointAt(0)! >= 0x800) return false;
  // …unless the reading is itself one more layer of UTF-8 read as windows-1252 (ï½± → ｱ).
  if (/[\u00e0-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]/.test(reading)) return false;
  for (const char of original) {
    const code = char.charCodeAt(0);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return false;
    if (code >= 0x80 && !(code >= 0xa1 && code <= 0xdf) && code !== 0x8e && char !== 'Ž') return false;
  }
  return true;
}

/**
 * Latin letters and symbols only (JIS X 0212 has é, ü, ñ; UTF-8 two-byte is ©, é): what a path
 * proven on the Japanese beside them is trusted with. Kana and kanji keep the usual tests.
 */
function readsAsLatin(reading: string): boolean {
  let characters = 0;
  for (const char of reading) {
    const code = char.codePointAt(0)!;
    if (code < 0x80 || code === 0xfffd) continue;
    characters++;
    const latin = (code >= 0xa1 && code < 0x180) || (code >= 0x2000 && code < 0x2200);
    if (!latin) return false;
  }
  return characters > 0;
}

/**
 * Three bytes of Shift_JIS or EUC-JP debris make a valid UTF-8 character now and then (魃､ → 鯤,
 * 譌ｧ → 桧): one character is believed only when it is the whole run; otherwise two are needed.
 */
function readsAsJapanese(reading: string, wholeRun: boolean): boolean {
  let characters = 0;
  let everyday = 0;
  for (const char of reading) {
    const code = char.codePointAt(0)!;
    if (code < 0x80 || code === 0xfffd) continue;
    characters++;
    if (isEverydayJapanese(code)) everyday++;
  }
  return characters >= 2 || (wholeRun && everyday === 1);
}

/** Every kanji is a common one, NEC/IBM variants such as 髙 and 﨑 aside (names use them), and there is one. */
function onlyHalfwidthKatakanaBytes(text: string): boolean {
  for (const char of text) {
    const byte = WINDOWS_1252.encode(char)?.[0] ?? 0;
    if (byte >= 0x80 && (byte < 0xa1 || byte > 0xdf)) return false;
  }
  return true;
}

function hasLead8eRun(chars: readonly string[]): boolean {
  let inARow = 0;
  for (const char of chars) {
    inARow = SHIFT_JIS.encode(char)?.[0] === 0x8e ? inARow + 1 : 0;
    if (inARow >= 3) return true;
  }
  return false;
}

function allKanjiCommon(text: string): boolean {
  let common = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xf900 && code < 0xfb00) continue;
    if (code >= 0x4e00 && code < 0xa000) {
      if (COMMON_KANJI.has(code)) common++;
      else if (!isVendorKanji(char)) return false;
    }
  }
  return common > 0;
}


function hasJapaneseWord(text: string): boolean {
  let previous = false;
  for (const char of text) {
    const current = isEverydayJapanese(char.codePointAt(0)!) || isVendorKanji(char);
    if (current && previous) return true;
    previous = current;
  }
  return false;
}

interface RepairContext {
  /** The text shows EUC-JP kana read as Shift_JIS (`､ｳ､ﾋ`) somewhere. */
  eucReadAsShiftJis: boolean;
  /**
   * Paths already undone elsewhere in this text. Where Japanese went through a path, the Western
   * letters beside it did too (UTF-8 `é` read as Shift_JIS is `ﾃｩ`, EUC-JP `è` read as Latin-1 is
   * `\x8f«²`), so once the Japanese has proven the path, smaller stretches are believed.
   */
  proven: Evidence;
}

function isProven(context: RepairContext, from: ByteCodec, to: ByteCodec): boolean {
  if (from === WINDOWS_1252) return context.proven.has(`${to.name} read as windows-1252`) || context.proven.has(`${to.name} read as Latin-1`);
  return context.proven.has(`${to.name} read as ${from.name}`);
}

function contextOf(text: string, proven: Evidence): RepairContext {
  let halfwidth = 0;
  let marks = 0;
  let swallowed = 0;
  let utf8Debris = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xff61 && code <= 0xff9f) halfwidth++;
    // ｡ ､ ･ (A1, A4, A5: the lead bytes of EUC-JP punctuation, hiragana, katakana) directly
    // before another non-ASCII character.
    if ((code === 0xff61 || code === 0xff64 || code === 0xff65) && (text.charCodeAt(i + 1) || 0) >= 0x80) marks++;
    // …or swallowed as the second byte of a Shift_JIS kanji (画の → ｲ隍ﾎ: 隍 is E8 A4).
    else if (code >= 0x4e00 && code < 0xa000 && !isEverydayJapanese(code)) {
      if (utf8LeadAsShiftJis().has(text[i]!)) utf8Debris++;
      const trail = SHIFT_JIS.encode(text[i]!)?.[1];
      if (trail === 0xa1 || trail === 0xa4 || trail === 0xa5) swallowed++;
    }
  }
  // UTF-8 read as Shift_JIS is full of rare kanji with such trail bytes too: there, only the
  // visible marks count.
  if (utf8Debris < 2) marks += swallowed;
  return { eucReadAsShiftJis: marks >= 1 && marks >= halfwidth * 0.1, proven };
}

const LOST = 0xff; // a byte no decoder here accepts: stands for what a U+FFFD replaced
const BARRIER = -1; // a character the encoder cannot write: nothing reads across it
/** Bytes looked at when choosing how to resume reading after a loss. */
const RESYNC_WINDOW = 12;

/**
 * Paths whose decoder's losses leave the rest in step, so that what survives a loss can be read
 * with confidence. ICU's EUC-JP decoder drops one byte here and two there, and what it leaves
 * around a loss of UTF-8 often reads as valid but wrong characters: there, only stretches with
 * no loss at all are repaired.
 */
const TRUSTED_WITH_LOSS = (from: ByteCodec, to: ByteCodec) => !(from === EUC_JP && to === UTF_8);

type Kind = 'multibyte' | 'ascii' | 'invalid';
interface Sequence {
  start: number;
  end: number;
  kind: Kind;
  text?: string;
}

/**
 * Encode `run` with `from`, read the bytes with `to`, and replace each stretch of characters
 * whose bytes all read as characters (and that gains plausibility) with the new reading. A
 * multibyte character is taken only if every source character its bytes came from is taken.
 */
function reread(run: string[], from: ByteCodec, to: ByteCodec, context: RepairContext): Repaired | undefined {
  const bytes: number[] = [];
  const starts: number[] = [];
  const charOfByte: number[] = [];
  /** Bytes known to be lost: the stand-in for a U+FFFD, and bytes skipped to resynchronise. */
  const lost: boolean[] = [];
  run.forEach((char, index) => {
    starts.push(bytes.length);
    // A Shift_JIS decoder that fails on a pair drops both bytes: keep the byte count right, so
    // that what follows is read in step.
    const encoded = char === '\uFFFD' ? (from === SHIFT_JIS ? [LOST, LOST] : [LOST]) : (from.encode(char) ?? [BARRIER]);
    for (const b of encoded) {
      bytes.push(b);
      charOfByte.push(index);
      lost.push(char === '\uFFFD');
    }
  });
  starts.push(bytes.length);
  if (from.alternative) chooseAlternatives(run, bytes, starts, from, to);

  const sequences = readSequences(bytes, lost, from, to, isProven(context, from, to));
  const byteState = classifyBytes(bytes, lost, sequences, to === UTF_8 ? 3 : 1);

  // Which source characters can be taken.
  const good = run.map((char, index) => {
    let multibyte = false;
    let allLost = true;
    for (let b = starts[index]!; b < starts[index + 1]!; b++) {
      const state = byteState[b];
      if (state === 'invalid' || bytes[b] === BARRIER) return false;
      if (state === 'multibyte') multibyte = true;
      if (state !== 'lost') allLost = false;
    }
    if (char.charCodeAt(0) < 0x80 || multibyte || char === '\uFFFD') return true;
    // Made only of bytes lost with a neighbour: it joins the neighbour's U+FFFD. Orphaned UTF-8
    // continuation bytes are certainly debris; in a two-byte encoding only garbage characters are.
    return allLost && (to === UTF_8 || plausibility(char) < 0);
  });
  for (let changed = true; changed; ) {
    changed = false;
    for (const seq of sequences) {
      if (seq.kind !== 'multibyte') continue;
      const first = charOfByte[seq.start]!;
      const last = charOfByte[seq.end - 1]!;
      let allGood = true;
      for (let c = first; c <= last; c++) allGood &&= good[c]!;
      if (allGood) continue;
      for (let c = first; c <= last; c++) {
        if (good[c]) {
          good[c] = false;
          changed = true;
        }
      }
    }
  }

  /** The new reading of the bytes of characters [i, j): one U+FFFD per stretch of lost bytes. */
  const readingOf = (i: number, j: number) => {
    const startByte = starts[i]!;
    const endByte = starts[j]!;
    let low = 0;
    let high = sequences.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sequences[middle]!.end <= startByte) low = middle + 1;
      else high = middle;
    }
    let text = '';
    let multibyte = false;
    let inLoss = false;
    for (let k = low; k < sequences.length && sequences[k]!.start < endByte; k++) {
      const seq = sequences[k]!;
      if (seq.kind === 'invalid') {
        if (!inLoss) text += '\uFFFD';
        inLoss = true;
        continue;
      }
      inLoss = false;
      if (seq.kind === 'multibyte') multibyte = true;
      text += seq.text!;
    }
    return { text, multibyte };
  };
  const proven = isProven(context, from, to);
  /** The replacement for characters [i, j), if it is one. */
  const judge = (i: number, j: number): { reading: string; delta: number } | undefined => {
    const original = run.slice(i, j).join('');
    const { text: reading, multibyte } = readingOf(i, j);
    if (!multibyte || reading === original) return undefined;
    if (unmistakable(original, reading, from, to)) return { reading, delta: Math.max(plausibility(reading) - plausibility(original), 0.1) };
    const delta = plausibility(reading) - plausibility(original);
    // On a proven path any gain will do for Latin letters: `ﾂｩ` → `©` gains little but is the
    // same corruption as the Japanese beside it.
    if (proven && readsAsLatin(reading) ? delta <= 0 : delta < MIN_GAIN) return undefined;
    if (reading.includes('\uFFFD') && !TRUSTED_WITH_LOSS(from, to)) return undefined;
    if (!acceptable(original, reading, from, to, context, i === 0 && j === run.length)) return undefined;
    return { reading, delta };
  };
  /** ASCII that reads as itself: a place where a stretch can be split without splitting bytes. */
  const standaloneAscii = (k: number) => run[k]!.charCodeAt(0) < 0x80 && byteState[starts[k]!] === 'ascii';

  // Replace each stretch of good characters that gains plausibility; if a stretch as a whole
  // does not, its words may (テスト beside Crème, where only the Japanese is proven yet).
  const out: string[] = [];
  let gain = 0;
  let complete = true;
  const keep = (i: number, j: number) => {
    for (let k = i; k < j; k++) if (run[k]!.charCodeAt(0) >= 0x80) complete = false;
    out.push(...run.slice(i, j));
  };
  for (let i = 0; i < run.length; ) {
    if (!good[i]) {
      keep(i, i + 1);
      i++;
      continue;
    }
    let j = i;
    while (j < run.length && good[j]) j++;
    const whole = judge(i, j);
    if (whole) {
      out.push(...Array.from(whole.reading));
      gain += whole.delta;
    } else {
      for (let a = i; a < j; ) {
        if (standaloneAscii(a)) {
          out.push(run[a++]!);
          continue;
        }
        let b = a;
        while (b < j && !standaloneAscii(b)) b++;
        const part = b - a < j - i ? judge(a, b) : undefined;
        if (part) {
          out.push(...Array.from(part.reading));
          gain += part.delta;
        } else keep(a, b);
        a = b;
      }
    }
    i = j;
  }
  return gain > 0 ? { chars: out, gain, from, to, complete } : undefined;
}

/** Where a character has two encodings of one length, keep the one its neighbours read better with. */
function chooseAlternatives(run: string[], bytes: number[], starts: number[], from: ByteCodec, to: ByteCodec): void {
  run.forEach((char, index) => {
    const alternative = from.alternative!(char);
    if (!alternative) return;
    const start = starts[index]!;
    const before = Math.min(3, start);
    const window = (candidate: readonly number[]) => {
      const copy = bytes.slice(start - before, Math.min(bytes.length, start + candidate.length + 3));
      copy.splice(before, candidate.length, ...candidate);
      return plausibility(readWindow(copy, 0, to));
    };
    if (window(alternative) > window(bytes.slice(start, start + alternative.length))) bytes.splice(start, alternative.length, ...alternative);
  });
}

function readSequences(bytes: number[], lost: boolean[], from: ByteCodec, to: ByteCodec, proven: boolean): Sequence[] {
  const sequences: Sequence[] = [];
  const twoByteTarget = to !== UTF_8;
  /** Where the last character read (or failed to read) began; after ASCII, the next byte. */
  let characterStart = 0;
  for (let i = 0; i < bytes.length; ) {
    if (bytes[i] === BARRIER || lost[i]) {
      sequences.push({ start: i, end: i + 1, kind: 'invalid' });
      i++;
      if (twoByteTarget && lost[i - 1] && i < bytes.length && !lost[i] && bytes[i] !== BARRIER) {
        if (from === SHIFT_JIS && to === EUC_JP) {
          // EUC-JP characters are two bytes and a Shift_JIS decoder mostly drops two at a time:
          // resume in step with the last character that began before the loss, unless the
          // other byte reads far better (it dropped one: FD, FE, or a lead before ASCII).
          const inStep = (i - characterStart) % 2 === 0;
          const here = plausibility(readWindow(bytes, i, to)) + (inStep ? 3 : 0);
          const next = plausibility(readWindow(bytes, i + 1, to)) + (inStep ? 0 : 3);
          if (next > here) lost[i] = true;
        } else if (from !== SHIFT_JIS) {
          // A loss of unknown length: resume on whichever byte reads better.
          const resumeHere = plausibility(readWindow(bytes, i, to));
          const resumeNext = plausibility(readWindow(bytes, i + 1, to)) - 1;
          if (resumeNext > resumeHere) lost[i] = true;
        }
      }
      continue;
    }
    characterStart = bytes[i]! < 0x80 ? i + 1 : i;
    const step = to.step(bytes, i);
    let kind: Kind = step.text === undefined ? 'invalid' : step.text.charCodeAt(0) < 0x80 ? 'ascii' : 'multibyte';
    // UTF-8 read as Shift_JIS or EUC-JP is Japanese text: three-byte sequences. A two-byte one
    // there (ﾃｨ → è) is far likelier genuine half-width katakana than mojibake.
    if (kind === 'multibyte' && to === UTF_8 && from !== WINDOWS_1252) {
      const code = step.text!.codePointAt(0)!;
      const provenLatin = proven && step.length === 2 && code < 0x500;
      if (!provenLatin && (step.length < 3 || !isJapaneseRange(code))) kind = 'invalid';
    }
    if (kind === 'multibyte' && to === UTF_8 && step.length > 2 && !isLivingScript(step.text!.codePointAt(0)!)) kind = 'invalid';
    // Out of windows-1252 text, two-byte UTF-8 is Latin, Greek or Cyrillic; Latin Extended-B,
    // Hebrew, Arabic, Syriac… there are far likelier `Ç­` → `ǭ` coincidences.
    if (kind === 'multibyte' && to === UTF_8 && step.length === 2) {
      const code = step.text!.charCodeAt(0);
      if (((code >= 0x180 && code < 0x370) || code >= 0x500) && !WINDOWS_1252_HIGH.has(step.text!)) kind = 'invalid';
    }
    sequences.push({ start: i, end: i + (kind === 'invalid' ? 1 : step.length), kind, text: step.text });
    i += kind === 'invalid' ? 1 : step.length;
  }
  distrustReadingsAfterLoss(sequences, lost, twoByteTarget ? 2 : 1);
  return sequences;
}

/**
 * After a loss a two-byte encoding may be read out of step, and out of step it still yields
 * characters. A stretch of characters next to a loss is kept only if it is two or more everyday
 * Japanese characters; otherwise it is as likely wrong as right and counts as lost too.
 */
function distrustReadingsAfterLoss(sequences: Sequence[], lost: boolean[], minimum: number): void {
  const lostWithin = (from: number, direction: 1 | -1) => {
    for (let k = from; k >= 0 && k < sequences.length && sequences[k]!.kind === 'invalid'; k += direction) {
      if (lost[sequences[k]!.start]) return true;
    }
    return false;
  };
  for (let s = 0; s < sequences.length; ) {
    if (sequences[s]!.kind === 'invalid') {
      s++;
      continue;
    }
    let e = s;
    while (e < sequences.length && sequences[e]!.kind !== 'invalid') e++;
    if (lostWithin(s - 1, -1) || lostWithin(e, 1)) {
      let characters = 0;
      let everyday = 0;
      for (let k = s; k < e; k++) {
        if (sequences[k]!.kind !== 'multibyte') continue;
        characters++;
        if (isCommonJapanese(sequences[k]!.text!.codePointAt(0)!)) everyday++;
      }
      const trusted = minimum === 1 ? characters >= 2 || everyday === characters : characters >= minimum && everyday >= characters * 0.9;
      if (!trusted) {
        for (let k = s; k < e; k++) if (sequences[k]!.kind === 'multibyte') sequences[k]!.kind = 'invalid';
      }
    }
    s = e;
  }
}

function readWindow(bytes: number[], start: number, to: ByteCodec): string {
  let text = '';
  for (let i = start; i < bytes.length && i < start + RESYNC_WINDOW && bytes[i] !== BARRIER && bytes[i] !== LOST; ) {
    const step = to.step(bytes, i);
    text += step.text ?? '\uFFFD';
    i += step.text === undefined ? 1 : step.length;
  }
  return text;
}

/**
 * Invalid bytes next to a U+FFFD were part of what got lost, as far as one character reaches
 * from it (three bytes of UTF-8, one of a two-byte encoding); other invalid bytes are plain bad.
 */
function classifyBytes(bytes: number[], lost: boolean[], sequences: Sequence[], reach: number): Array<Kind | 'lost'> {
  const state: Array<Kind | 'lost'> = new Array(bytes.length);
  for (let s = 0; s < sequences.length; ) {
    const seq = sequences[s]!;
    if (seq.kind !== 'invalid') {
      for (let b = seq.start; b < seq.end; b++) state[b] = seq.kind;
      s++;
      continue;
    }
    let e = s;
    while (e < sequences.length && sequences[e]!.kind === 'invalid') e++;
    const first = sequences[s]!.start;
    const last = sequences[e - 1]!.end;
    let barrier = false;
    for (let b = first; b < last; b++) if (bytes[b] === BARRIER) barrier = true;
    for (let b = first; b < last; b++) state[b] = 'invalid';
    if (!barrier) {
      for (let b = first; b < last; b++) {
        if (!lost[b]) continue;
        for (let k = Math.max(first, b - reach); k < Math.min(last, b + reach + 1); k++) state[k] = 'lost';
      }
    }
    s = e;
  }
  return state;
}
