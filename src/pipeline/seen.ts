/**
 * What "seen before" means, shared by the `deduped` rule and Filter::Dedupe: a key per entry
 * (its guid, else its normalised permalink, else a hash of its text) remembered in the state
 * store across runs.
 */
import { createHash } from 'node:crypto';
import type { Store } from './context.js';
import type { Entry } from './model.js';
import { hasText, normalizePermalink } from './urls.js';
import { htmlToText } from '../text/html.js';

export type SeenKeyKind = 'guid' | 'link' | 'content';
export const SEEN_KEY_KINDS: readonly SeenKeyKind[] = ['guid', 'link', 'content'];

/** Text folded so that whitespace, case and markup changes do not make a "new" entry. */
export function normalizedText(entry: Entry): string {
  const body = entry.content ?? entry.summary ?? '';
  const text = /[<&]/.test(body) ? htmlToText(body) : body;
  return `${entry.title}\n${text}`.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function contentDigest(entry: Entry): string {
  return createHash('sha256').update(normalizedText(entry)).digest('base64url').slice(0, 22);
}

/**
 * The first key of the kinds asked for that the entry has. A guid is scoped by its feed: two
 * feeds may number their items alike.
 */
export function seenKey(entry: Entry, kinds: readonly SeenKeyKind[] = SEEN_KEY_KINDS): string {
  let key = '';
  seenKeyPieces(entry, kinds, (piece) => {
    key += piece;
  });
  return key;
}

/**
 * The pieces `seenKey` joins, handed over one by one: the one definition of an entry's key, which
 * SeenKeys hashes without building the string.
 */
function seenKeyPieces(entry: Entry, kinds: readonly SeenKeyKind[], piece: (text: string) => void): void {
  for (const kind of kinds) {
    if (kind === 'guid' && hasText(entry.guid)) {
      piece('guid:');
      piece(entry.source.feedId);
      piece(' ');
      piece(entry.guid.trim());
      return;
    }
    if (kind === 'link' && hasText(entry.link)) {
      piece('url:');
      piece(normalizePermalink(entry.link));
      return;
    }
    if (kind === 'content') break;
  }
  piece('sha:');
  piece(contentDigest(entry));
}

interface SeenRecord {
  at: number;
  digest?: string;
}

export type Sighting = 'new' | 'seen' | 'changed';

/** Keys remembered in one namespace of the state store. */
export class SeenStore {
  constructor(
    private readonly store: Store,
    readonly namespace: string,
  ) {}

  /**
   * Whether `key` is new, seen, or seen with another `digest` (the body changed); records it.
   * `ttlMs` bounds how long a key is remembered.
   */
  async sight(key: string, options: { now: number; ttlMs?: number; digest?: string }): Promise<Sighting> {
    const previous = await this.store.get<SeenRecord>(this.namespace, key);
    const digestChanged = options.digest !== undefined && previous !== undefined && previous.digest !== options.digest;
    if (previous && !digestChanged) return 'seen';
    const record: SeenRecord = { at: options.now, ...(options.digest !== undefined ? { digest: options.digest } : {}) };
    await this.store.set(this.namespace, key, record, options.ttlMs);
    return previous ? 'changed' : 'new';
  }
}

/**
 * A 64-bit hash (two 32-bit murmur-style lanes) of a key: not cryptographic, and it need not be;
 * ten times cheaper than SHA-256 for the 100,000 keys of a large run. It is fed in pieces
 * (`hashStart`, `hashText` for each piece, `hashEnd`) so that a key such as `url:` + a link is
 * hashed without building it: the pieces give what the joined string would. The halves are left in
 * `hashHigh` and `hashLow` rather than returned in a new array per key.
 */
let laneA = 0;
let laneB = 0;
let hashedChars = 0;
let hashHigh = 0;
let hashLow = 0;

// Every lane and half is kept as a signed 32-bit integer: a number above 2^31 in a module variable
// would be a new heap object each time it is written.
function hashStart(): void {
  laneA = 0x9e3779b9 | 0;
  laneB = 0x85ebca6b | 0;
  hashedChars = 0;
}

function hashText(text: string): void {
  let a = laneA;
  let b = laneB;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ c, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  laneA = a;
  laneB = b;
  hashedChars += text.length;
}

function hashEnd(): void {
  let a = laneA ^ hashedChars;
  let b = laneB ^ a;
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  a ^= a >>> 16;
  b = Math.imul(b ^ (b >>> 16), 0x7feb352d);
  b = Math.imul(b ^ (b >>> 15), 0x846ca68b);
  b ^= b >>> 16;
  hashHigh = a;
  hashLow = b;
}

/**
 * The hashed seen keys of a run, as SeenBuckets takes them: two numbers per key in typed arrays
 * instead of a key string (and the `url:` + link string it was built from) per entry. Of the 64
 * bits, 12 choose the bucket and 48 tell keys in it apart: the whole high half, and the low half
 * without its last 4 bits.
 */
export class SeenKeys {
  length = 0;
  high = new Int32Array(1024);
  low = new Int32Array(1024);

  /** Adds a key as `seenKey` spells it. */
  add(key: string): void {
    hashStart();
    hashText(key);
    this.push();
  }

  /** Adds `seenKey(entry, kinds)`, hashed without building it (the same hash as `add` of it). */
  addEntry(entry: Entry, kinds: readonly SeenKeyKind[] = SEEN_KEY_KINDS): void {
    hashStart();
    seenKeyPieces(entry, kinds, hashText);
    this.push();
  }

  private push(): void {
    hashEnd();
    if (this.length === this.high.length) {
      this.high = grown(this.high, this.length * 2);
      this.low = grown(this.low, this.length * 2);
    }
    this.high[this.length] = hashHigh;
    this.low[this.length] = hashLow >>> 4;
    this.length++;
  }

  static of(keys: readonly string[]): SeenKeys {
    const hashed = new SeenKeys();
    for (const key of keys) hashed.add(key);
    return hashed;
  }
}

function grown<T extends Int32Array | Float64Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

const BUCKETS = 4096;
/** The store key of each bucket: its number in base 36, as it has always been. */
const BUCKET_NAMES = Array.from({ length: BUCKETS }, (_, bucket) => bucket.toString(36));
const BUCKET_BY_NAME = new Map(BUCKET_NAMES.map((name, bucket) => [name, bucket]));
/**
 * With this many buckets to read, one `entries` call reads the namespace at once (one statement
 * in SQLite, a few MGETs in Redis) instead of a `get` per bucket; the buckets not needed are left
 * as the strings they came as. A large run needs every one of the 4,096.
 */
const READ_ALL_FROM = 256;

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
const ID_CODES = Array.from(ID_ALPHABET, (char) => char.charCodeAt(0));
const ID_VALUES = new Int8Array(128).fill(-1);
for (let value = 0; value < 64; value++) ID_VALUES[ID_CODES[value]!] = value;

/** The value of `count` characters of the id alphabet from `at`, or -1 when one is not in it. */
function decodeChars(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? ID_VALUES[code]! : -1;
    if (digit < 0) return -1;
    value = value * 64 + digit;
  }
  return value;
}

/** The start of the compact form of a bucket (see SeenBuckets). */
const FORMAT = '1:';
const DIGEST_MARK = 0x2e; // .
const DIGEST_END = 0x2c; // ,
const DIGEST_END_CHAR = String.fromCharCode(DIGEST_END);
/** Digests are written as they are when made of these characters (contentDigest's are). */
const PLAIN_DIGEST = /^[\w-]*$/;

/** Where the compact form of a bucket is put together before it becomes a string. */
let scratch = Buffer.alloc(64 * 1024);

/**
 * The seen set of a whole run in few store operations: keys are hashed into 4096 buckets, each
 * one store value, loaded once and written once per run. Per-key writes cost ~30 µs each in
 * SQLite; a run that dedupes 100,000 entries would spend seconds on them.
 *
 * A bucket is stored as one string: `1:`, then per key 8 characters of id and 8 of the time it was
 * first seen (epoch ms, 6 bits a character), and, when it has one, `.` + its body digest + `,`.
 * Buckets written before are objects of id → `[first seen, digest?]`, with the same ids, and read
 * as well. In memory every key read or sighted is one slot in typed arrays (its hash, its time, the
 * next key of its bucket) found through one open-addressing table: no object, array or Map per key
 * for the garbage collector to trace and copy.
 */
export class SeenBuckets {
  private count = 0;
  /** Per key: the hash halves as SeenKeys keeps them, first seen, the next key of its bucket or -1. */
  private high = new Int32Array(1024);
  private low = new Int32Array(1024);
  private at = new Float64Array(1024);
  private next = new Int32Array(1024);
  private readonly digests: Array<string | undefined> = [];
  /** Open addressing on the hash: key number + 1, 0 for a free slot. */
  private table = new Int32Array(2048);
  private readonly first = new Int32Array(BUCKETS).fill(-1);
  private readonly last = new Int32Array(BUCKETS).fill(-1);
  private readonly loaded = new Uint8Array(BUCKETS);
  private readonly dirty = new Uint8Array(BUCKETS);

  constructor(
    private readonly store: Store,
    readonly namespace: string,
    private readonly windowMs?: number,
  ) {}

  /**
   * Sights every key in order (new, seen, or changed when `digests` differ), reading each
   * bucket the keys fall in once and writing back the ones that changed. `keys` as `seenKey`
   * spells them, or already hashed.
   */
  async sightAll(keys: readonly string[] | SeenKeys, now: number, digests?: ReadonlyArray<string | undefined>): Promise<Sighting[]> {
    const hashed = keys instanceof SeenKeys ? keys : SeenKeys.of(keys);
    await this.load(hashed, now);
    const sightings = new Array<Sighting>(hashed.length);
    for (let i = 0; i < hashed.length; i++) {
      const high = hashed.high[i]!;
      const low = hashed.low[i]!;
      let digest = digests?.[i];
      if (digest !== undefined && !PLAIN_DIGEST.test(digest)) digest = plainDigest(digest);
      const slot = this.slotOf(high, low);
      const key = this.table[slot]! - 1;
      if (key >= 0 && (digest === undefined || this.digests[key] === digest)) {
        sightings[i] = 'seen';
        continue;
      }
      if (key >= 0) this.digests[key] = digest;
      else this.insert(slot, high, low, now, digest);
      this.dirty[high >>> 20] = 1;
      sightings[i] = key >= 0 ? 'changed' : 'new';
    }
    const writes: Array<Promise<void>> = [];
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      if (this.dirty[bucket] === 0) continue;
      this.dirty[bucket] = 0;
      writes.push(this.store.set(this.namespace, BUCKET_NAMES[bucket]!, this.storedForm(bucket), this.windowMs));
    }
    // Together rather than one after another: Redis pipelines them (SQLite batches them anyway).
    await Promise.all(writes);
    return sightings;
  }

  /** Reads the buckets `keys` fall in that were not read yet, dropping keys older than the window. */
  private async load(keys: SeenKeys, now: number): Promise<void> {
    const wanted: number[] = [];
    const asked = new Uint8Array(BUCKETS);
    for (let i = 0; i < keys.length; i++) {
      const bucket = keys.high[i]! >>> 20;
      if (this.loaded[bucket] === 0 && asked[bucket] === 0) {
        asked[bucket] = 1;
        wanted.push(bucket);
      }
    }
    const oldest = this.windowMs === undefined ? -Infinity : now - this.windowMs;
    if (wanted.length >= READ_ALL_FROM) {
      const values = new Array<unknown>(BUCKETS);
      for (const [name, value] of await this.store.entries(this.namespace)) {
        const bucket = BUCKET_BY_NAME.get(name);
        if (bucket !== undefined) values[bucket] = value;
      }
      for (const bucket of wanted) this.read(bucket, values[bucket], oldest);
    } else {
      for (const bucket of wanted) this.read(bucket, await this.store.get(this.namespace, BUCKET_NAMES[bucket]!), oldest);
    }
  }

  /** Takes in a bucket as stored (either form, or nothing). */
  private read(bucket: number, value: unknown, oldest: number): void {
    this.loaded[bucket] = 1;
    if (typeof value === 'string') {
      if (!value.startsWith(FORMAT)) return;
      for (let at = FORMAT.length; at + 16 <= value.length; ) {
        const head = decodeChars(value, at, 4);
        const low24 = decodeChars(value, at + 4, 4);
        const time = decodeChars(value, at + 8, 8);
        if (head < 0 || low24 < 0 || time < 0) return;
        at += 16;
        let digest: string | undefined;
        if (value.charCodeAt(at) === DIGEST_MARK) {
          let end = value.indexOf(DIGEST_END_CHAR, at);
          if (end < 0) end = value.length;
          digest = value.slice(at + 1, end);
          at = end + 1;
        }
        if (time >= oldest) this.take(bucket, head, low24, time, digest);
      }
    } else if (typeof value === 'object' && value !== null) {
      const records = value as Record<string, unknown>;
      for (const id of Object.keys(records)) {
        const record = records[id];
        if (id.length !== 8 || !Array.isArray(record) || typeof record[0] !== 'number') continue;
        const head = decodeChars(id, 0, 4);
        const low24 = decodeChars(id, 4, 4);
        if (head < 0 || low24 < 0 || record[0] < oldest) continue;
        this.take(bucket, head, low24, record[0], typeof record[1] === 'string' ? record[1] : undefined);
      }
    }
  }

  /**
   * A key read from the store, from the two halves of its id: the first 4 characters hold the 20
   * bits of the high half below the bucket's 12 and the top 4 of the 28 kept of the low half; the
   * last 4, the other 24.
   */
  private take(bucket: number, head: number, low24: number, time: number, digest: string | undefined): void {
    const high = (bucket << 20) | (head >>> 4);
    const low = ((head & 15) << 24) | low24;
    const slot = this.slotOf(high, low);
    if (this.table[slot] === 0) this.insert(slot, high, low, time, digest);
  }

  /** The slot of the table that holds this hash, or the free one where it would go. */
  private slotOf(high: number, low: number): number {
    const mask = this.table.length - 1;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
    for (;;) {
      const key = this.table[slot]! - 1;
      if (key < 0 || (this.low[key] === low && this.high[key] === high)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private insert(slot: number, high: number, low: number, time: number, digest: string | undefined): void {
    const key = this.count++;
    if (key === this.high.length) {
      this.high = grown(this.high, key * 2);
      this.low = grown(this.low, key * 2);
      this.at = grown(this.at, key * 2);
      this.next = grown(this.next, key * 2);
    }
    this.high[key] = high;
    this.low[key] = low;
    this.at[key] = time;
    this.next[key] = -1;
    this.digests[key] = digest;
    const bucket = high >>> 20;
    if (this.last[bucket]! < 0) this.first[bucket] = key;
    else this.next[this.last[bucket]!] = key;
    this.last[bucket] = key;
    this.table[slot] = key + 1;
    // At most half full, so that probes stay short.
    if (this.count * 2 > this.table.length) this.rehash();
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    for (let key = 0; key < this.count; key++) this.table[this.slotOf(this.high[key]!, this.low[key]!)] = key + 1;
  }

  /** A bucket in its compact form (see the class comment). */
  private storedForm(bucket: number): string {
    let size = FORMAT.length;
    for (let key = this.first[bucket]!; key >= 0; key = this.next[key]!) {
      size += 16;
      const digest = this.digests[key];
      if (digest !== undefined) size += digest.length + 2;
    }
    if (size > scratch.length) scratch = Buffer.alloc(size * 2);
    const bytes = scratch;
    let at = bytes.write(FORMAT, 0, 'latin1');
    for (let key = this.first[bucket]!; key >= 0; key = this.next[key]!) {
      const high = this.high[key]!;
      const low = this.low[key]!;
      const time = Math.floor(this.at[key]!);
      const timeHigh = Math.floor(time / 0x1000000);
      const timeLow = time - timeHigh * 0x1000000;
      bytes[at++] = ID_CODES[(high >>> 14) & 63]!;
      bytes[at++] = ID_CODES[(high >>> 8) & 63]!;
      bytes[at++] = ID_CODES[(high >>> 2) & 63]!;
      bytes[at++] = ID_CODES[((high & 3) << 4) | (low >>> 24)]!;
      bytes[at++] = ID_CODES[(low >>> 18) & 63]!;
      bytes[at++] = ID_CODES[(low >>> 12) & 63]!;
      bytes[at++] = ID_CODES[(low >>> 6) & 63]!;
      bytes[at++] = ID_CODES[low & 63]!;
      bytes[at++] = ID_CODES[(timeHigh >>> 18) & 63]!;
      bytes[at++] = ID_CODES[(timeHigh >>> 12) & 63]!;
      bytes[at++] = ID_CODES[(timeHigh >>> 6) & 63]!;
      bytes[at++] = ID_CODES[timeHigh & 63]!;
      bytes[at++] = ID_CODES[(timeLow >>> 18) & 63]!;
      bytes[at++] = ID_CODES[(timeLow >>> 12) & 63]!;
      bytes[at++] = ID_CODES[(timeLow >>> 6) & 63]!;
      bytes[at++] = ID_CODES[timeLow & 63]!;
      const digest = this.digests[key];
      if (digest !== undefined) {
        bytes[at++] = DIGEST_MARK;
        at += bytes.write(digest, at, 'latin1');
        bytes[at++] = DIGEST_END;
      }
    }
    return bytes.toString('latin1', 0, at);
  }
}

/** A digest with characters the compact form cannot hold, spelt in the ones it can (base64url of its UTF-8). */
function plainDigest(digest: string): string {
  return Buffer.from(digest).toString('base64url');
}
