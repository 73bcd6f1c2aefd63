import assert from "assert";
import { assertAggregationLaws, type LogRecord } from "../../lib/sdk/mod.ts";
import topPages, { type TopPagesOptions } from "./top_pages.ts";

function record(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    timestamp: Date.UTC(2026, 0, 1, 12),
    request_uri: "/",
    status: 200,
    body_bytes_sent: 100,
    request_time: 0.01,
    http_referrer: "-",
    http_user_agent: "Mozilla/5.0",
    remote_addr: "10.0.0.1",
    method: "GET",
    ...overrides,
  };
}

function build(options: Record<string, unknown> = {}) {
  return topPages.create(topPages.options.parse(options) as TopPagesOptions);
}

function run(options: Record<string, unknown>, records: LogRecord[]) {
  const aggregation = build(options);
  return aggregation.finish(records.reduce(aggregation.add, aggregation.start()));
}

const pages = (uris: string[]) => uris.map((request_uri) => record({ request_uri }));

Deno.test("top_pages ranks by visits, ties by page_url ascending", () => {
  const rows = run({ n: 3 }, pages(["/b", "/a", "/c", "/c", "/d", "/b", "/c"]));
  assert.deepEqual(rows, [
    { key: "/c", values: { visits: 3, rank: 1 } },
    { key: "/b", values: { visits: 2, rank: 2 } },
    { key: "/a", values: { visits: 1, rank: 3 } },
  ]);
});

Deno.test("top_pages defaults: n 10, query stripped, static assets skipped", () => {
  const aggregation = build();
  assert.deepEqual(aggregation.shape, {
    key: { name: "page_url", type: "text" },
    values: [{ name: "visits", type: "bigint" }, { name: "rank", type: "int" }],
  });
  const rows = run({}, pages(["/a?b=1", "/a#top", "/a", "/app.js", "/img/logo.PNG", "/x.css?v=2"]));
  assert.deepEqual(rows, [{ key: "/a", values: { visits: 3, rank: 1 } }]);
});

Deno.test("top_pages keeps queries and static assets when asked", () => {
  const rows = run(
    { strip_query: false, exclude_static: false },
    pages(["/a?b=1", "/a", "/app.js"]),
  );
  assert.deepEqual(rows.map((row) => row.key), ["/a", "/a?b=1", "/app.js"]);
});

Deno.test("top_pages filters bots and status classes", () => {
  const records = [
    record({ request_uri: "/a", http_user_agent: "Googlebot/2.1" }),
    record({ request_uri: "/a", http_user_agent: "curl/8.0" }),
    record({ request_uri: "/b", status: 404 }),
    record({ request_uri: "/c", status: 301 }),
    record({ request_uri: "/d", status: 200 }),
  ];
  const rows = run({ exclude_bots: true, statuses: ["2xx", "3xx"] }, records);
  assert.deepEqual(rows.map((row) => row.key), ["/c", "/d"]);
  assert.deepEqual(run({}, records).map((row) => row.key), ["/a", "/b", "/c", "/d"]);
});

Deno.test("top_pages can count referring pages", () => {
  const records = [
    record({ http_referrer: "https://news.example/item?id=1" }),
    record({ http_referrer: "https://news.example/item?id=2" }),
    record({ http_referrer: "-" }),
  ];
  const rows = run({ page_field: "http_referrer" }, records);
  assert.deepEqual(rows, [{ key: "https://news.example/item", values: { visits: 2, rank: 1 } }]);
});

Deno.test("top_pages obeys the aggregation laws (any split merges like one pass)", () => {
  const records = Array.from({ length: 400 }, (_, i) =>
    record({
      request_uri: i % 17 === 0 ? "__proto__" : `/p${(i * 7) % 23}${i % 5 === 0 ? "?q=1" : ""}`,
      status: [200, 200, 301, 404, 500][i % 5]!,
      http_user_agent: i % 11 === 0 ? "Googlebot/2.1" : "Mozilla/5.0",
    }));
  for (const options of [{ n: 5 }, { n: 1000, strip_query: false }, { exclude_bots: true }]) {
    assertAggregationLaws(build(options), records);
  }
});

Deno.test("top_pages counts a page named __proto__ like any other", () => {
  const rows = run({ page_field: "http_referrer" }, [record({ http_referrer: "__proto__" })]);
  assert.deepEqual(rows, [{ key: "__proto__", values: { visits: 1, rank: 1 } }]);
});

Deno.test("top_pages options reject bad values", () => {
  assert.equal(topPages.options.safeParse({ n: 0 }).success, false);
  assert.equal(topPages.options.safeParse({ n: 1001 }).success, false);
  assert.equal(topPages.options.safeParse({ granularity: "day" }).success, false);
  assert.equal(topPages.options.safeParse({ statuses: ["6xx"] }).success, false);
  assert.equal(topPages.options.safeParse({ top: 3 }).success, false);
  assert.equal(topPages.options.safeParse(topPages.example).success, true);
});

Deno.test("top_pages counts page events by page_path, which wins over request_uri", () => {
  const event = (page_path: string): LogRecord => ({
    timestamp: Date.UTC(2026, 0, 1, 12),
    event_type: "page_visited",
    page_path,
  });
  const rows = run({}, [
    event("/shoes"),
    event("/shoes?color=red"),
    record({ request_uri: "/shoes" }),
    record({ request_uri: "/api/track", page_path: "/cart" }),
    { timestamp: Date.UTC(2026, 0, 1, 12), event_type: "login" },
  ]);
  assert.deepEqual(rows, [
    { key: "/shoes", values: { visits: 3, rank: 1 } },
    { key: "/cart", values: { visits: 1, rank: 2 } },
  ]);
  // Events carry no status: a status filter leaves them out.
  assert.deepEqual(run({ statuses: ["2xx"] }, [event("/shoes"), record({ request_uri: "/a" })]), [
    { key: "/a", values: { visits: 1, rank: 1 } },
  ]);
  assertAggregationLaws(build(), [...pages(["/a", "/b", "/a"]), event("/a"), event("/c")]);
});

Deno.test("top_pages exclude_bots uses the SDK's isBot, not a word match", () => {
  const cubotPhone = "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 " +
    "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
  const records = [
    record({ request_uri: "/a", http_user_agent: "python-requests/2.31.0" }), // now a bot
    record({ request_uri: "/b", http_user_agent: "Go-http-client/1.1" }), // now a bot
    record({ request_uri: "/c", http_user_agent: cubotPhone }), // a phone, no longer a bot
  ];
  assert.deepEqual(run({ exclude_bots: true }, records).map((row) => row.key), ["/c"]);
});
