import assert from "assert";
import { bestKeys, bestKeysOffer, bestKeysRanked } from "./best_keys.ts";
import { topOfMap } from "./counts.ts";
import { seededRandom } from "./random.ts";

Deno.test("best keys are the K best of every key offered, as a scan of the latest counts ranks", () => {
  const random = seededRandom(11);
  for (const keep of [1, 2, 7, 40, Infinity]) {
    const best = bestKeys(keep);
    const counts = new Map<string, number>();
    for (let offer = 0; offer < 5_000; offer++) {
      // Counts only grow, often by nothing (a repeated offer); ties are frequent.
      const key = `/p${Math.floor(random() * 120)}`;
      const count = (counts.get(key) ?? 0) + Math.floor(random() * 3);
      counts.set(key, count);
      bestKeysOffer(best, key, count);
      if (offer % 89 === 0 || offer === 4_999) {
        const ranked = bestKeysRanked(best).map(([count, key]) => [key, count]);
        assert.deepEqual(ranked, topOfMap(counts, keep), `K ${keep}, offer ${offer}`);
      }
    }
    // The ranking holds the kept keys only, each once, at its kept count.
    if (keep !== Infinity) {
      assert.equal(best.ranked.length, best.kept.size, `K ${keep}`);
      for (const [count, key] of best.ranked) assert.equal(best.kept.get(key), count, key);
    }
  }
});

Deno.test("best keys refuse a K that is neither a positive integer nor Infinity", () => {
  for (const keep of [0, -1, 1.5, NaN]) {
    assert.throws(() => bestKeys(keep), /best keys keep an integer >= 1 or Infinity keys/);
  }
});
