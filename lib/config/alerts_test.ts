import assert from "assert";
import { writeFixturePlugins } from "./_fixture_plugins.ts";
import { loadPipelineText, PipelineError } from "./load.ts";
import { describePlan } from "./plan.ts";

const dir = await writeFixturePlugins();
const file = `${dir}/pipeline.yaml`;

const BASE = `sources:
  - name: rawlog
    plugin: ./source.ts
    options: { topic: RAWLOG }
aggregations:
  - name: statuses
    plugin: status_counts
    source: rawlog
    window: 5m
    sinks: [status_table]
sinks:
  - name: status_table
    plugin: ./table_sink.ts
    options: { table: statuses }
notifiers:
  - name: ops
    plugin: stdout
`;

async function problems(alerts: string): Promise<string[]> {
  try {
    await loadPipelineText(`${BASE}alerts:\n${alerts}`, file, {});
  } catch (error) {
    if (error instanceof PipelineError) {
      return error.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
    }
    throw error;
  }
  return [];
}

Deno.test("valid rules compile with their defaults", async () => {
  const pipeline = await loadPipelineText(
    `${BASE}alerts:
  - name: server_errors
    aggregation: statuses
    key: "500"
    value: count
    above: 10
    for: 2m
    severity: critical
    labels: { team: web }
  - name: lag
    metric: lag
    source: rawlog
    above: 10000
`,
    file,
    {},
  );
  assert.deepEqual(pipeline.notifiers.map((entry) => entry.name), ["ops"]);
  assert.deepEqual(pipeline.alerts[0], {
    name: "server_errors",
    subject: { kind: "result", aggregation: "statuses", key: "500", value: "count" },
    condition: { kind: "threshold", above: 10, below: undefined },
    minRecords: 0,
    forMs: 120_000,
    severity: "critical",
    labels: { team: "web" },
    notify: ["ops"],
  });
  assert.deepEqual(pipeline.alerts[1]?.subject, {
    kind: "metric",
    metric: "lag",
    source: "rawlog",
  });
});

Deno.test("unknown aggregation, value column, metric, source and notifier, at file:line:col", async () => {
  const found = await problems(`  - name: a
    aggregation: status
    value: count
    above: 1
  - name: b
    aggregation: statuses
    value: cont
    above: 1
  - name: c
    metric: lagg
    above: 1
  - name: d
    metric: lag
    source: raw
    above: 1
    notify: [opps]
`);
  assert.deepEqual(found, [
    "20:18 alerts[0].aggregation: unknown aggregation 'status' (did you mean 'statuses'?)",
    "25:12 alerts[1].value: 'cont' is not a value column of statuses (did you mean 'count'?); " +
    "its values: count",
    `28:13 alerts[2].metric: expected one of "lag", "flush_failures", "dead_letter_rate", ` +
    `"silent_s", found "lagg" (did you mean 'lag'?)`,
    "32:13 alerts[3].source: unknown source 'raw'; sources that feed aggregations: rawlog",
    "34:14 alerts[3].notify[0]: unknown notifier 'opps' (did you mean 'ops'?)",
  ]);
});

Deno.test("a rule without a limit, with both subjects, or a composite key of the wrong size", async () => {
  const found = await problems(`  - name: a
    aggregation: statuses
    value: count
  - name: b
    aggregation: statuses
    metric: lag
    value: count
    above: 1
  - name: c
    aggregation: statuses
    value: count
    key: [a, b]
    above: 1
`);
  assert.equal(found.length, 3, found.join("\n"));
  assert.deepEqual(
    await problems(`  - name: d
    metric: lag
    kind: anomaly
    above: 4
`),
    [
      "21:11 alerts[0].kind: kind anomaly compares windows of an aggregation; a metric rule " +
      "takes kind: threshold (write aggregation: instead of metric:, or remove kind:)",
    ],
  );
  assert.match(found[0]!, /alerts\[0\]\.name: alert 'a' needs above: or below:/);
  assert.match(found[1]!, /alerts\[1\]\.name: alert 'b' needs exactly one of aggregation:/);
  assert.match(
    found[2]!,
    /alerts\[2\]\.key: statuses's rows are keyed by status: write key: as one status/,
  );
});

Deno.test("--check shows notifiers, rules and the alert tables", async () => {
  const pipeline = await loadPipelineText(
    `${BASE}alerts:
  - name: server_errors
    aggregation: statuses
    key: "500"
    value: count
    kind: change
    against: week_before
    above: 2
    for: 5m
  - name: lag
    metric: lag
    above: 10000
    severity: critical
`,
    file,
    {},
  );
  const plan = describePlan(pipeline);
  assert.ok(plan.includes("\nNotifiers\n  ops  stdout\n"));
  const lines = plan.split("\n").map((line) => line.replace(/ +/g, " ").trim());
  assert.ok(lines.includes(
    "server_errors warning count of 500 in statuses above 2 times the week before window for 5m -> ops",
  ));
  assert.ok(lines.includes("lag critical lag of each source above 10000 at once -> ops"));
  assert.match(plan, /alert_outbox +notifications not yet delivered/);
});
