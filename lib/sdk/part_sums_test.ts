import assert from "assert";
import { partSums, partSumsSet } from "./part_sums.ts";

Deno.test("part sums: totals follow each key's latest part, in any order of updates", () => {
  const updates: Array<[string, number[]]> = [
    ["a", [1, 10]],
    ["b", [2, 20]],
    ["a", [3, 5]],
    ["c", [0, 0]],
    ["b", [7, 1]],
    ["a", [3, 5]],
  ];
  const latest = new Map<string, number[]>();
  const sums = partSums(2);
  for (const [key, part] of updates) {
    partSumsSet(sums, key, part);
    latest.set(key, part);
    const expected = [0, 0];
    for (const value of latest.values()) value.forEach((n, i) => expected[i]! += n);
    assert.deepEqual(sums.totals, expected);
  }
  assert.deepEqual([...sums.slots.keys()], ["a", "b", "c"]);
  assert.deepEqual(sums.parts, [3, 5, 7, 1, 0, 0]);
});

Deno.test("part sums: a part is copied, not kept; bad widths are refused", () => {
  const sums = partSums(1);
  const part = [4];
  partSumsSet(sums, "k", part);
  part[0] = 100;
  assert.deepEqual(sums.totals, [4]);
  assert.throws(() => partSumsSet(sums, "k", [1, 2]), /have 1 numbers, found 2/);
  assert.throws(() => partSums(0), /integer width >= 1, found 0/);
  assert.throws(() => partSums(1.5), /integer width >= 1, found 1.5/);
});
