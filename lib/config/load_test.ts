import assert from "assert";
import { writeFixturePlugins } from "./_fixture_plugins.ts";
import {
  type ConfigIssue,
  formatIssues,
  loadPipeline,
  loadPipelineText,
  PipelineError,
} from "./load.ts";
import type { LogRecord } from "../records.ts";

const dir = await writeFixturePlugins();
const file = `${dir}/pipeline.yaml`;

/** The issues loading `yaml` raises, as `line:col path: message` strings. */
async function problems(yaml: string, env: Record<string, string> = {}): Promise<string[]> {
  return (await issuesOf(yaml, env)).map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
}

async function issuesOf(yaml: string, env: Record<string, string> = {}): Promise<ConfigIssue[]> {
  try {
    await loadPipelineText(yaml, file, env);
  } catch (error) {
    if (error instanceof PipelineError) return error.issues;
    throw error;
  }
  throw new Error("expected a PipelineError");
}

// A valid pipeline; tests below break one line of it at a time.
const VALID = `kafka:
  brokers: ["\${KAFKA_BROKERS:-127.0.0.1:9092}"]
runtime:
  flush_interval_ms: \${FLUSH_MS:-500}
sources:
  - name: simulator
    plugin: ./source.ts
    options: { rate: 100, to_topic: RAWLOG }
  - name: rawlog
    plugin: ./source.ts
    options: { topic: RAWLOG }
aggregations:
  - name: top_pages_daily
    plugin: top_pages
    source: rawlog
    sinks: [results, results_topic]
    options: { n: 10 }
  - name: statuses
    plugin: status_counts
    source: rawlog
    sinks: [status_table]
sinks:
  - name: results
    plugin: ./table_sink.ts
    options: { table: results }
  - name: status_table
    plugin: ./table_sink.ts
    options: { table: statuses }
  - name: results_topic
    plugin: ./topic_sink.ts
    options: { topic: RESULTS }
schedules:
  - name: nightly
    cron: "15 0 * * *"
    aggregations: [top_pages_daily]
    windows: yesterday
`;

/** VALID with its 1-based line `line` replaced by `text`. */
function withLine(line: number, text: string): string {
  const lines = VALID.split("\n");
  lines[line - 1] = text;
  return lines.join("\n");
}

Deno.test("a valid pipeline loads with defaults, interpolation and built aggregations", async () => {
  const pipeline = await loadPipelineText(VALID, file, { KAFKA_BROKERS: "k1:9092, k2:9092" });
  assert.deepEqual(pipeline.kafka, { brokers: ["k1:9092", "k2:9092"], clientId: "web-analytics" });
  assert.deepEqual(pipeline.cassandra, {
    contactPoints: ["127.0.0.1:9042"],
    localDataCenter: "datacenter1",
    keyspace: "web_analytics",
    replication: { class: "SimpleStrategy", replication_factor: 1 },
    consistency: "local_quorum",
  });
  assert.deepEqual(pipeline.runtime, {
    timeZone: "UTC",
    flushIntervalMs: 500,
    allowedLatenessMs: 2 * 86_400_000,
    maxPendingKeys: 200_000,
    consumerGroup: "web-analytics",
    logTable: "log",
  });
  assert.deepEqual(pipeline.sources.map((s) => [s.name, s.pluginRef, s.plugin.name]), [
    ["simulator", "./source.ts", "fixture_source"],
    ["rawlog", "./source.ts", "fixture_source"],
  ]);
  const [topPages, statuses] = pipeline.aggregations;
  assert.equal(topPages?.plugin.name, "top_pages");
  assert.deepEqual(topPages?.sinks, ["results", "results_topic"]);
  assert.deepEqual(topPages?.aggregation.shape.key, { name: "page_url", type: "text" });
  assert.deepEqual(statuses?.options, {});
  assert.equal(statuses?.window.size, "1d");
  assert.deepEqual(pipeline.schedules, [
    {
      name: "nightly",
      cron: "15 0 * * *",
      aggregations: ["top_pages_daily"],
      windows: { kind: "yesterday" },
    },
  ]);
});

Deno.test("broken YAML is reported at the parser's position", async () => {
  const issues = await issuesOf("sources:\n  - name: a\n    plugin: [x\naggregations: []\n");
  assert.equal(issues.length >= 1, true);
  assert.equal(issues[0]?.line, 4);
  assert.equal(issues[0]?.column, 1);
  assert.match(issues[0]?.message ?? "", /^invalid YAML: /);
  assert.equal(
    (await issuesOf("a: 1\na: 2\n"))[0]?.message.startsWith(
      "invalid YAML: Map keys must be unique",
    ),
    true,
  );
});

Deno.test("unknown bare plugin names suggest the closest plugin", async () => {
  assert.deepEqual(await problems(withLine(14, "    plugin: top_page")), [
    "14:13 aggregations[0].plugin: unknown aggregation plugin 'top_page' (did you mean 'top_pages'?)",
  ]);
});

Deno.test("plugin files must exist, load, and be of the section's kind", async () => {
  assert.deepEqual(await problems(withLine(24, "    plugin: top_pages")), [
    "24:13 sinks[0].plugin: plugin 'top_pages' is an aggregation plugin, but this section " +
    "needs a sink plugin",
  ]);
  assert.deepEqual(await problems(withLine(24, "    plugin: ./missing.ts")), [
    `24:13 sinks[0].plugin: plugin file not found: ${dir}/missing.ts`,
  ]);
  assert.deepEqual(await problems(withLine(24, "    plugin: ./broken.ts")), [
    `24:13 sinks[0].plugin: cannot load plugin './broken.ts' (${dir}/broken.ts): boom at import`,
  ]);
  assert.deepEqual(await problems(withLine(24, "    plugin: ./not_a_plugin.ts")), [
    `24:13 sinks[0].plugin: plugin './not_a_plugin.ts' (${dir}/not_a_plugin.ts) has no ` +
    "default export plugin definition",
  ]);
});

Deno.test("wrong option types say what was expected and found", async () => {
  assert.deepEqual(
    await problems(withLine(17, '    options: { exclude_bots: 1, n: "10" }')),
    [
      "17:30 aggregations[0].options.exclude_bots: expected true or false, found 1",
      '17:36 aggregations[0].options.n: expected a number, found "10"',
    ],
  );
  assert.deepEqual(await problems(withLine(17, "    options: { n: 2.5 }")), [
    "17:19 aggregations[0].options.n: expected an integer, found 2.5",
  ]);
  assert.deepEqual(await problems(withLine(17, "    options: { n: 0 }")), [
    "17:19 aggregations[0].options.n: expected a number >= 1, found 0",
  ]);
  assert.deepEqual(await problems(withLine(4, "  flush_interval_ms: fast")), [
    '4:22 runtime.flush_interval_ms: expected a number, found "fast"',
  ]);
});

Deno.test("a missing required option points at options:", async () => {
  assert.deepEqual(await problems(withLine(25, "    options: { ttl_days: 3 }")), [
    "25:5 sinks[0].options.table: expected a string, found nothing (missing required key)",
  ]);
  // With no options: block at all, the issue points at the entry.
  const lines = VALID.split("\n");
  lines.splice(24, 1);
  assert.deepEqual(await problems(lines.join("\n")), [
    "23:5 sinks[0].options.table: expected a string, found nothing (missing required key)",
  ]);
});

Deno.test("unknown keys are errors everywhere, with did-you-mean", async () => {
  assert.deepEqual(await problems(withLine(17, "    options: { strip_qery: true }")), [
    "17:16 aggregations[0].options.strip_qery: unknown key 'strip_qery' (did you mean " +
    "'strip_query'?)",
  ]);
  assert.deepEqual(await problems(withLine(16, "    sink: [results, results_topic]")), [
    "16:5 aggregations[0].sink: unknown key 'sink' (did you mean 'sinks'?)",
  ]);
  assert.deepEqual(await problems(withLine(3, "runtme:")), [
    "3:1 runtme: unknown section 'runtme' (did you mean 'runtime'?)",
  ]);
  assert.deepEqual(await problems(withLine(4, "  flush_interval: 500")), [
    "4:3 runtime.flush_interval: unknown key 'flush_interval' (did you mean 'flush_interval_ms'?)",
  ]);
});

Deno.test("cron expressions must have five valid fields", async () => {
  assert.deepEqual(await problems(withLine(34, '    cron: "15 0 * *"')), [
    "34:11 schedules[0].cron: expected a cron expression with 5 fields (minute hour " +
    'day-of-month month day-of-week), found 4 in "15 0 * *"',
  ]);
  assert.deepEqual(await problems(withLine(34, '    cron: "61 0 * * *"')), [
    '34:11 schedules[0].cron: invalid cron expression "61 0 * * *": Invalid value for minute: 61',
  ]);
});

Deno.test("schedule windows are validated", async () => {
  assert.deepEqual(await problems(withLine(36, "    windows: last_400_days")), [
    "36:14 schedules[0].windows: expected today, yesterday, last_N_days (N 1..366) or " +
    '{ from: YYYY-MM-DD, to: YYYY-MM-DD }, found "last_400_days"',
  ]);
  assert.deepEqual(
    await problems(withLine(36, "    windows: { from: 2026-02-30, to: 2026-03-01 }")),
    [
      '36:22 schedules[0].windows.from: expected a date YYYY-MM-DD, found "2026-02-30"',
    ],
  );
  const pipeline = await loadPipelineText(withLine(36, "    windows: last_7_days"), file, {});
  assert.deepEqual(pipeline.schedules[0]?.windows, { kind: "last_days", days: 7 });
});

Deno.test("duplicate names are reported at the second one", async () => {
  // Renaming rawlog to simulator also leaves the aggregations reading a now-unknown source.
  assert.deepEqual(await problems(withLine(9, "  - name: simulator")), [
    "9:11 sources[1].name: duplicate source name 'simulator' (already used by sources[0])",
    "15:13 aggregations[0].source: unknown source 'rawlog'; defined: simulator",
    "20:13 aggregations[1].source: unknown source 'rawlog'; defined: simulator",
  ]);
  assert.deepEqual(await problems(withLine(29, "  - name: results")), [
    "16:22 aggregations[0].sinks[1]: unknown sink 'results_topic'; defined: results, status_table",
    "29:11 sinks[2].name: duplicate sink name 'results' (already used by sinks[0])",
  ]);
});

Deno.test("dangling references to sources, sinks and aggregations", async () => {
  assert.deepEqual(await problems(withLine(15, "    source: raw_log")), [
    "15:13 aggregations[0].source: unknown source 'raw_log' (did you mean 'rawlog'?)",
  ]);
  assert.deepEqual(await problems(withLine(16, "    sinks: [result, results_topic]")), [
    "16:13 aggregations[0].sinks[0]: unknown sink 'result' (did you mean 'results'?)",
  ]);
  assert.deepEqual(await problems(withLine(35, "    aggregations: [top_pages_dayly]")), [
    "35:20 schedules[0].aggregations[0]: unknown aggregation 'top_pages_dayly' (did you mean " +
    "'top_pages_daily'?)",
  ]);
});

Deno.test("an aggregation may not read a source that feeds a Kafka topic", async () => {
  assert.deepEqual(await problems(withLine(15, "    source: simulator")), [
    "15:13 aggregations[0].source: source 'simulator' feeds Kafka topic RAWLOG, read it " +
    "through a kafka source on that topic",
  ]);
});

Deno.test("a Cassandra table sink takes one aggregation, each table once", async () => {
  assert.deepEqual(await problems(withLine(21, "    sinks: [results]")), [
    "21:13 aggregations[1].sinks[0]: sink 'results' writes Cassandra table 'results', which " +
    "already receives aggregation 'top_pages_daily'; give each aggregation its own table sink",
  ]);
  assert.deepEqual(await problems(withLine(28, "    options: { table: results }")), [
    "28:23 sinks[1].options.table: Cassandra table 'results' is already written by sink 'results'",
  ]);
  assert.deepEqual(await problems(withLine(28, "    options: { table: log }")), [
    "28:23 sinks[1].options.table: Cassandra table 'log' is already written by runtime.log_table",
  ]);
});

Deno.test("table, keyspace and topic names are validated", async () => {
  assert.deepEqual(await problems(withLine(25, '    options: { table: "drop table;x" }')), [
    "25:23 sinks[0].options.table: invalid table name: expected a CQL identifier (lower case " +
    'letter, then up to 47 lower case letters, digits or _), found "drop table;x"',
  ]);
  assert.deepEqual(await problems(withLine(31, '    options: { topic: "RESULTS;1" }')), [
    "31:23 sinks[2].options.topic: expected a Kafka topic name (1..249 of A-Z a-z 0-9 . _ -), " +
    'found "RESULTS;1"',
  ]);
  assert.deepEqual(await problems(`cassandra:\n  keyspace: select\n${VALID}`), [
    '2:13 cassandra.keyspace: "select" is a reserved CQL word',
  ]);
  assert.deepEqual(await problems(withLine(6, "  - name: Simulator")), [
    "6:11 sources[0].name: expected a name of lower case letters, digits and _ starting with a " +
    'letter (at most 48), found "Simulator"',
  ]);
});

Deno.test("result columns a plugin declares must be CQL identifiers", async () => {
  assert.deepEqual(
    await problems(
      withLine(14, "    plugin: ./bad_columns.ts").replace(
        "    options: { n: 10 }\n",
        "",
      ),
    ),
    [
      "14:13 aggregations[0].plugin: plugin 'bad_columns' declares result column \"select\": " +
      '"select" is a reserved CQL word; rename the column in the plugin\'s shape',
      "14:13 aggregations[0].plugin: plugin 'bad_columns' declares result column \"Visits\": " +
      "expected a CQL identifier (lower case letter, then up to 47 lower case letters, digits or " +
      '_), found "Visits"; rename the column in the plugin\'s shape',
    ],
  );
});

Deno.test("interpolation: defaults apply, unset variables without default are errors", async () => {
  const pipeline = await loadPipelineText(VALID, file, {});
  assert.deepEqual(pipeline.kafka.brokers, ["127.0.0.1:9092"]);
  assert.equal(pipeline.runtime.flushIntervalMs, 500);
  const fromEnv = await loadPipelineText(VALID, file, { FLUSH_MS: "2000" });
  assert.equal(fromEnv.runtime.flushIntervalMs, 2000);
  assert.deepEqual(await problems(withLine(25, '    options: { table: "${RESULTS_TABLE}" }')), [
    "25:23 sinks[0].options.table: environment variable RESULTS_TABLE is not set and has no " +
    "default (${RESULTS_TABLE:-default})",
  ]);
  const set = await loadPipelineText(
    withLine(25, '    options: { table: "${RESULTS_TABLE}" }'),
    file,
    { RESULTS_TABLE: "daily_top" },
  );
  assert.deepEqual(set.sinks[0]?.options, { table: "daily_top" });
});

Deno.test("sources and aggregations are required", async () => {
  assert.deepEqual(await problems("sinks: []\n"), [
    "1:1 sources: expected at least one source, found none",
    "1:1 aggregations: expected at least one aggregation, found none",
  ]);
  assert.deepEqual(await problems(""), [
    "1:1 : expected a mapping with sources: and aggregations: sections, found an empty value",
    "1:1 sources: expected at least one source, found none",
    "1:1 aggregations: expected at least one aggregation, found none",
  ]);
});

Deno.test("several mistakes are reported at once, in file order", async () => {
  let yaml = withLine(4, "  flush_interval_ms: 10");
  yaml = yaml.replace("plugin: top_pages", "plugin: top_page");
  yaml = yaml.replace(
    "source: rawlog\n    sinks: [status_table]",
    "source: raw\n    sinks: [status]",
  );
  yaml = yaml.replace('cron: "15 0 * * *"', 'cron: "every night"');
  const issues = await issuesOf(yaml);
  assert.deepEqual(issues.map((i) => `${i.line}:${i.column} ${i.path}`), [
    "4:22 runtime.flush_interval_ms",
    "14:13 aggregations[0].plugin",
    "20:13 aggregations[1].source",
    "21:13 aggregations[1].sinks[0]",
    "34:11 schedules[0].cron",
  ]);
  const error = await loadPipelineText(yaml, file, {}).catch((e) => e);
  assert.ok(error instanceof PipelineError);
  assert.ok(error.message.startsWith(`invalid pipeline (5 problems):\n${file}:4:22: runtime`));
  assert.equal(
    formatIssues(error.issues).split("\n")[0],
    `${file}:4:22: runtime.flush_interval_ms: expected a number >= 50, found 10`,
  );
});

Deno.test("adding an aggregation is one file next to pipeline.yaml", async () => {
  const yaml = VALID.replace(
    "sinks:\n",
    "  - name: referrers\n    plugin: ./top_referrers.ts\n    source: rawlog\n" +
      "    options: { n: 2 }\nsinks:\n",
  );
  await Deno.writeTextFile(file, yaml);
  const pipeline = await loadPipeline(file, {});
  const entry = pipeline.aggregations.find((a) => a.name === "referrers");
  assert.ok(entry);
  assert.deepEqual(entry.options, { n: 2 });
  const referrers = ["https://a.example/", "https://b.example/", "https://a.example/", "-"];
  const { aggregation } = entry;
  let state = aggregation.start();
  for (const http_referrer of referrers) state = aggregation.add(state, record({ http_referrer }));
  assert.deepEqual(aggregation.finish(state), [
    { key: "https://a.example/", values: { visits: 2 } },
    { key: "https://b.example/", values: { visits: 1 } },
  ]);
});

Deno.test("loadPipeline reports an unreadable file as an issue", async () => {
  const error = await loadPipeline(`${dir}/nope.yaml`, {}).catch((e) => e);
  assert.ok(error instanceof PipelineError);
  assert.equal(error.issues[0]?.line, 1);
  assert.match(error.issues[0]?.message ?? "", /^cannot read file: /);
});

function record(overrides: Partial<LogRecord>): LogRecord {
  return {
    timestamp: Date.UTC(2026, 0, 1),
    request_uri: "/",
    status: 200,
    body_bytes_sent: 1,
    request_time: 0.001,
    http_referrer: "-",
    http_user_agent: "test",
    remote_addr: "10.0.0.1",
    method: "GET",
    ...overrides,
  };
}

Deno.test("window: takes 1m..1w or none per aggregation, 1d when left out", async () => {
  const lines = VALID.split("\n");
  lines.splice(15, 0, "    window: 5m");
  const pipeline = await loadPipelineText(lines.join("\n"), file, {});
  assert.deepEqual(pipeline.aggregations.map((entry) => entry.window.size), ["5m", "1d"]);
  lines[15] = "    window: 7m";
  assert.deepEqual(await problems(lines.join("\n")), [
    "16:13 aggregations[0].window: expected a window size 1m, 2m, 3m, 4m, 5m, 6m, 10m, 12m, " +
    '15m, 20m, 30m, 1h, 2h, 3h, 4h, 6h, 8h, 12h, 1d, 1w or none, found "7m" (sizes must divide ' +
    "an hour or a day, so windows line up with midnight)",
  ]);
});

Deno.test("an old granularity: says what replaced it, at its own position", async () => {
  assert.deepEqual(await problems(withLine(17, "    options: { granularity: hour, n: 10 }")), [
    "17:16 aggregations[0].options.granularity: 'granularity' is gone: windows are set per " +
    "aggregation with window: (1m..1w or none); write window: 1h on aggregations[0] instead",
  ]);
  const lines = VALID.split("\n");
  lines.splice(15, 0, "    granularity: day");
  assert.deepEqual(await problems(lines.join("\n")), [
    "16:5 aggregations[0].granularity: 'granularity' is gone: windows are set per " +
    "aggregation with window: (1m..1w or none); write window: 1d on aggregations[0] instead",
  ]);
});

Deno.test("runtime.allowed_lateness is a duration, and a wrong one says what it expected", async () => {
  const withLateness = (value: string) =>
    VALID.replace("runtime:\n", `runtime:\n  allowed_lateness: ${value}\n`);
  const pipeline = await loadPipelineText(withLateness("6h"), file, {});
  assert.equal(pipeline.runtime.allowedLatenessMs, 6 * 3_600_000);
  const found = await problems(withLateness("two days"));
  assert.equal(found.length, 1);
  assert.match(found[0]!, /^4:21 runtime\.allowed_lateness: a duration like 90s, 5m, 1h or 3d/);
});

Deno.test("runtime.max_pending_keys sets the flush size, and must be a positive whole number", async () => {
  const withPending = (value: string) =>
    VALID.replace("runtime:\n", `runtime:\n  max_pending_keys: ${value}\n`);
  const pipeline = await loadPipelineText(withPending("400000"), file, {});
  assert.equal(pipeline.runtime.maxPendingKeys, 400_000);
  const found = await problems(withPending("0"));
  assert.equal(found.length, 1);
  assert.match(found[0]!, /^4:21 runtime\.max_pending_keys: expected a number >= 1, found 0/);
});

Deno.test("runtime.max_state_keys, gone with per-key state rows, is refused with what to do", async () => {
  const found = await problems(VALID.replace("runtime:\n", "runtime:\n  max_state_keys: 500000\n"));
  assert.match(
    found[0]!,
    /^4:19 runtime\.max_state_keys: max_state_keys is no longer used .*remove the line/,
  );
});

Deno.test("runtime.log_ttl keeps log rows that long, never shorter than allowed_lateness", async () => {
  const withTtl = (ttl: string, lateness = "2d") =>
    VALID.replace(
      "runtime:\n",
      `runtime:\n  allowed_lateness: ${lateness}\n  log_ttl: ${ttl}\n`,
    );
  assert.equal((await loadPipelineText(VALID, file, {})).runtime.logTtlMs, undefined);
  assert.equal(
    (await loadPipelineText(withTtl("30d"), file, {})).runtime.logTtlMs,
    30 * 86_400_000,
  );
  assert.equal((await loadPipelineText(withTtl("2d"), file, {})).runtime.logTtlMs, 2 * 86_400_000);
  const short = await problems(withTtl("1d"));
  assert.equal(short.length, 1);
  assert.match(
    short[0]!,
    /^5:12 runtime\.log_ttl: log_ttl 1d is shorter than allowed_lateness 2d: .* set log_ttl to at least 2d, or leave it out/,
  );
  const long = await problems(withTtl("8000d"));
  assert.match(long[0]!, /^5:12 runtime\.log_ttl: log_ttl 8000d is longer than Cassandra allows/);
});
