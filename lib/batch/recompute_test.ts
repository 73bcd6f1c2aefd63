import assert from "assert";
import { diffRows, selectAggregations } from "./recompute.ts";
import type { AggregationEntry } from "../config/pipeline.ts";

Deno.test("diffRows lists missing, unexpected and changed rows, ignoring order", () => {
  const want = [
    { key: "/a", values: { visits: 3, rank: 1 } },
    { key: "/b", values: { visits: 2, rank: 2 } },
  ];
  assert.deepEqual(diffRows(want, [...want].reverse()), []);
  assert.deepEqual(diffRows(want, [{ key: "/a", values: { rank: 1, visits: 3 } }]), [
    "missing /b rank=2 visits=2",
  ]);
  assert.deepEqual(
    diffRows(want, [
      { key: "/a", values: { visits: 4, rank: 1 } },
      { key: "/b", values: { visits: 2, rank: 2 } },
      { key: "/c", values: { visits: 1, rank: 3 } },
    ]),
    ["/a rank=1 visits=4 should be /a rank=1 visits=3", "unexpected /c rank=3 visits=1"],
  );
});

Deno.test("selectAggregations names the unknown ones and the valid names", () => {
  const all = [{ name: "top_pages_daily" }, { name: "status_daily" }] as AggregationEntry[];
  assert.deepEqual(selectAggregations(all, undefined), all);
  assert.deepEqual(selectAggregations(all, ["status_daily"]).map((e) => e.name), ["status_daily"]);
  assert.throws(
    () => selectAggregations(all, ["top_page"]),
    /unknown aggregation 'top_page'; the pipeline has: top_pages_daily, status_daily/,
  );
});
