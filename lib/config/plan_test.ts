import assert from "assert";
import { writeFixturePlugins } from "./_fixture_plugins.ts";
import { loadPipelineText } from "./load.ts";
import { describePlan } from "./plan.ts";

Deno.test("describePlan lists sources, aggregations, sinks, storage and schedules", async () => {
  const dir = await writeFixturePlugins();
  const pipeline = await loadPipelineText(
    `sources:
  - { name: simulator, plugin: ./source.ts, options: { to_topic: RAWLOG } }
  - { name: rawlog, plugin: ./source.ts, options: { topic: RAWLOG } }
aggregations:
  - name: top_pages_daily
    plugin: top_pages
    source: rawlog
    sinks: [results, results_topic]
    window: 1h
sinks:
  - { name: results, plugin: ./table_sink.ts, options: { table: results } }
  - { name: results_topic, plugin: ./topic_sink.ts, options: { topic: RESULTS } }
schedules:
  - { name: nightly, cron: "15 0 * * *", aggregations: [top_pages_daily], windows: last_7_days }
`,
    `${dir}/pipeline.yaml`,
    {},
  );
  const plan = describePlan(pipeline, new Date("2026-03-01T12:00:00Z"));
  const expected = [
    "Sources",
    "  simulator  ./source.ts  feeds Kafka topic RAWLOG",
    "  rawlog     ./source.ts  uses Kafka topic RAWLOG",
    "",
    "Aggregations",
    "  top_pages_daily  top_pages  reads rawlog  per 1h  -> results, results_topic",
    "",
    "Sinks",
    "  results        ./table_sink.ts  table web_analytics.results  <- top_pages_daily",
    "  results_topic  ./topic_sink.ts  topic RESULTS                <- top_pages_daily",
    "",
    "Kafka topics written",
    "  RAWLOG   source simulator",
    "  RESULTS  sink results_topic",
    "",
    "Cassandra tables written",
    "  web_analytics.log      every valid record",
    "  web_analytics.results  sink results",
    "",
    "Schedules (cron in UTC)",
    '  nightly  "15 0 * * *"  top_pages_daily  last 7 days  next 2026-03-02 00:15 UTC, ' +
    "2026-03-03 00:15 UTC",
    "",
  ].join("\n");
  assert.ok(plan.startsWith(`Pipeline ${dir}/pipeline.yaml\n  Kafka `), plan);
  assert.ok(plan.endsWith(expected), plan);
  assert.match(
    plan,
    /\n {2}http +http:\/\/127\.0\.0\.1:8080\/ \(dashboard, \/api, \/health, \/ready, \/metrics; loopback, no token\)\n/,
  );
});
