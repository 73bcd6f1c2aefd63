import assert from "assert";
import { type MetricStats, pipelineMetrics } from "./pipeline_metrics.ts";

const stats = (fields: Partial<MetricStats>) =>
  new Map([["rawlog", { lag: 0, read: 0, rejected: 0, ...fields }]]);

Deno.test("lag and flush failures are read as they are", () => {
  const metrics = pipelineMetrics(0);
  const failing = { since: 0, failures: 4, lastError: "timeout" };
  const values = metrics.observe(stats({ lag: 1200, failingFlush: failing }), 1000).get("rawlog");
  assert.equal(values?.lag, 1200);
  assert.equal(values?.flush_failures, 4);
  assert.equal(metrics.observe(stats({}), 2000).get("rawlog")?.flush_failures, 0);
});

Deno.test("dead-letter rate over the last minute", () => {
  const metrics = pipelineMetrics(0);
  metrics.observe(stats({ rejected: 100 }), 0);
  assert.equal(
    metrics.observe(stats({ rejected: 400 }), 30_000).get("rawlog")?.dead_letter_rate,
    10,
  );
  // At 90 s the sample at 0 is out of the span; the one at 30 s is the oldest kept.
  assert.equal(
    metrics.observe(stats({ rejected: 400 }), 90_000).get("rawlog")?.dead_letter_rate,
    0,
  );
});

Deno.test("silent: seconds since the source last read, since start when it never did", () => {
  const metrics = pipelineMetrics(0);
  assert.equal(metrics.observe(stats({ read: 0 }), 5000).get("rawlog")?.silent_s, 5);
  assert.equal(metrics.observe(stats({ read: 10 }), 6000).get("rawlog")?.silent_s, 0);
  assert.equal(metrics.observe(stats({ read: 10 }), 66_000).get("rawlog")?.silent_s, 60);
});
