/**
 * Near-duplicate text without comparing every pair: each text becomes a set of character
 * 3-grams (Japanese has no spaces to split words on), a MinHash signature of 40 values, and 8
 * LSH bands of 5. Texts that share a band are candidates; a candidate pair is confirmed on the
 * exact Jaccard similarity of the 3-gram sets. Pairs at similarity 0.9 share a band with
 * probability 0.9996, at 0.8 with 0.96, at 0.5 with 0.22 and at 0.3 with 0.02, so unrelated
 * texts rarely even become candidates.
 */

const SHINGLE = 3;
const BANDS = 8;
const ROWS = 5;
const HASHES = BANDS * ROWS;
/** A bucket this full holds boilerplate ("おはようございます"), not copies. */
const MAX_BUCKET = 64;

// Odd multipliers and offsets for the universal hashes (fixed, so results are reproducible).
const MULTIPLIERS = Uint32Array.from({ length: HASHES }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) | 1) >>> 0);
const OFFSETS = Uint32Array.from({ length: HASHES }, (_, i) => Math.imul(i + 7, 0x85ebca6b) >>> 0);

const URL_PATTERN = /https?:\/\/\S+/g;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

/** Full-width and half-width forms, enclosed and squared letters: what NFKC changes in Japanese. */
const COMPATIBILITY_FORMS = /[\u2000-\u206f\u2100-\u24ff\u3000\u3200-\u33ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/;

/** Case, width, whitespace, punctuation and URLs do not make a text different. */
export function foldText(text: string): string {
  // NFKC is the slow step, and most text has nothing for it to do.
  const folded = COMPATIBILITY_FORMS.test(text) ? text.normalize('NFKC') : text;
  const lower = folded.toLowerCase();
  return (lower.includes('http') ? lower.replace(URL_PATTERN, ' ') : lower).replace(NOT_WORD, '');
}

function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** Reused between calls: allocating typed arrays per text is most of the cost otherwise. */
let scratch = new Uint32Array(1024);

export function shingles(folded: string): Uint32Array {
  const count = Math.max(0, folded.length - SHINGLE + 1);
  if (scratch.length < count) scratch = new Uint32Array(count * 2);
  for (let i = 0; i < count; i++) {
    const a = folded.charCodeAt(i);
    const b = folded.charCodeAt(i + 1);
    const c = folded.charCodeAt(i + 2);
    scratch[i] = mix(Math.imul(a, 0x01000193) ^ Math.imul(b, 0x2c1b3c6d) ^ Math.imul(c, 0x297a2d39));
  }
  const sorted = scratch.subarray(0, count).sort();
  let unique = 0;
  for (let i = 0; i < count; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[unique++] = sorted[i]!;
  return sorted.slice(0, unique);
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

/** The MinHash signature of a set, into the shared `minima`. */
function signature(set: Uint32Array): Uint32Array {
  const count = set.length;
  for (let k = 0; k < HASHES; k++) {
    const multiplier = MULTIPLIERS[k]!;
    const offset = OFFSETS[k]!;
    let minimum = 0xffffffff;
    for (let i = 0; i < count; i++) {
      const hashed = (Math.imul(multiplier, set[i]!) + offset) >>> 0;
      if (hashed < minimum) minimum = hashed;
    }
    minima[k] = minimum;
  }
  return minima;
}

/** One band of the signature as a small integer key (collisions only add candidates to check). */
function bandKey(signature: Uint32Array, band: number): number {
  let hash = band + 1;
  for (let row = 0; row < ROWS; row++) hash = Math.imul(hash ^ signature[band * ROWS + row]!, 0x9e3779b1) ^ (hash >>> 15);
  return mix(hash) | 0;
}

export class NearDuplicateIndex {
  private readonly sets: Uint32Array[] = [];
  private readonly ids: number[] = [];
  /** Per band: key → the one position there, or the list once a second one arrives. */
  private readonly buckets: Array<Map<number, number | number[]>> = Array.from({ length: BANDS }, () => new Map());

  /** Adds a text under `id`; returns false when it is too short to judge. */
  add(id: number, folded: string, minLength: number): boolean {
    if (folded.length < minLength) return false;
    const set = shingles(folded);
    const position = this.sets.length;
    this.sets.push(set);
    this.ids.push(id);
    const minHashes = signature(set);
    for (let band = 0; band < BANDS; band++) {
      const buckets = this.buckets[band]!;
      const key = bandKey(minHashes, band);
      const bucket = buckets.get(key);
      if (bucket === undefined) buckets.set(key, position);
      else if (typeof bucket === 'number') buckets.set(key, [bucket, position]);
      else if (bucket.length < MAX_BUCKET) bucket.push(position);
    }
    return true;
  }

  /** Each pair of ids whose texts are at least `threshold` similar, once; `accept` filters first. */
  *pairs(threshold: number, accept: (a: number, b: number) => boolean): Generator<[number, number]> {
    const tried = new Set<number>();
    const count = this.sets.length;
    for (const band of this.buckets) {
      for (const bucket of band.values()) {
        if (typeof bucket === 'number') continue;
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
}
