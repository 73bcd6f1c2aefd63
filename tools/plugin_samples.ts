/**
 * Prints sample output of the analytics plugins on a seeded simulator run: each plugin over one
 * hour of simulated traffic as one window (what real time and batch both write for it). The
 * sample output in docs/plugins.md comes from here: `deno run -A tools/plugin_samples.ts`.
 *
 * @module
 */
import { generateTraffic, type TrafficMode } from "../lib/traffic/mod.ts";
import type { AggregationPlugin, LogRecord, ResultRow } from "../lib/sdk/mod.ts";

/** One sample: which plugin, with which options, over which simulated traffic. */
interface Sample {
  plugin: string;
  options: Record<string, unknown>;
  mode: TrafficMode;
  rows: number;
}

const SAMPLES: Sample[] = [
  { plugin: "unique_visitors", options: { per_page: true, n: 3 }, mode: "weblog", rows: 4 },
  { plugin: "sessions", options: {}, mode: "weblog", rows: 1 },
  { plugin: "breakdown", options: { dimension: "device" }, mode: "weblog", rows: 5 },
  { plugin: "breakdown", options: { dimension: "referrer_domain" }, mode: "weblog", rows: 4 },
  { plugin: "bot_report", options: { n: 3, max_per_minute: 15 }, mode: "weblog", rows: 4 },
  { plugin: "latency", options: { n: 3 }, mode: "weblog", rows: 4 },
  { plugin: "error_rate", options: { prefixes: ["/checkout", "/cart"] }, mode: "weblog", rows: 4 },
  { plugin: "page_engagement", options: { n: 3 }, mode: "clickstream", rows: 3 },
  { plugin: "click_through", options: { n: 4 }, mode: "clickstream", rows: 4 },
  { plugin: "product_views", options: { n: 3 }, mode: "ecommerce", rows: 3 },
  { plugin: "action_ratios", options: {}, mode: "ecommerce", rows: 4 },
  { plugin: "funnel", options: {}, mode: "ecommerce", rows: 4 },
];

const START = Date.parse("2026-11-23T10:00:00Z");
const streams = new Map<TrafficMode, LogRecord[]>();

function recordsOf(mode: TrafficMode): LogRecord[] {
  let records = streams.get(mode);
  if (records === undefined) {
    records = [...generateTraffic({
      mode,
      seed: 42,
      count: 20_000,
      start: START,
      spanMs: 3_600_000,
      malformedShare: 0,
      lateShare: 0,
      combinedShare: 0,
    })].flatMap((event) => event.record === undefined ? [] : [event.record]);
    streams.set(mode, records);
  }
  return records;
}

function format(row: ResultRow): string {
  const key = Array.isArray(row.key) ? row.key.join(" | ") : String(row.key);
  const values = Object.entries(row.values).map(([name, value]) => `${name}=${value}`);
  return `  ${key}: ${values.join(", ")}`;
}

for (const sample of SAMPLES) {
  const plugin = (await import(`../plugins/aggregations/${sample.plugin}.ts`))
    .default as AggregationPlugin;
  const aggregation = plugin.create(plugin.options.parse(sample.options));
  let state = aggregation.start();
  for (const record of recordsOf(sample.mode)) state = aggregation.add(state, record);
  const rows = aggregation.finish(state);
  console.log(
    `${sample.plugin} ${JSON.stringify(sample.options)} (${sample.mode}, 20,000 events, 1h):`,
  );
  for (const row of rows.slice(0, sample.rows)) console.log(format(row));
}
