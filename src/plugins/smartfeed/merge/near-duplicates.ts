/**
 * Near-duplicate text without comparing every pair: each text becomes a set of character
 * 3-grams (Japanese has no spaces to split words on), a MinHash signature of 18 values, and 6
 * LSH bands of 3. Texts that share a band are candidates; a candidate pair is confirmed on the
 * exact Jaccard similarity of the 3-gram sets. Pairs at similarity 0.8 share a band with
 * probability 0.99, pairs at 0.3 with 0.15.
 */

const SHINGLE = 3;
const BANDS = 6;
const ROWS = 3;
const HASHES = BANDS * ROWS;
/** A bucket this full holds boilerplate ("おはようございます"), not copies. */
const MAX_BUCKET = 64;

// Odd multipliers and offsets for the universal hashes (fixed, so results are reproducible).
const MULTIPLIERS = Uint32Array.from({ length: HASHES }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) | 1) >>> 0);
const OFFSETS = Uint32Array.from({ length: HASHES }, (_, i) => Math.imul(i + 7, 0x85ebca6b) >>> 0);

const URL_PATTERN = /https?:\/\/\S+/g;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

/** Case, width, whitespace, punctuation and URLs do not make a text different. */
export function foldText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(URL_PATTERN, ' ').replace(NOT_WORD, '');
}

function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

export function shingles(folded: string): Uint32Array {
  const set = new Set<number>();
  for (let i = 0; i + SHINGLE <= folded.length; i++) {
    const a = folded.charCodeAt(i);
    const b = folded.charCodeAt(i + 1);
    const c = folded.charCodeAt(i + 2);
    set.add(mix(Math.imul(a, 0x01000193) ^ Math.imul(b, 0x2c1b3c6d) ^ Math.imul(c, 0x297a2d39)));
  }
  return Uint32Array.from(set).sort();
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

function signature(set: Uint32Array): Uint32Array {
  const minima = new Uint32Array(HASHES).fill(0xffffffff);
  for (const value of set) {
    for (let k = 0; k < HASHES; k++) {
      const hashed = (Math.imul(MULTIPLIERS[k]!, value) + OFFSETS[k]!) >>> 0;
      if (hashed < minima[k]!) minima[k] = hashed;
    }
  }
  return minima;
}

export class NearDuplicateIndex {
  private readonly sets: Uint32Array[] = [];
  private readonly ids: number[] = [];
  private readonly buckets = new Map<string, number[]>();

  /** Adds a text under `id`; returns false when it is too short to judge. */
  add(id: number, folded: string, minLength: number): boolean {
    if (folded.length < minLength) return false;
    const set = shingles(folded);
    const position = this.sets.length;
    this.sets.push(set);
    this.ids.push(id);
    const minima = signature(set);
    for (let band = 0; band < BANDS; band++) {
      const key = `${band}:${minima[band * ROWS]}:${minima[band * ROWS + 1]}:${minima[band * ROWS + 2]}`;
      const bucket = this.buckets.get(key);
      if (!bucket) this.buckets.set(key, [position]);
      else if (bucket.length < MAX_BUCKET) bucket.push(position);
    }
    return true;
  }

  /** Each pair of ids whose texts are at least `threshold` similar, once; `accept` filters first. */
  *pairs(threshold: number, accept: (a: number, b: number) => boolean): Generator<[number, number]> {
    const tried = new Set<number>();
    const count = this.sets.length;
    for (const bucket of this.buckets.values()) {
      for (let x = 0; x < bucket.length; x++) {
        for (let y = x + 1; y < bucket.length; y++) {
          const p = bucket[x]!;
          const q = bucket[y]!;
          const pairKey = p * count + q;
          if (tried.has(pairKey)) continue;
          tried.add(pairKey);
          const a = this.ids[p]!;
          const b = this.ids[q]!;
          if (accept(a, b) && jaccard(this.sets[p]!, this.sets[q]!) >= threshold) yield [a, b];
        }
      }
    }
  }
}
