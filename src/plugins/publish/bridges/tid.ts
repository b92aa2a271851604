/**
 * Bluesky record keys for posts are TIDs: 64 bits — a zero bit, 53 bits of microseconds since
 * the epoch, 10 bits of clock id — written as 13 characters of base32-sortable. Deriving the TID
 * from the entry (its date, then its id's hash) makes the rkey the same on every attempt, so a
 * retry can only ever address the record the first attempt made.
 */
import { createHash } from 'node:crypto';

const ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';
const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

export function isTid(text: string): boolean {
  return TID_PATTERN.test(text);
}

export function encodeTid(microseconds: bigint, clockId: number): string {
  const value = ((microseconds & ((1n << 53n) - 1n)) << 10n) | BigInt(clockId & 0x3ff);
  let out = '';
  for (let shift = 60n; shift >= 0n; shift -= 5n) out += ALPHABET[Number((value >> shift) & 31n)];
  return out;
}

/**
 * The TID of an entry: its time (sub-millisecond digits and clock id from the hash of its id, so
 * two entries of the same second do not collide), or, undated, a time taken from the hash alone.
 */
export function tidForEntry(entryId: string, epochMs: number | undefined): string {
  const digest = createHash('sha256').update(entryId).digest();
  const hashBits = digest.readBigUInt64BE(0);
  const clockId = digest.readUInt16BE(8) & 0x3ff;
  const microseconds =
    epochMs !== undefined && epochMs >= 0
      ? BigInt(Math.floor(epochMs)) * 1000n + (hashBits % 1000n)
      : hashBits % (1n << 53n);
  return encodeTid(microseconds, clockId);
}
