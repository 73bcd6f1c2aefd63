import assert from "assert";
import {
  assertAggregationLaws,
  type HyperLogLog,
  hyperLogLogAdd,
  hyperLogLogError,
  type KeyedState,
  type LogRecord,
} from "../../lib/sdk/mod.ts";
import uniqueVisitors from "./unique_visitors.ts";

function build(options: Record<string, unknown> = {}) {
  return uniqueVisitors.create(uniqueVisitors.options.parse(options));
}

function run(options: Record<string, unknown>, records: LogRecord[]) {
  const aggregation = build(options);
  return aggregation.finish(records.reduce(aggregation.add, aggregation.start()));
}

const at = Date.UTC(2026, 10, 23, 10);
const request = (remote_addr: string, agent: string, page = "/"): LogRecord => ({
  timestamp: at,
  request_uri: page,
  status: 200,
  remote_addr,
  http_user_agent: agent,
});

Deno.test("unique_visitors: user_id, else address with agent, else session", () => {
  const records: LogRecord[] = [
    request("10.0.0.1", "Firefox"),
    request("10.0.0.1", "Firefox", "/b"), // same client
    request("10.0.0.1", "Chrome"), // same address, other browser: another visitor
    { timestamp: at, user_id: "u1", remote_addr: "10.0.0.9", event_type: "view" },
    { timestamp: at, user_id: "u1", remote_addr: "10.0.0.8", event_type: "view" }, // same user
    { timestamp: at, session_id: "s1", event_type: "page_visited", page_path: "/b" },
    { timestamp: at, event_type: "login" }, // nobody: skipped
  ];
  assert.deepEqual(run({}, records), [{ key: "*", values: { visitors: 4, rank: 0 } }]);
});

Deno.test("unique_visitors per page: pages by visitors, `*` counts each visitor once", () => {
  const records = [
    request("10.0.0.1", "Firefox", "/a"),
    request("10.0.0.1", "Firefox", "/b?x=1"),
    request("10.0.0.2", "Firefox", "/b"),
    request("10.0.0.3", "Firefox", "/b"),
    request("10.0.0.3", "Firefox", "/c"),
  ];
  assert.deepEqual(run({ per_page: true, n: 2 }, records), [
    { key: "*", values: { visitors: 3, rank: 0 } },
    { key: "/b", values: { visitors: 3, rank: 1 } },
    { key: "/a", values: { visitors: 1, rank: 2 } },
  ]);
  assert.deepEqual(run({}, []), []);
});

Deno.test("unique_visitors excludes bots with the SDK's isBot when told", () => {
  const records = [
    request("10.0.0.1", "Firefox"),
    request("10.0.0.2", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    request("10.0.0.3", "python-requests/2.31.0"),
  ];
  assert.deepEqual(run({ exclude_bots: true }, records)[0]?.values.visitors, 1);
  assert.deepEqual(run({}, records)[0]?.values.visitors, 3);
});

Deno.test("unique_visitors estimate is within 3 standard errors of the exact count", () => {
  // A seeded stream: 20,000 requests from 5,000 distinct clients (each seen several times).
  const records = Array.from(
    { length: 20_000 },
    (_, i) => request(`10.1.${(i * 7) % 5_000}.1`, "Firefox"),
  );
  const visitors = Number(run({}, records)[0]?.values.visitors);
  const error = Math.abs(visitors / 5_000 - 1);
  assert.ok(error <= 3 * hyperLogLogError(14), `error ${error} for ${visitors}`);
});

Deno.test("unique_visitors obeys the aggregation laws", () => {
  const records = Array.from(
    { length: 400 },
    (_, i) =>
      i % 9 === 0
        ? { timestamp: at, user_id: `u${i % 13}`, page_path: i % 2 ? "/x" : "__proto__" }
        : request(`10.0.0.${i % 37}`, i % 3 ? "Firefox" : "curl/8.0", `/p${i % 11}`),
  );
  for (const options of [{}, { per_page: true, n: 5 }, { exclude_bots: true, precision: 10 }]) {
    assertAggregationLaws(build(options), records);
  }
  assert.equal(uniqueVisitors.options.safeParse(uniqueVisitors.example).success, true);
  assert.equal(uniqueVisitors.options.safeParse({ precision: 20 }).success, false);
});

Deno.test("unique_visitors per page: static assets count in `*` but are no page", () => {
  const records = [request("10.0.0.1", "Firefox", "/a"), request("10.0.0.2", "Firefox", "/app.js")];
  assert.deepEqual(run({ per_page: true }, records), [
    { key: "*", values: { visitors: 2, rank: 0 } },
    { key: "/a", values: { visitors: 1, rank: 1 } },
  ]);
});

Deno.test("unique_visitors' summary: updated with the changed pages only, it finishes like finish", () => {
  const keyed = build({ per_page: true, n: 3 }).keyed as KeyedState<HyperLogLog>;
  const summary = keyed.summary!;
  const sketches = new Map<string, HyperLogLog>();
  let window = summary.start();
  /** Visits of `page` by each visitor number, then the summary updated with its new sketch. */
  const visit = (page: string, visitors: number[]) => {
    const key = keyed.keyOf(request("10.0.0.1", "Firefox", page))!;
    const previous = sketches.get(key);
    let sketch = previous === undefined ? keyed.start() : structuredClone(previous);
    for (const visitor of visitors) {
      sketch = keyed.add(sketch, request(`10.0.${visitor >> 8}.${visitor & 255}`, "Firefox", page));
    }
    sketches.set(key, sketch);
    window = summary.update(window, key, sketch, previous);
  };
  const rows = (...expected: Array<[string, number]>) =>
    expected.map(([page, visitors], rank) => ({ key: page, values: { visitors, rank } }));
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  assert.deepEqual(summary.finish(window), []);
  visit("/a", range(0, 10));
  visit("/b", range(0, 5));
  visit("/c", range(5, 8));
  visit("/d", range(100, 102));
  visit("/logo.png", [200]); // in `*` only
  const first = summary.finish(window);
  assert.deepEqual(first, rows(["*", 13], ["/a", 10], ["/b", 5], ["/c", 3]));
  assert.deepEqual(first, keyed.finish(sketches));

  // Only /d changes, and overtakes /a; visitors of two pages count once in `*`.
  visit("/d", range(102, 111));
  visit("/a", range(0, 3));
  assert.deepEqual(summary.finish(window), rows(["*", 22], ["/d", 11], ["/a", 10], ["/b", 5]));
  // /c ties /b at 5: the page first in code-unit order ranks first, /c stays out.
  visit("/c", range(8, 10));
  assert.deepEqual(summary.finish(window), rows(["*", 22], ["/d", 11], ["/a", 10], ["/b", 5]));
  visit("/c", [300]);
  const last = summary.finish(window);
  assert.deepEqual(last, rows(["*", 23], ["/d", 11], ["/a", 10], ["/c", 6]));
  assert.deepEqual(last, keyed.finish(sketches));

  // The summary keeps no sketch it was lent: real time merges into them in place.
  for (const sketch of sketches.values()) {
    for (const visitor of range(1000, 1100)) hyperLogLogAdd(sketch, `v${visitor}`);
  }
  assert.deepEqual(summary.finish(window), last);
});
