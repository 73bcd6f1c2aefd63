import assert from "assert";
import { checkSequences, sequencedUri } from "./http_verify.ts";

Deno.test("http verify: missing and doubled acknowledged events are problems", () => {
  const counts = new Map([[0, 1], [1, 2], [3, 1], [4, 1], [5, 1]]);
  assert.deepEqual(checkSequences(counts, [0, 2], [4], 2), {
    problems: [
      "1 acknowledged events are not in log",
      "1 acknowledged events are in log more than once",
    ],
    refusedButStored: 2,
  });
  assert.deepEqual(checkSequences(new Map([[0, 1], [1, 1]]), [0], [], 2), {
    problems: [],
    refusedButStored: 0,
  });
});

Deno.test("http verify: the sequence number joins an existing query", () => {
  assert.equal(sequencedUri("/p", 3), "/p?bench_seq=3");
  assert.equal(sequencedUri("/p?q=1", 4), "/p?q=1&bench_seq=4");
});
