import assert from "assert";
import { withWhere } from "./where.ts";
import { compileCondition, parseCondition } from "./condition.ts";
import type { Aggregation, KeyedState } from "../contracts.ts";
import type { LogRecord } from "../records.ts";

const mobile = parseCondition({ field: "device", in: ["mobile", "tablet"] });
if (!mobile.ok) throw new Error("invalid condition");
const test = compileCondition(mobile.condition);

const records: LogRecord[] = Array.from({ length: 60 }, (_, i) => ({
  timestamp: i,
  page_path: `/p${i % 7}`,
  device: ["mobile", "desktop", "tablet"][i % 3]!,
}));

type Counts = Record<string, number>;

/** Visits per page, in both forms (written out here: lib/conditions may not import the SDK). */
function pages(): Aggregation<Counts> {
  const keyed: KeyedState<number> = {
    keyOf: (record) => record.page_path,
    totalKey: "*",
    start: () => 0,
    add: (n) => n + 1,
    merge: (a, b) => a + b,
    finish: (values) => [...values].map(([key, n]) => ({ key, values: { n } })),
  };
  return {
    shape: { key: { name: "page", type: "text" }, values: [{ name: "n", type: "bigint" }] },
    start: () => ({}),
    add(state, record) {
      state[record.page_path!] = (state[record.page_path!] ?? 0) + 1;
      return state;
    },
    merge(into, other) {
      for (const [page, n] of Object.entries(other)) into[page] = (into[page] ?? 0) + n;
      return into;
    },
    finish: (state) => Object.entries(state).map(([key, n]) => ({ key, values: { n } })),
    keyed: keyed as KeyedState,
  };
}

Deno.test("where: both forms skip what the condition rejects, and merge as before", () => {
  const segment = withWhere(pages() as Aggregation, test) as Aggregation<Counts>;
  const plain = pages();
  const want = records.filter(test).reduce((state, r) => plain.add(state, r), plain.start());
  const got = records.reduce((state, r) => segment.add(state, r), segment.start());
  assert.deepEqual(got, want);
  const halves = [records.slice(0, 25), records.slice(25)]
    .map((part) => part.reduce((state, r) => segment.add(state, r), segment.start()));
  assert.deepEqual(segment.merge(halves[0]!, halves[1]!), want);
  assert.equal(
    segment.keyed?.keyOf({ timestamp: 0, page_path: "/x", device: "desktop" }),
    undefined,
  );
  assert.equal(segment.keyed?.keyOf({ timestamp: 0, page_path: "/x", device: "tablet" }), "/x");
  assert.equal(segment.keyed?.totalKey, "*");
});
