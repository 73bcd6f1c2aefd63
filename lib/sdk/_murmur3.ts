/**
 * MurmurHash3 (x86, 32-bit) of a string's UTF-8 bytes: small, fast, well studied, and the same
 * in every process, so sketches built in different processes hash values alike.
 *
 * @module
 */

const encoder = new TextEncoder();
let buffer = new Uint8Array(256);

/**
 * The UTF-8 bytes of `value` in a shared buffer (valid until the next call), and their count.
 */
function utf8(value: string): number {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes.
  if (value.length * 3 > buffer.length) buffer = new Uint8Array(value.length * 3);
  return encoder.encodeInto(value, buffer).written;
}

/**
 * MurmurHash3_x86_32 of the UTF-8 bytes of `value`.
 *
 * @param value Any string.
 * @param seed 32-bit seed (default 0).
 * @returns An unsigned 32-bit hash.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { murmur3 } from "./_murmur3.ts";
 * assert.equal(murmur3("abc"), 0xb3dd93fa);
 * ```
 */
export function murmur3(value: string, seed = 0): number {
  const length = utf8(value);
  return murmur3Bytes(buffer, length, seed);
}

/**
 * Two MurmurHash3_x86_32 hashes of `value` with different seeds, used together as one 64-bit
 * hash (high word first), encoding the string once.
 *
 * @param value Any string.
 * @returns `[high, low]`, unsigned 32-bit words.
 */
export function murmur3Pair(value: string): [number, number] {
  // Callers often hash one value twice in a row (a visitor counted under its page and under
  // the total): the last pair is kept, compared by content.
  if (value !== lastValue) {
    const length = utf8(value);
    pairOfBytes(buffer, length);
    lastValue = value;
  }
  return [lastHigh, lastLow];
}

let lastValue: string | undefined;
let lastHigh = 0;
let lastLow = 0;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const LOW_SEED = 0x9747b28c;

/**
 * `murmur3Bytes` with seeds 0 and {@linkcode LOW_SEED} in one pass into `lastHigh` and
 * `lastLow`: each block is read and scrambled once for both.
 */
function pairOfBytes(bytes: Uint8Array, length: number): void {
  let high = 0;
  let low = LOW_SEED | 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    const k = scrambledBlock(bytes, i);
    high = step(high, k);
    low = step(low, k);
  }
  if ((length & 3) > 0) {
    const k = scrambledTail(bytes, blocks, length & 3);
    high ^= k;
    low ^= k;
  }
  lastHigh = finalMix(high ^ length);
  lastLow = finalMix(low ^ length);
}

function murmur3Bytes(bytes: Uint8Array, length: number, seed: number): number {
  let h = seed | 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) h = step(h, scrambledBlock(bytes, i));
  if ((length & 3) > 0) h ^= scrambledTail(bytes, blocks, length & 3);
  return finalMix(h ^ length);
}

/** The four bytes from `i`, little-endian, scrambled. */
function scrambledBlock(bytes: Uint8Array, i: number): number {
  return scramble(
    bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24),
  );
}

/** The last `tail` (1..3) bytes from `from`, little-endian, scrambled. */
function scrambledTail(bytes: Uint8Array, from: number, tail: number): number {
  let k = bytes[from]!;
  if (tail > 1) k ^= bytes[from + 1]! << 8;
  if (tail > 2) k ^= bytes[from + 2]! << 16;
  return scramble(k);
}

function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

/** One block mixed into the hash. */
function step(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's final avalanche, as an unsigned 32-bit word. */
function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
