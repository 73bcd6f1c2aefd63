import assert from "assert";
import { assertAggregationLaws, type LogRecord, type ResultRow } from "../../lib/sdk/mod.ts";
import breakdown from "./breakdown.ts";
import { finishOnePass, shopEvent } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown>) =>
  breakdown.create(breakdown.options.parse(options));
const keysAndCounts = (options: Record<string, unknown>, records: LogRecord[]) =>
  (finishOnePass(build(options), records) as { key: string; values: { count: number } }[])
    .map((row) => [row.key, row.values.count]);

const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 " +
  "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const WINDOWS_CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " +
  "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const request = (fields: Partial<LogRecord>): LogRecord => ({
  timestamp: Date.UTC(2026, 10, 23, 10),
  request_uri: "/",
  status: 200,
  http_referrer: "-",
  http_user_agent: WINDOWS_CHROME,
  remote_addr: "10.0.0.1",
  ...fields,
});
const records = [
  request({}),
  request({ http_user_agent: IPHONE, http_referrer: "https://www.google.com/search?q=a" }),
  request({ http_user_agent: IPHONE, status: 404, http_referrer: "https://google.com/" }),
  request({ http_user_agent: "curl/8.5.0", status: 503 }),
  shopEvent("view", { device: "tablet", country: "DE", utm_source: "mail" }),
  shopEvent("page_visited", { props: { browser: "Firefox", os: "Linux" } }),
];

Deno.test("breakdown by device, browser, OS from the user agent (else the record)", () => {
  assert.deepEqual(keysAndCounts({ dimension: "device" }, records), [
    ["mobile", 2],
    ["bot", 1],
    ["desktop", 1],
    ["tablet", 1],
  ]);
  assert.deepEqual(keysAndCounts({ dimension: "browser" }, records), [
    ["Mobile Safari", 2],
    ["Chrome", 1],
    ["Firefox", 1],
    ["Other", 1], // curl names no browser
  ]);
  assert.deepEqual(keysAndCounts({ dimension: "os", exclude_bots: true }, records), [
    ["iOS", 2],
    ["Linux", 1],
    ["Windows", 1],
  ]);
});

Deno.test("breakdown by referrer domain, status class, fields and props; shares; missing", () => {
  assert.deepEqual(keysAndCounts({ dimension: "referrer_domain", n: 1 }, records), [
    ["(direct)", 4],
  ]);
  assert.deepEqual(keysAndCounts({ dimension: "status_class" }, records), [
    ["2xx", 2],
    ["4xx", 1],
    ["5xx", 1],
  ]);
  assert.deepEqual(keysAndCounts({ dimension: "country", missing: "(none)" }, records), [
    ["(none)", 5],
    ["DE", 1],
  ]);
  assert.deepEqual(keysAndCounts({ dimension: "props.os" }, records), [["Linux", 1]]);
  assert.deepEqual(finishOnePass(build({ dimension: "utm_source" }), records), [
    { key: "mail", values: { count: 1, share_pct: 100, rank: 1 } },
  ]);
  assert.deepEqual(
    (finishOnePass(build({ dimension: "status_class" }), records) as {
      values: { share_pct: number };
    }[]).map((row) => row.values.share_pct),
    [50, 25, 25],
  );
  assert.equal(breakdown.options.safeParse({ dimension: "shoe_size" }).success, false);
  assert.equal(breakdown.options.safeParse({}).success, false);
  assert.equal(breakdown.options.safeParse(breakdown.example).success, true);
});

Deno.test("breakdown obeys the aggregation laws", () => {
  const many = Array.from({ length: 300 }, (_, i) => ({
    ...records[i % records.length]!,
    country: i % 4 ? `C${i % 7}` : "__proto__",
  }));
  for (const dimension of ["device", "browser", "country", "referrer_domain"]) {
    assertAggregationLaws(build({ dimension, n: 3 }), many);
  }
});

Deno.test("breakdown: dimensions counts combinations, one key column per dimension", () => {
  const events = [
    shopEvent("view", { utm_campaign: "spring", props: { tier: "gold" } }),
    shopEvent("view", { utm_campaign: "spring", props: { tier: "gold" } }),
    shopEvent("purchase", { utm_campaign: "spring", props: { tier: "gold" } }),
    shopEvent("view", { utm_campaign: "fall" }),
    shopEvent("view", {}),
  ];
  const options = { dimensions: ["utm_campaign", "event_type", "props.tier"], n: 10 };
  const aggregation = build(options);
  assert.deepEqual(aggregation.shape.key, [
    { name: "utm_campaign", type: "text" },
    { name: "event_type", type: "text" },
    { name: "tier", type: "text" },
  ]);
  assert.deepEqual(finishOnePass(aggregation, events), [
    { key: ["spring", "view", "gold"], values: { count: 2, share_pct: 66.67, rank: 1 } },
    { key: ["spring", "purchase", "gold"], values: { count: 1, share_pct: 33.33, rank: 2 } },
  ]);
  assert.deepEqual(
    (finishOnePass(build({ ...options, missing: "(none)" }), events) as ResultRow[]).map((row) =>
      row.key
    ),
    [
      ["spring", "view", "gold"],
      ["(none)", "view", "(none)"],
      ["fall", "view", "(none)"],
      ["spring", "purchase", "gold"],
    ],
  );
  assertAggregationLaws(build({ dimensions: ["utm_campaign", "event_type"], missing: "-" }), [
    ...events,
    ...records,
  ]);
});

Deno.test("breakdown: dimension or dimensions, and columns that cannot be", () => {
  const problems = (options: Record<string, unknown>) =>
    breakdown.options.safeParse(options).error?.issues.map((issue) =>
      `${issue.path.join(".")}: ${issue.message}`
    );
  assert.match(problems({ dimension: "device", dimensions: ["device", "os"] })![0]!, /either/);
  assert.deepEqual(problems({ dimensions: ["props.count", "device"] }), [
    "dimensions.0: column 'count' cannot be a result column (it must start with a letter and " +
    "not be count, share_pct, rank)",
  ]);
  assert.deepEqual(problems({ dimensions: ["props.Device", "device"] }), [
    "dimensions.1: column 'device' is already the column of another dimension",
  ]);
});
