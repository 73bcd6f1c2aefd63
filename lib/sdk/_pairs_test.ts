import assert from "assert";
import { asPairs, combinePairs, insertPair, pairAt } from "./_pairs.ts";

Deno.test("pair lists: search, insert short and long, combine, read the object form", () => {
  let pairs: number[] = [];
  // Keys in a scrambled order, negative ones too; the list stays sorted either way it grows.
  const keys = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) - 50);
  for (const key of keys) {
    const at = pairAt(pairs, key);
    assert.notEqual(pairs[at], key);
    pairs = insertPair(pairs, at, key, key * 2 + 101);
  }
  assert.deepEqual(
    pairs,
    [...keys].sort((a, b) => a - b).flatMap((key) => [key, key * 2 + 101]),
  );
  assert.equal(pairAt(pairs, -50), 0);
  assert.equal(pairAt(pairs, 1_000), pairs.length);
  const sum = (mine: number | undefined, other: number) => (mine ?? 0) + other;
  assert.deepEqual(combinePairs([1, 5, 3, 1], [0, 2, 3, -1, 9, 4], sum), [0, 2, 1, 5, 9, 4]);
  assert.deepEqual(combinePairs([], [2, 1], sum), [2, 1]);
  assert.deepEqual(combinePairs([2, 1], [], sum), [2, 1]);
  assert.deepEqual(asPairs({ "10": 1, "-3": 2, "0": 4 }), [-3, 2, 0, 4, 10, 1]);
  const list = [1, 2];
  assert.equal(asPairs(list), list);
});
