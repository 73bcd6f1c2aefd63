import assert from "assert";
import { topOfMap } from "./counts.ts";
import { seededRandom } from "./random.ts";
import { runningTop, runningTopOffer } from "./running_top.ts";

Deno.test("a running top ranks like a scan of every key's latest score", () => {
  const random = seededRandom(3);
  for (const n of [1, 3, 10, 60]) {
    const top = runningTop<string>(n);
    const scores = new Map<string, number>();
    for (let offer = 0; offer < 2_000; offer++) {
      // Scores only grow, often by nothing (a repeated offer), ties are frequent.
      const key = `/p${Math.floor(random() * 50)}`;
      const score = (scores.get(key) ?? 0) + Math.floor(random() * 3);
      scores.set(key, score);
      runningTopOffer(top, key, score, () => `row ${key} ${score}`);
      if (offer % 97 === 0 || offer === 1_999) {
        assert.deepEqual(
          top.entries.map((entry) => [entry.key, entry.score]),
          topOfMap(scores, n),
          `n ${n}, offer ${offer}`,
        );
      }
    }
    for (const entry of top.entries) assert.equal(entry.row, `row ${entry.key} ${entry.score}`);
  }
});

Deno.test("a running top derives rows for the keys it keeps only", () => {
  const top = runningTop<number>(2);
  const derived: string[] = [];
  const offer = (key: string, score: number) =>
    runningTopOffer(top, key, score, () => (derived.push(key), score * 10));
  offer("/a", 5);
  offer("/b", 4);
  offer("/c", 1); // below both: not derived
  offer("/c", 4); // ties /b, ranks after it: not derived
  offer("/b", 4); // again: derived again (other figures of its row may have changed)
  assert.deepEqual(derived, ["/a", "/b", "/b"]);
  assert.throws(() => runningTop(0), /n >= 1/);
});
