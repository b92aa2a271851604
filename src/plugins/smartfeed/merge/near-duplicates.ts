/**
 * Near-duplicate text without comparing every pair: each text becomes a set of character
 * 3-grams (Japanese has no spaces to split words on), a MinHash signature of 40 values (one
 * permutation, 40 bins, densified by rotation: Shrivastava & Li 2014, so a text costs one hash per
 * 3-gram rather than forty), and 8 LSH bands of 5. Texts that share a band are candidates; a
 * candidate pair is confirmed on the exact Jaccard similarity of the 3-gram sets. Pairs at
 * similarity 0.9 share a band with probability 0.9996, at 0.8 with 0.96, at 0.5 with 0.22 and at
 * 0.3 with 0.02, so unrelated texts rarely even become candidates.
 */

const SHINGLE = 3;
const BANDS = 8;
const ROWS = 5;
const HASHES = BANDS * ROWS;
/** A bucket this full holds boilerplate ("おはようございます"), not copies. */
const MAX_BUCKET = 64;

const EMPTY = 0xffffffff;

const URL_PATTERN = /https?:\/\/\S+/g;

/** Full-width and half-width forms, enclosed and squared letters: what NFKC changes in Japanese. */
const COMPATIBILITY_FORMS = /[\u2000-\u206f\u2100-\u24ff\u3000\u3200-\u33ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/;

/** Reused between calls: allocating per text is most of the cost otherwise. */
let codes = new Uint16Array(4096);
const WORD = /[\p{L}\p{N}]/u;
const wordCache = new Map<number, boolean>();

function isWordCode(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
  // Kana, CJK ideographs and Hangul: nearly all Japanese text.
  if ((code >= 0x3041 && code <= 0x30fa) || code === 0x30fc || (code >= 0x3400 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7a3)) return true;
  // A surrogate half is part of a letter outside the BMP as often as of an emoji; keep it.
  if (code >= 0xd800 && code <= 0xdfff) return true;
  let word = wordCache.get(code);
  if (word === undefined) wordCache.set(code, (word = WORD.test(String.fromCharCode(code))));
  return word;
}

/**
 * Folds `text` into the shared `codes` buffer — case, width, whitespace, punctuation and URLs do
 * not make a text different — and returns its length.
 */
function foldCodes(text: string): number {
  const length = foldPlainCodes(text);
  return length >= 0 ? length : foldAnyCodes(text);
}

/**
 * The fold of a text of ASCII, kana and ideographs, in one pass with no new string, or -1 for
 * anything else. For these characters NFKC changes nothing and lower-casing only touches A–Z, so
 * the result is foldAnyCodes's; a URL is skipped up to the whitespace that ends it, as
 * URL_PATTERN does (a tweet announcing a post is such a text).
 */
function foldPlainCodes(text: string): number {
  if (codes.length < text.length) codes = new Uint16Array(text.length * 2);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      if (code >= 0x41 && code <= 0x5a) code |= 0x20;
      if (code === 0x68) {
        const end = urlEnd(text, i);
        if (end === -1) return -1;
        if (end > i) {
          i = end - 1;
          continue;
        }
      }
      if ((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) codes[length++] = code;
    } else if (isPlainWideCode(code)) {
      if (isWordCode(code)) codes[length++] = code;
    } else {
      return -1;
    }
  }
  return length;
}

function isPlainWideCode(code: number): boolean {
  return (code >= 0x3001 && code <= 0x30ff) || (code >= 0x3400 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7a3);
}

function isAsciiSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * Where the URL starting at `start` (an `h`) ends, as URL_PATTERN (`https?://` and at least one
 * more character, up to whitespace) would find it in plain text: `start` when there is none, -1
 * when it runs into a character outside the plain ones (which may be whitespace URL_PATTERN
 * stops at).
 */
function urlEnd(text: string, start: number): number {
  let at = start + 1;
  if ((text.charCodeAt(at++) | 0x20) !== 0x74 || (text.charCodeAt(at++) | 0x20) !== 0x74 || (text.charCodeAt(at++) | 0x20) !== 0x70) return start;
  if ((text.charCodeAt(at) | 0x20) === 0x73) at++;
  if (text.charCodeAt(at) !== 0x3a || text.charCodeAt(at + 1) !== 0x2f || text.charCodeAt(at + 2) !== 0x2f) return start;
  at += 3;
  if (at >= text.length || isAsciiSpace(text.charCodeAt(at))) return start;
  for (; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code < 0x80) {
      if (isAsciiSpace(code)) return at;
    } else if (!isPlainWideCode(code)) {
      return -1;
    }
  }
  return at;
}

/** Markup that only the full HTML-to-text conversion reads right: entities, comments, scripts and styles. */
const NEEDS_HTML_TO_TEXT = /&|<!--|<(?:script|style)\b/i;

/** foldMarkupCodes's answer for a body with no text at all outside its tags. */
const NO_TEXT = -2;

/**
 * The fold of an HTML body as foldCodes would give for its htmlToText, without making that text:
 * tags skipped in place. -1 when it is not that simple (see NEEDS_HTML_TO_TEXT; characters
 * outside the plain ones; a URL in the text, which a tag may or may not end), NO_TEXT when there
 * is nothing but tags and whitespace.
 */
function foldMarkupCodes(html: string): number {
  if (NEEDS_HTML_TO_TEXT.test(html)) return -1;
  if (codes.length < html.length) codes = new Uint16Array(html.length * 2);
  let length = 0;
  let hasText = false;
  for (let i = 0; i < html.length; i++) {
    let code = html.charCodeAt(i);
    if (code === 0x3c) {
      const close = html.indexOf('>', i + 1);
      // An unclosed `<` is text, as in htmlToText. A `<` inside what would be skipped may be a
      // line break htmlToText turns into a space before it strips the rest: left to it.
      if (close >= 0) {
        const open = html.indexOf('<', i + 1);
        if (open >= 0 && open < close) return -1;
        i = close;
        continue;
      }
    }
    if (code < 0x80) {
      if (isAsciiSpace(code)) continue;
      hasText = true;
      if (code >= 0x41 && code <= 0x5a) code |= 0x20;
      if (code === 0x68 && urlEnd(html, i) !== i) return -1;
      if ((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) codes[length++] = code;
    } else if (isPlainWideCode(code)) {
      hasText = true;
      if (isWordCode(code)) codes[length++] = code;
    } else {
      return -1;
    }
  }
  return hasText ? length : NO_TEXT;
}

/** For tests: the folded form of a text, and of an HTML body (undefined when it is not simple, '' when it has no text). */
export function foldedText(text: string): string {
  return String.fromCharCode(...codes.subarray(0, foldCodes(text)));
}
export function foldedMarkup(html: string): string | undefined {
  const length = foldMarkupCodes(html);
  if (length === -1) return undefined;
  return length === NO_TEXT ? '' : String.fromCharCode(...codes.subarray(0, length));
}

function foldAnyCodes(text: string): number {
  // NFKC is the slow step, and most text has nothing for it to do.
  let folded = COMPATIBILITY_FORMS.test(text) ? text.normalize('NFKC') : text;
  folded = folded.toLowerCase();
  if (folded.includes('http')) folded = folded.replace(URL_PATTERN, ' ');
  if (codes.length < folded.length) codes = new Uint16Array(folded.length * 2);
  let length = 0;
  for (let i = 0; i < folded.length; i++) {
    const code = folded.charCodeAt(i);
    if (isWordCode(code)) codes[length++] = code;
  }
  return length;
}

function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** The 3-gram set of a folded text, sorted. */
export function shingles(folded: string): Uint32Array {
  if (codes.length < folded.length) codes = new Uint16Array(folded.length * 2);
  for (let i = 0; i < folded.length; i++) codes[i] = folded.charCodeAt(i);
  const hashes = new Uint32Array(Math.max(0, folded.length - SHINGLE + 1));
  shingleHashes(folded.length, hashes, 0);
  return sortedSet(hashes);
}

/**
 * Writes the 3-gram hashes of the folded text in `codes` (unsorted, possibly repeated) into
 * `into` from `at`, and returns how many.
 */
function shingleHashes(length: number, into: Uint32Array, at: number): number {
  const count = Math.max(0, length - SHINGLE + 1);
  for (let i = 0; i < count; i++) {
    into[at + i] = mix(Math.imul(codes[i]!, 0x01000193) ^ Math.imul(codes[i + 1]!, 0x2c1b3c6d) ^ Math.imul(codes[i + 2]!, 0x297a2d39));
  }
  return count;
}

function sortedSet(hashes: Uint32Array): Uint32Array {
  hashes.sort();
  let unique = 0;
  for (let i = 0; i < hashes.length; i++) if (i === 0 || hashes[i] !== hashes[i - 1]) hashes[unique++] = hashes[i]!;
  return hashes.subarray(0, unique);
}

export function jaccard(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      shared++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  const union = a.length + b.length - shared;
  return union === 0 ? 0 : shared / union;
}

const minima = new Uint32Array(HASHES);
const filled = new Uint8Array(HASHES);

/**
 * The one-permutation MinHash signature of the 3-grams of the folded text in `codes`, into the
 * shared `minima`; each 3-gram's hash is also written to `into` from `at`, in the same step, so
 * the text is read once.
 */
function signature(length: number, into: Uint32Array, at: number): Uint32Array {
  minima.fill(EMPTY);
  const count = length - SHINGLE + 1;
  for (let i = 0; i < count; i++) {
    const hash = mix(Math.imul(codes[i]!, 0x01000193) ^ Math.imul(codes[i + 1]!, 0x2c1b3c6d) ^ Math.imul(codes[i + 2]!, 0x297a2d39));
    into[at + i] = hash;
    const bin = Math.floor((hash / 4294967296) * HASHES);
    const value = mix(hash ^ 0x5bd1e995);
    if (value < minima[bin]!) minima[bin] = value;
  }
  for (let k = 0; k < HASHES; k++) filled[k] = minima[k] === EMPTY ? 0 : 1;
  for (let k = 0; k < HASHES; k++) {
    if (filled[k]) continue;
    // An empty bin takes the next filled bin's value, marked by the distance it came from.
    for (let step = 1; step < HASHES; step++) {
      const donor = (k + step) % HASHES;
      if (filled[donor]) {
        minima[k] = (minima[donor]! + Math.imul(step, 0x9e3779b1)) >>> 0;
        break;
      }
    }
  }
  return minima;
}

/** One band of the signature as a small integer key (collisions only add candidates to check). */
function bandKey(signature: Uint32Array, band: number): number {
  let hash = band + 1;
  for (let row = 0; row < ROWS; row++) hash = Math.imul(hash ^ signature[band * ROWS + row]!, 0x9e3779b1) ^ (hash >>> 15);
  return mix(hash) | 0;
}

/** Key → first position, per band: open addressing in typed arrays, which the GC never walks. */
class BandTable {
  private keys = new Int32Array(1 << 12);
  private heads = new Int32Array(1 << 12).fill(-1);
  private count = 0;

  /** The first position filed under `key`, or -1. */
  get(key: number): number {
    const mask = this.heads.length - 1;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      const head = this.heads[slot]!;
      if (head === -1 || this.keys[slot] === key) return head;
    }
  }

  /** Files `position` as the first under `key` (not yet there). */
  put(key: number, position: number): void {
    if (++this.count * 2 > this.heads.length) this.grow();
    const mask = this.heads.length - 1;
    let slot = key & mask;
    while (this.heads[slot] !== -1) slot = (slot + 1) & mask;
    this.keys[slot] = key;
    this.heads[slot] = position;
  }

  private grow(): void {
    const { keys, heads } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.heads = new Int32Array(heads.length * 2).fill(-1);
    const mask = this.heads.length - 1;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i] === -1) continue;
      let slot = keys[i]! & mask;
      while (this.heads[slot] !== -1) slot = (slot + 1) & mask;
      this.keys[slot] = keys[i]!;
      this.heads[slot] = heads[i]!;
    }
  }
}

function grown(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  if (array.length >= size) return array;
  const larger = new Int32Array(Math.max(array.length * 2, size));
  larger.set(array);
  return larger;
}

/** What addMarkup did with an HTML body. */
export type MarkupOutcome = 'added' | 'too short' | 'no text' | 'not simple';

export class NearDuplicateIndex {
  /**
   * Every text's 3-gram hashes end to end, position p's from `starts[p]` to `ends[p]`: one
   * growing buffer rather than 100,000 small arrays for the garbage collector to copy and trace.
   */
  private pool = new Uint32Array(1 << 16);
  private used = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** A position's sorted set, made the first time it is a candidate. */
  private readonly sorted: Array<Uint32Array | undefined> = [];
  private readonly ids: number[] = [];
  /**
   * The buckets, BANDS slots a position (p * BANDS + band): its key in the band; the next
   * position in its bucket (-1 at the end); and, for the first position of a bucket, the last
   * one and how many there are (0 for the others). A bucket's members are in the order they came.
   */
  private keys = new Int32Array(BANDS * 1024);
  private next = new Int32Array(BANDS * 1024);
  private last = new Int32Array(BANDS * 1024);
  private sizes = new Int32Array(BANDS * 1024);
  /** Per position, a bit per band it was left out of because the bucket was full. */
  private readonly dropped: number[] = [];
  private readonly tables = Array.from({ length: BANDS }, () => new BandTable());

  /**
   * Adds a text (plain, not yet folded) under `id`; returns false when its folded form is too
   * short to judge.
   */
  add(id: number, text: string, minLength: number): boolean {
    if (text.length < minLength) return false;
    return this.addFolded(id, foldCodes(text), minLength);
  }

  /**
   * Adds an HTML body under `id` as add would add its htmlToText, when the markup is simple
   * enough to skip in place; otherwise adds nothing and says why ('no text': the caller may have
   * another text for the entry; 'not simple': convert it and call add).
   */
  addMarkup(id: number, html: string, minLength: number): MarkupOutcome {
    const length = foldMarkupCodes(html);
    if (length === -1) return 'not simple';
    if (length === NO_TEXT) return 'no text';
    return this.addFolded(id, length, minLength) ? 'added' : 'too short';
  }

  /** Files the folded text now in `codes` (`length` long) under a new position. */
  private addFolded(id: number, length: number, minLength: number): boolean {
    if (length < minLength) return false;
    const count = Math.max(0, length - SHINGLE + 1);
    if (this.pool.length < this.used + count) {
      const larger = new Uint32Array(Math.max(this.pool.length * 2, this.used + count));
      larger.set(this.pool.subarray(0, this.used));
      this.pool = larger;
    }
    const position = this.ids.length;
    // MinHash needs neither order nor uniqueness; a set is sorted only if it becomes a candidate.
    const minHashes = signature(length, this.pool, this.used);
    this.starts.push(this.used);
    this.used += count;
    this.ends.push(this.used);
    this.sorted.push(undefined);
    this.ids.push(id);
    const slots = (position + 1) * BANDS;
    this.keys = grown(this.keys, slots);
    this.next = grown(this.next, slots);
    this.last = grown(this.last, slots);
    this.sizes = grown(this.sizes, slots);
    let dropped = 0;
    for (let band = 0; band < BANDS; band++) {
      const at = position * BANDS + band;
      const key = bandKey(minHashes, band);
      this.keys[at] = key;
      this.next[at] = -1;
      this.sizes[at] = 0;
      const head = this.tables[band]!.get(key);
      if (head === -1) {
        this.tables[band]!.put(key, position);
        this.last[at] = position;
        this.sizes[at] = 1;
      } else if (this.sizes[head * BANDS + band]! < MAX_BUCKET) {
        this.next[this.last[head * BANDS + band]! * BANDS + band] = position;
        this.last[head * BANDS + band] = position;
        this.sizes[head * BANDS + band]!++;
      } else {
        dropped |= 1 << band;
      }
    }
    this.dropped.push(dropped);
    return true;
  }

  private setAt(position: number): Uint32Array {
    let set = this.sorted[position];
    if (set === undefined) {
      set = sortedSet(this.pool.subarray(this.starts[position], this.ends[position]));
      this.sorted[position] = set;
    }
    return set;
  }

  /**
   * Whether positions p < q already shared a bucket in a band before `band`: they did where
   * their keys match, unless q came when that bucket was full (and then so did every later one).
   */
  private metBefore(p: number, q: number, band: number): boolean {
    for (let earlier = 0; earlier < band; earlier++) {
      if (this.keys[p * BANDS + earlier] === this.keys[q * BANDS + earlier] && (this.dropped[q]! & (1 << earlier)) === 0) return true;
    }
    return false;
  }

  /**
   * Each pair of ids whose texts are at least `threshold` similar, once; `accept` filters first.
   * Band by band, buckets in the order they were started, members in the order they came.
   */
  *pairs(threshold: number, accept: (a: number, b: number) => boolean): Generator<[number, number]> {
    const count = this.ids.length;
    const bucket: number[] = [];
    for (let band = 0; band < BANDS; band++) {
      for (let head = 0; head < count; head++) {
        if (this.sizes[head * BANDS + band]! < 2) continue;
        bucket.length = 0;
        for (let p = head; p !== -1; p = this.next[p * BANDS + band]!) bucket.push(p);
        for (let x = 0; x < bucket.length; x++) {
          for (let y = x + 1; y < bucket.length; y++) {
            const p = bucket[x]!;
            const q = bucket[y]!;
            // A pair meeting again in a later band was judged the first time.
            if (this.metBefore(p, q, band)) continue;
            const a = this.ids[p]!;
            const b = this.ids[q]!;
            if (accept(a, b) && jaccard(this.setAt(p), this.setAt(q)) >= threshold) yield [a, b];
          }
        }
      }
    }
  }
}
