/**
 * examples/ecommerce.yaml as shipped (its names swapped for test-owned ones, its simulator
 * replaced by a seeded stream of the same simulator): revenue per product and campaign and
 * conversion by country equal the test's own sums and counts.
 */
import assert from "assert";
import { Buffer } from "node:buffer";
import { type CountryResponse, Reader } from "mmdb-lib";
import databaseBytes from "geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" with {
  type: "bytes",
};
import { generateTraffic } from "../lib/traffic/mod.ts";
import type { LogRecord } from "../lib/records.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import {
  createTestPipeline,
  dropTestPipeline,
  produceEvents,
  runRealtimeUntilCommitted,
  type TestPipeline,
} from "./_pipeline_support.ts";

const DAY = "2026-11-23";
const START = Date.parse(`${DAY}T09:00:00Z`);

/** Sum in millionths and count per key, of purchase order lines (price times quantity). */
function revenueBy(records: LogRecord[], keyOf: (record: LogRecord) => string) {
  const sums = new Map<string, [number, number]>();
  for (const record of records) {
    if (record.event_type !== "purchase" || record.props?.price === undefined) continue;
    const amount = Number(record.props.price) * Number(record.props.quantity ?? 1);
    const [micros, count] = sums.get(keyOf(record)) ?? [0, 0];
    sums.set(keyOf(record), [micros + Math.round(amount * 1e6), count + 1]);
  }
  return [...sums].sort(([a, [x]], [b, [y]]) => y - x || (a < b ? -1 : 1))
    .map(([key, [micros, count]]) => [key, micros / 1e6, count]);
}

async function storedSums(test: TestPipeline, table: string, column: string) {
  const rows = await test.cassandra.execute(
    `SELECT ${column}, sum, count, rank FROM ${test.keyspace}.${table} WHERE date = ?`,
    [DAY],
    { prepare: true },
  );
  return rows.rows.sort((a, b) => a.get("rank") - b.get("rank"))
    .map((row) => [row.get(column), row.get("sum"), Number(row.get("count"))]);
}

Deno.test("examples/ecommerce.yaml: revenue per product and campaign, conversion by country", async () => {
  const test = await createTestPipeline();
  try {
    const example = await Deno.readTextFile(`${REPO_ROOT}/examples/ecommerce.yaml`);
    const simulator = / {2}# Simulated shoppers[\s\S]*?campaign_share: 0\.3\n/;
    assert.match(example, simulator);
    await Deno.writeTextFile(
      test.file,
      example
        .replace(simulator, "")
        .replace(/\nschedules:[\s\S]*$/, "\n")
        .replace("keyspace: shop_analytics", `keyspace: ${test.keyspace}`)
        .replace("consumer_group: shop-analytics", `consumer_group: ${test.group}`)
        .replace("flush_interval_ms: 1000", "flush_interval_ms: 250\n  allowed_lateness: 36500d")
        .replaceAll("SHOP_EVENTS.dlq", test.deadLetterTopic)
        .replaceAll("SHOP_EVENTS", test.topic)
        .replaceAll("shop_events", "rawlog")
        .replace(/ {2}- name: console[^\n]*\n {4}plugin: stdout\n {4}options: \{ rows: 3 \}\n/, "")
        .replace("sinks: [product_actions_5m, console]", "sinks: [product_actions_5m]") +
        "\nhttp:\n  listen: 127.0.0.1:0\n",
    );
    const events = [...generateTraffic({
      mode: "ecommerce",
      seed: 2311,
      count: 6000,
      start: START,
      spanMs: 8 * 3_600_000,
      malformedShare: 0,
      lateShare: 0,
      combinedShare: 0,
      products: 40,
    })];
    const records = events.map((event) => event.record!);
    const reader = new Reader<CountryResponse>(Buffer.from(databaseBytes));
    const countryOf = (record: LogRecord) =>
      record.country ??
        (reader.get(record.remote_addr ?? "-") as { country_code?: string } | null)?.country_code;
    assert.ok(records.some((record) => record.event_type === "purchase"));

    await produceEvents(test.kafka, test.topic, events);
    const stats = await runRealtimeUntilCommitted(test, events.length);
    assert.equal(stats.accepted, events.length);

    assert.deepEqual(
      await storedSums(test, "revenue_by_product_daily", "product_id"),
      revenueBy(records, (record) => record.product_id ?? "(none)").slice(0, 50),
      "revenue per product",
    );
    assert.deepEqual(
      await storedSums(test, "revenue_by_campaign_daily", "utm_campaign"),
      revenueBy(records, (record) => record.utm_campaign ?? "(none)"),
      "revenue per campaign",
    );
    const conversions = new Map<string, number>();
    for (const record of records) {
      const country = countryOf(record);
      if (country === undefined) continue;
      if (record.event_type !== "view" && record.event_type !== "purchase") continue;
      const key = `${country}|${record.event_type}`;
      conversions.set(key, (conversions.get(key) ?? 0) + 1);
    }
    const stored = await test.cassandra.execute(
      `SELECT country, event_type, count FROM ${test.keyspace}.conversion_by_country_daily
       WHERE date = ?`,
      [DAY],
      { prepare: true },
    );
    assert.deepEqual(
      stored.rows.map((
        row,
      ) => [`${row.get("country")}|${row.get("event_type")}`, Number(row.get("count"))])
        .sort(),
      [...conversions].sort(),
      "views and purchases by country",
    );
  } finally {
    await dropTestPipeline(test);
  }
});
