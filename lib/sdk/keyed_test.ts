import assert from "assert";
import { assertAggregationLaws } from "./conformance.ts";
import { keyedCounts } from "./keyed.ts";
import { webRequest as request } from "./_law_records.ts";

const hitsPerPage = keyedCounts({
  shape: { key: { name: "page", type: "text" }, values: [{ name: "hits", type: "bigint" }] },
  keyOf: (record) => record.request_uri === "/skip" ? undefined : record.request_uri,
  finish: (counts) =>
    [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([page, hits]) => ({
      key: page,
      values: { hits },
    })),
});

Deno.test("keyedCounts keeps a plain count per key, any key included", () => {
  const records = ["/a", "/b", "/a", "/skip", "__proto__", "/a"].map(request);
  const state = records.reduce(hitsPerPage.add, hitsPerPage.start());
  assert.equal(JSON.stringify(state), '{"/a":3,"/b":1,"__proto__":1}');
  assert.deepEqual(hitsPerPage.merge(JSON.parse(JSON.stringify(state)), state), {
    "/a": 6,
    "/b": 2,
    ["__proto__"]: 2,
  });
});

Deno.test("keyedCounts' keyed form counts the same way", () => {
  const keyed = hitsPerPage.keyed!;
  assert.equal(keyed.start(), 0);
  assert.equal(keyed.add(keyed.add(keyed.start(), request("/a")), request("/a")), 2);
  assert.equal(keyed.merge(2, 3), 5);
  assert.equal(keyed.keyOf(request("/skip")), undefined);
});

Deno.test("keyedCounts obeys the aggregation laws", () => {
  const pages = ["/a", "/b", "/c", "/skip", "__proto__"];
  assertAggregationLaws(hitsPerPage, Array.from({ length: 300 }, (_, i) => request(pages[i % 5]!)));
});
