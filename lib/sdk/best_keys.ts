/**
 * The K best keys by a count that only grows, kept as counts are offered one key at a time:
 * what a ranked list's summary needs from a window of a million keys without a pass over them.
 *
 * Why it stays exact: a key's count only grows, so a key that is not among the K best stays out
 * until it is offered again at a higher count, and the K-th best count only rises. So the kept
 * keys are always the K best of every key offered so far (count, then key in code-unit order,
 * as `topOfMap` ranks).
 *
 * How it stays cheap: the kept keys and their counts are a `Map`; the worst kept key is the top
 * of a binary min-heap of `[count, key]` entries. An offer to a kept key pushes a new entry and
 * leaves the old one behind; an entry is current only while its count is the key's kept count,
 * so stale ones are skipped when they reach the top, and the heap is rebuilt from the kept keys
 * when it holds twice as many entries as keys. An offer costs O(log K) amortized.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { bestKeys, bestKeysOffer, bestKeysSorted } from "./best_keys.ts";
 * const best = bestKeys(2);
 * for (const [key, count] of [["/a", 1], ["/b", 1], ["/c", 3], ["/a", 2]] as const) {
 *   bestKeysOffer(best, key, count);
 * }
 * assert.deepEqual(bestKeysSorted(best), [["/c", 3], ["/a", 2]]);
 * ```
 *
 * @module
 */

/** The K best keys offered so far; read `kept` only, change it through the functions here. */
export interface BestKeys {
  /** How many keys are kept (K); `Infinity` keeps every key. */
  readonly keep: number;
  /** The kept keys and their counts. */
  readonly kept: Map<string, number>;
  /** `[count, key]`, worst first; entries whose count is not the key's kept count are stale. */
  readonly heap: Array<[number, string]>;
}

/**
 * An empty set of best keys.
 *
 * @param keep How many keys to keep: an integer >= 1, or `Infinity`.
 * @returns No key kept.
 * @throws RangeError when `keep` is neither.
 */
export function bestKeys(keep: number): BestKeys {
  if (keep !== Infinity && (!Number.isInteger(keep) || keep < 1)) {
    throw new RangeError(`best keys keep an integer >= 1 or Infinity keys, found ${keep}`);
  }
  return { keep, kept: new Map(), heap: [] };
}

/**
 * Offers `key` at `count`: it is kept when among the K best.
 *
 * @param best The best keys to change.
 * @param key The key.
 * @param count Its count, never below one it was offered at before.
 * @returns The same `best`.
 */
export function bestKeysOffer(best: BestKeys, key: string, count: number): BestKeys {
  const { kept, heap } = best;
  const was = kept.get(key);
  if (was === count) return best;
  if (best.keep === Infinity) {
    kept.set(key, count);
    return best;
  }
  if (was === undefined && kept.size === best.keep) {
    const worst = worstKept(best);
    if (!ranksBefore(count, key, worst[0], worst[1])) return best;
    kept.delete(worst[1]);
    popHeap(heap);
  }
  kept.set(key, count);
  pushHeap(heap, [count, key]);
  if (heap.length > 2 * kept.size + 16) rebuild(best);
  return best;
}

/**
 * The kept keys, best first (a higher count, then the lower key in code-unit order).
 *
 * @param best The best keys.
 * @returns `[key, count]` pairs; costs O(K log K).
 */
export function bestKeysSorted(best: BestKeys): Array<[string, number]> {
  return [...best.kept].sort((a, b) => ranksBefore(a[1], a[0], b[1], b[0]) ? -1 : 1);
}

/** Whether `key` at `count` ranks before `otherKey` at `otherCount`. */
function ranksBefore(count: number, key: string, otherCount: number, otherKey: string): boolean {
  return count > otherCount || (count === otherCount && key < otherKey);
}

/** The worst kept entry, stale entries above it dropped; `kept` must not be empty. */
function worstKept({ kept, heap }: BestKeys): [number, string] {
  for (;;) {
    const top = heap[0]!;
    if (kept.get(top[1]) === top[0]) return top;
    popHeap(heap);
  }
}

/** The heap made again from the kept keys only. */
function rebuild({ kept, heap }: BestKeys): void {
  heap.length = 0;
  for (const [key, count] of kept) pushHeap(heap, [count, key]);
}

/** Whether heap entry `a` is worse than `b` (belongs nearer the top). */
function worse(a: [number, string], b: [number, string]): boolean {
  return ranksBefore(b[0], b[1], a[0], a[1]);
}

function pushHeap(heap: Array<[number, string]>, entry: [number, string]): void {
  let at = heap.length;
  heap.push(entry);
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!worse(entry, heap[parent]!)) break;
    heap[at] = heap[parent]!;
    at = parent;
  }
  heap[at] = entry;
}

function popHeap(heap: Array<[number, string]>): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && worse(heap[right]!, heap[left]!) ? right : left;
    if (!worse(heap[child]!, last)) break;
    heap[at] = heap[child]!;
    at = child;
  }
  heap[at] = last;
}
