/**
 * A growing Bloom filter of strings: "might hold" is never false for a string that was added,
 * and true for about 0.3% of the others per stage. The processor keeps one per partition
 * window of the state keys it dropped from memory, so a record of a key never seen (most keys,
 * at high cardinality) costs no read from Cassandra to learn that nothing is stored.
 *
 * Stages: each holds twice as many keys as the one before (the first 4,096, or as many as the
 * caller expects) at 12 bits per key and 8 hashes, so a filter costs about 1.5 bytes per key whatever its final size, and the
 * false-positive rate of all stages together stays under 3% at a million keys. The hashes
 * come from two MurmurHash3 words (double hashing, as Kirsch and Mitzenmacher show is as good
 * as independent hashes). Written here rather than taken from npm: the maintained Bloom filter
 * packages bring several dependencies for one short loop over a bit array.
 *
 * @module
 */
import { murmur3Pair } from "../sdk/_murmur3.ts";

/** A set of strings that may answer "maybe" for one it does not hold. */
export interface KeyFilter {
  /** Adds `key`. */
  add(key: string): void;
  /** False only when `key` was never added. */
  mightHold(key: string): boolean;
  /** Keys added (counting repeats). */
  readonly size: number;
}

const FIRST_STAGE_KEYS = 4096;
const MIN_FIRST_STAGE_KEYS = 64;
const BITS_PER_KEY = 12;
const HASHES = 8;

interface Stage {
  bits: Uint32Array;
  /** Number of bits (a multiple of 32). */
  width: number;
  capacity: number;
  added: number;
}

function stage(capacity: number): Stage {
  const width = Math.ceil((capacity * BITS_PER_KEY) / 32) * 32;
  return { bits: new Uint32Array(width / 32), width, capacity, added: 0 };
}

/**
 * An empty filter whose first stage holds `firstStageKeys` keys (at least 64) before the next
 * one is added: the number about to be added, when known, so a small set costs little.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { keyFilter } from "./key_filter.ts";
 * const dropped = keyFilter();
 * dropped.add("/home");
 * assert.equal(dropped.mightHold("/home"), true);
 * assert.equal(dropped.size, 1);
 * ```
 */
export function keyFilter(firstStageKeys: number = FIRST_STAGE_KEYS): KeyFilter {
  const first = Math.max(MIN_FIRST_STAGE_KEYS, Math.ceil(firstStageKeys));
  const stages: Stage[] = [];
  let size = 0;
  return {
    add(key) {
      let last = stages[stages.length - 1];
      if (last === undefined || last.added >= last.capacity) {
        last = stage(last === undefined ? first : last.capacity * 2);
        stages.push(last);
      }
      const [high, low] = murmur3Pair(key);
      for (let i = 0; i < HASHES; i++) {
        const bit = ((high + Math.imul(i, low)) >>> 0) % last.width;
        last.bits[bit >>> 5]! |= 1 << (bit & 31);
      }
      last.added++;
      size++;
    },
    mightHold(key) {
      if (stages.length === 0) return false;
      const [high, low] = murmur3Pair(key);
      for (const { bits, width } of stages) {
        let all = true;
        for (let i = 0; i < HASHES && all; i++) {
          const bit = ((high + Math.imul(i, low)) >>> 0) % width;
          all = (bits[bit >>> 5]! & (1 << (bit & 31))) !== 0;
        }
        if (all) return true;
      }
      return false;
    },
    get size() {
      return size;
    },
  };
}
