import assert from "assert";
import { zeroStats } from "../realtime/_stats_fixture.ts";
import { createMetrics } from "./metrics.ts";

const stats = zeroStats;

function value(text: string, line: string): number | undefined {
  const found = text.split("\n").find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

Deno.test("metrics: counters follow the processor's totals across scrapes, lag only of owned partitions", async () => {
  let current = new Map([[
    "rawlog",
    stats({ read: 10, accepted: 8, rejected: 2, partitionLag: { "RAW/0": 5, "RAW/1": 3 } }),
  ]]);
  const metrics = createMetrics(() => current);
  let text = await metrics.render();
  assert.equal(value(text, 'web_analytics_records_read_total{source="rawlog"}'), 10);
  assert.equal(value(text, 'web_analytics_records_rejected_total{source="rawlog"}'), 2);
  assert.equal(value(text, 'web_analytics_records_too_late_total{source="rawlog"}'), 0);
  assert.equal(value(text, 'web_analytics_records_duplicate_total{source="rawlog"}'), 0);
  assert.equal(value(text, 'web_analytics_lag_messages{source="rawlog",partition="RAW/0"}'), 5);

  // Scraped again without change, then after growth and a rebalance that moved RAW/1 away.
  assert.equal(
    value(await metrics.render(), 'web_analytics_records_read_total{source="rawlog"}'),
    10,
  );
  current = new Map([[
    "rawlog",
    stats({
      read: 25,
      accepted: 23,
      rejected: 2,
      changelogEntries: 40,
      partitionLag: { "RAW/0": 0 },
    }),
  ]]);
  text = await metrics.render();
  assert.equal(value(text, 'web_analytics_changelog_entries_total{source="rawlog"}'), 40);
  assert.equal(value(text, 'web_analytics_records_read_total{source="rawlog"}'), 25);
  assert.equal(value(text, 'web_analytics_records_logged_total{source="rawlog"}'), 23);
  assert.equal(value(text, 'web_analytics_lag_messages{source="rawlog",partition="RAW/0"}'), 0);
  assert.equal(
    value(text, 'web_analytics_lag_messages{source="rawlog",partition="RAW/1"}'),
    undefined,
  );
});

Deno.test("metrics: state keys in memory, spilled and read back", async () => {
  const current = new Map([[
    "rawlog",
    stats({ stateKeys: 90, stateKeysInMemory: 30, spilledKeys: 75, loadedKeys: 15 }),
  ]]);
  const text = await createMetrics(() => current).render();
  assert.equal(value(text, 'web_analytics_state_keys{source="rawlog"}'), 90);
  assert.equal(value(text, 'web_analytics_state_keys_in_memory{source="rawlog"}'), 30);
  assert.equal(value(text, 'web_analytics_state_keys_spilled_total{source="rawlog"}'), 75);
  assert.equal(value(text, 'web_analytics_state_keys_loaded_total{source="rawlog"}'), 15);
});

Deno.test("metrics: flushes, commits and sink errors are observed", async () => {
  const metrics = createMetrics();
  metrics.knowSinks(["results", "results_topic"]);
  metrics.observer.flushed?.("rawlog", { results: [], ms: 30, commitMs: 4 });
  metrics.observer.flushed?.("rawlog", { results: [], ms: 2_000 });
  metrics.observer.sinkFailed?.("results", new Error("timeout"));
  metrics.observer.sinkFailed?.("results", new Error("timeout"));
  const text = await metrics.render();
  assert.equal(value(text, 'web_analytics_flush_duration_seconds_count{source="rawlog"}'), 2);
  assert.equal(
    value(text, 'web_analytics_flush_duration_seconds_bucket{le="0.05",source="rawlog"}'),
    1,
  );
  assert.equal(value(text, 'web_analytics_commit_duration_seconds_count{source="rawlog"}'), 1);
  assert.equal(value(text, 'web_analytics_sink_errors_total{sink="results"}'), 2);
  assert.equal(value(text, 'web_analytics_sink_errors_total{sink="results_topic"}'), 0);
  assert.ok(value(text, "process_resident_memory_bytes")! > 0);
});
