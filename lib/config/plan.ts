/**
 * The `--check` report: what a validated pipeline will read, compute, write and when.
 *
 * @module
 */
import { nextFireTimes } from "./cron.ts";
import type { Pipeline } from "./pipeline.ts";
import { describeWindows } from "./windows.ts";
import { formatDuration } from "../parse/duration.ts";

/**
 * Renders a validated pipeline as plain, aligned text: sources and their topics, which
 * aggregation reads which source with which window and writes which sinks, the Kafka topics
 * and Cassandra tables written, and each schedule with its next fire times (UTC).
 *
 * @param pipeline A pipeline from `loadPipeline`.
 * @param now Reference instant for the next fire times (default: now).
 * @returns Multi-line text ending with a newline.
 */
export function describePlan(pipeline: Pipeline, now: Date = new Date()): string {
  const { kafka, cassandra, runtime } = pipeline;
  const keyspace = cassandra.keyspace;
  const replication = cassandra.replication.class === "SimpleStrategy"
    ? `SimpleStrategy, replication_factor ${cassandra.replication.replication_factor}`
    : `NetworkTopologyStrategy, ${
      Object.entries(cassandra.replication.datacenters).map(([dc, n]) => `${dc}: ${n}`).join(", ")
    }`;
  const lines: string[] = [`Pipeline ${pipeline.file}`];
  lines.push(
    ...indent(align([
      ["Kafka", `${kafka.brokers.join(", ")} (client id ${kafka.clientId})`],
      [
        "Cassandra",
        `${cassandra.contactPoints.join(", ")} (data center ${cassandra.localDataCenter})`,
      ],
      ["keyspace", `${keyspace} (${replication})`],
      ["time zone", runtime.timeZone],
      ["flush", `every ${runtime.flushIntervalMs} ms`],
      ["allowed lateness", formatDuration(runtime.allowedLatenessMs)],
      ["flush size", `up to ${runtime.maxPendingKeys} changed keys, then reading waits`],
      [
        "state in memory",
        runtime.stateMemoryKeys === undefined
          ? "every key of the open windows (runtime.state_memory_keys unset)"
          : `up to ${runtime.stateMemoryKeys} keys, then idle keys spill to ${
            runtime.stateDir ?? "the temporary directory"
          }`,
      ],
      ["consumer group", runtime.consumerGroup],
      ["http", describeHttp(pipeline)],
    ])),
  );

  const topicsWritten: string[][] = [];
  const sourceRows = pipeline.sources.map((source) => {
    const fed = source.plugin.feedsTopic?.(source.options);
    const topics = (source.plugin.topics?.(source.options) ?? []).map((spec) => spec.topic);
    if (fed !== undefined) topicsWritten.push([fed, `source ${source.name}`]);
    const role = fed !== undefined
      ? `feeds Kafka topic ${fed}`
      : topics.length > 0
      ? `uses Kafka topic${topics.length === 1 ? "" : "s"} ${topics.join(", ")}`
      : "";
    return [source.name, source.pluginRef, role];
  });
  lines.push("", "Sources", ...indent(align(sourceRows)));
  if (pipeline.transforms.length > 0) {
    const transformRows = pipeline.transforms.map((entry, index) => [
      `${index + 1}.`,
      entry.name,
      entry.pluginRef,
    ]);
    lines.push("", "Transforms (each record, in this order, before log)");
    lines.push(...indent(align(transformRows)));
  }

  const writers = new Map<string, string[]>();
  const aggregationRows = pipeline.aggregations.map((entry) => {
    for (const sink of entry.sinks) writers.set(sink, [...(writers.get(sink) ?? []), entry.name]);
    const sinks = entry.sinks.length > 0 ? `-> ${entry.sinks.join(", ")}` : "-> (no sinks)";
    return [
      entry.name,
      entry.pluginRef,
      entry.where === undefined ? `reads ${entry.source}` : `reads ${entry.source} (where:)`,
      entry.window.unit === "none" ? "all time" : `per ${entry.window.size}`,
      sinks,
    ];
  });
  lines.push("", "Aggregations", ...indent(align(aggregationRows)));

  const tablesWritten: string[][] = [[`${keyspace}.${runtime.logTable}`, "every valid record"]];
  const sinkRows = pipeline.sinks.map((sink) => {
    const tables = sink.plugin.tables?.(sink.options) ?? [];
    const topics = (sink.plugin.topics?.(sink.options) ?? []).map((spec) => spec.topic);
    for (const table of tables) tablesWritten.push([`${keyspace}.${table}`, `sink ${sink.name}`]);
    for (const topic of topics) topicsWritten.push([topic, `sink ${sink.name}`]);
    const targets = [
      ...tables.map((table) => `table ${keyspace}.${table}`),
      ...topics.map((topic) => `topic ${topic}`),
    ];
    const from = writers.get(sink.name) ?? [];
    return [
      sink.name,
      sink.pluginRef,
      targets.join(", "),
      from.length > 0 ? `<- ${from.join(", ")}` : "(unused)",
    ];
  });
  if (sinkRows.length > 0) lines.push("", "Sinks", ...indent(align(sinkRows)));
  lines.push(...describeAlerts(pipeline, topicsWritten, tablesWritten));
  lines.push("", "Kafka topics written");
  lines.push(...indent(topicsWritten.length > 0 ? align(topicsWritten) : ["(none)"]));
  lines.push("", "Cassandra tables written", ...indent(align(tablesWritten)));

  if (pipeline.schedules.length > 0) {
    const scheduleRows = pipeline.schedules.map((schedule) => [
      schedule.name,
      `"${schedule.cron}"`,
      schedule.aggregations.join(", "),
      describeWindows(schedule.windows),
      `next ${nextFireTimes(schedule.cron, 2, now).map(formatUtc).join(", ")}`,
    ]);
    lines.push("", "Schedules (cron in UTC)", ...indent(align(scheduleRows)));
  }
  return lines.join("\n") + "\n";
}

/**
 * The `Notifiers` and `Alerts` parts of the plan (none without rules or notifiers); adds what
 * they write to `topics` and `tables`.
 */
function describeAlerts(pipeline: Pipeline, topics: string[][], tables: string[][]): string[] {
  if (pipeline.alerts.length === 0 && pipeline.notifiers.length === 0) return [];
  const lines: string[] = [];
  const notifierRows = pipeline.notifiers.map((notifier) => {
    const written = (notifier.plugin.topics?.(notifier.options) ?? []).map((spec) => spec.topic);
    for (const topic of written) topics.push([topic, `notifier ${notifier.name}`]);
    return [notifier.name, notifier.pluginRef, written.map((topic) => `topic ${topic}`).join(", ")];
  });
  if (notifierRows.length > 0) lines.push("", "Notifiers", ...indent(align(notifierRows)));
  const keyspace = pipeline.cassandra.keyspace;
  tables.push([`${keyspace}.alert_state`, "alert states"]);
  tables.push([`${keyspace}.alert_outbox`, "notifications not yet delivered"]);
  const ruleRows = pipeline.alerts.map((rule) => {
    const { subject, condition } = rule;
    const what = subject.kind === "metric"
      ? `${subject.metric} of ${subject.source ?? "each source"}`
      : `${subject.value}${subject.key === undefined ? "" : ` of ${subject.key}`} in ` +
        subject.aggregation;
    const limits = [
      condition.above === undefined ? "" : `above ${condition.above}`,
      condition.below === undefined ? "" : `below ${condition.below}`,
    ].filter((text) => text !== "").join(" or ");
    const how = condition.kind === "threshold"
      ? limits
      : condition.kind === "change"
      ? `${limits} times the ${condition.against.replace("_", " ")} window`
      : `score ${limits} against ${condition.windows} windows`;
    return [
      rule.name,
      rule.severity,
      what,
      how,
      rule.forMs > 0 ? `for ${formatDuration(rule.forMs)}` : "at once",
      `-> ${rule.notify.length > 0 ? rule.notify.join(", ") : "(no notifiers)"}`,
    ];
  });
  if (ruleRows.length > 0) lines.push("", "Alerts", ...indent(align(ruleRows)));
  return lines;
}

/** Pads each column to its widest cell; trailing empty cells are dropped. */
function align(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")
      .trimEnd()
  );
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

function describeHttp({ http }: Pipeline): string {
  const host = http.hostname.includes(":") ? `[${http.hostname}]` : http.hostname;
  const guard = http.token === undefined
    ? "loopback, no token"
    : `token from ${http.tokenEnv} required but on /health`;
  return `http://${host}:${http.port}/ (dashboard, /api, /health, /ready, /metrics; ${guard})`;
}

function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
