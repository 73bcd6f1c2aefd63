import assert from "assert";
import { anomalyScore, earlierWindowKey, judge, median, valueOfRows } from "./judge.ts";

Deno.test("threshold: above and below, and never under the minimum volume", () => {
  const above = { kind: "threshold" as const, above: 5 };
  assert.equal(judge(above, { value: 6, records: 100 }, 50).holds, true);
  assert.equal(judge(above, { value: 5, records: 100 }, 50).holds, false);
  assert.equal(judge(above, { value: 60, records: 10 }, 50).holds, false);
  assert.equal(judge({ kind: "threshold", below: 1 }, { value: 0, records: 0 }, 0).holds, true);
});

Deno.test("change: the ratio to the earlier window; no earlier window judges nothing", () => {
  const halved = { kind: "change" as const, against: "week_before" as const, below: 0.5 };
  const observation = judge(halved, { value: 40, records: 40 }, 0, {
    earlier: { value: 100, records: 100 },
  });
  assert.deepEqual(observation, { holds: true, value: 0.4 });
  assert.equal(
    judge(halved, { value: 60, records: 60 }, 0, { earlier: { value: 100, records: 100 } }).holds,
    false,
  );
  assert.equal(judge(halved, { value: 1, records: 1 }, 0, {}).holds, false);
  assert.equal(
    judge(halved, { value: 1, records: 1 }, 0, { earlier: { value: 0, records: 0 } }).holds,
    false,
  );
});

Deno.test("anomaly: a spike scores high against median and MAD; quiet windows do not count", () => {
  const spike = { kind: "anomaly" as const, windows: 6, above: 4 };
  const recent = [10, 12, 11, 9, 10, 11].map((value) => ({ value, records: 1000 }));
  assert.equal(judge(spike, { value: 40, records: 1000 }, 500, { recent }).holds, true);
  assert.equal(judge(spike, { value: 12, records: 1000 }, 500, { recent }).holds, false);
  // A quiet hour: few records, a wild value, no page.
  assert.equal(judge(spike, { value: 100, records: 20 }, 500, { recent }).holds, false);
  // History made only of quiet windows judges nothing.
  const quiet = [1, 50, 2].map((value) => ({ value, records: 5 }));
  assert.equal(judge(spike, { value: 40, records: 1000 }, 500, { recent: quiet }).holds, false);
});

Deno.test("anomalyScore: median and MAD, a flat history and too little history", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(anomalyScore(10, [1, 2]), undefined);
  // median 10, MAD 1 -> scale 1.4826
  assert.ok(Math.abs(anomalyScore(10 + 1.4826 * 3, [8, 9, 10, 11, 12])! - 3) < 1e-9);
  // flat history: scale is 5% of 100
  assert.equal(anomalyScore(110, [100, 100, 100]), 2);
});

Deno.test("valueOfRows: one key's column, or the column summed over the window", () => {
  const rows = [
    { key: "/checkout", values: { error_pct: 7.5, requests: 40 } },
    { key: "/", values: { error_pct: 1, requests: 60 } },
  ];
  assert.equal(valueOfRows(rows, "error_pct", "/checkout"), 7.5);
  assert.equal(valueOfRows(rows, "requests", undefined), 100);
  assert.equal(valueOfRows(rows, "requests", "/missing"), undefined);
  assert.equal(valueOfRows([{ key: ["p1", "view"], values: { n: 3 } }], "n", '["p1","view"]'), 3);
});

Deno.test("earlierWindowKey: previous window, same hour yesterday, same weekday last week", () => {
  const start = Date.UTC(2026, 11, 7, 10, 5);
  assert.equal(earlierWindowKey(start, 300_000, "minute", "previous"), "2026-12-07T10:00");
  assert.equal(earlierWindowKey(start, 300_000, "minute", "previous", 3), "2026-12-07T09:50");
  assert.equal(
    earlierWindowKey(Date.UTC(2026, 11, 7, 10), 3_600_000, "hour", "day_before"),
    "2026-12-06T10",
  );
  assert.equal(
    earlierWindowKey(Date.UTC(2026, 11, 7), 86_400_000, "day", "week_before"),
    "2026-11-30",
  );
});
