import assert from "assert";
import { murmur3, murmur3Pair } from "./_murmur3.ts";

Deno.test("murmur3 matches the reference MurmurHash3_x86_32 vectors", () => {
  const vectors: [string, number, number][] = [
    ["", 0, 0],
    ["", 1, 0x514e28b7],
    ["", 0xffffffff, 0x81f16f39],
    ["\u0000\u0000\u0000\u0000", 0, 0x2362f9de],
    ["aaaa", 0x9747b28c, 0x5a97808a],
    ["aaa", 0x9747b28c, 0x283e0130],
    ["aa", 0x9747b28c, 0x5d211726],
    ["a", 0x9747b28c, 0x7fa09ea6],
    ["abc", 0, 0xb3dd93fa],
    ["Hello, world!", 0x9747b28c, 0x24884cba],
    ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
  ];
  for (const [value, seed, expected] of vectors) {
    assert.equal(murmur3(value, seed), expected, `murmur3(${JSON.stringify(value)}, ${seed})`);
  }
});

Deno.test("murmur3 hashes alike after its buffer grows", () => {
  const before = [murmur3("π/ü/😀"), murmur3("abc")];
  const long = "ü".repeat(10_000);
  assert.equal(murmur3(long), murmur3("ü".repeat(10_000)));
  assert.deepEqual([murmur3("π/ü/😀"), murmur3("abc")], before);
  assert.deepEqual(murmur3Pair("abc"), [0xb3dd93fa, murmur3("abc", 0x9747b28c)]);
});

Deno.test("murmur3Pair is murmur3 with its two seeds, for new and repeated values alike", () => {
  const values = ["", "a", "ab", "abc", "abcd", "abcde", "π/ü/😀", "c:10.0.0.1 Mozilla/5.0"];
  for (let i = 0; i < 200; i++) values.push(`u:${i * 7919}`.repeat(1 + (i % 5)));
  for (const value of [...values, ...values.toReversed()]) {
    const expected = [murmur3(value, 0), murmur3(value, 0x9747b28c)];
    assert.deepEqual(murmur3Pair(value), expected, JSON.stringify(value));
    // The same content again, as another string: the kept pair must be that value's.
    assert.deepEqual(murmur3Pair(value.split("").join("")), expected, JSON.stringify(value));
  }
});
