/**
 * Checks that span entries: unique names, references between sections, and what ends up in
 * Kafka and Cassandra (valid topic and table names, one aggregation per table).
 *
 * @module
 */
import type { SinkPlugin, SourcePlugin } from "../contracts.ts";
import { explainCqlIdentifier, isCqlIdentifier, isTopicName } from "./identifiers.ts";
import type { PathSegment } from "./issues.ts";
import { formatPath } from "./issues.ts";
import { didYouMean } from "./suggest.ts";
import { type Report } from "./zod_issues.ts";
import { errorText } from "../errors.ts";

/** The list sections of pipeline.yaml. */
export type ListSection =
  | "sources"
  | "transforms"
  | "aggregations"
  | "sinks"
  | "schedules"
  | "notifiers";

/** A source or sink whose plugin loaded and whose options are valid. */
export interface LoadedEntry<P> {
  /** Position in its section. */
  index: number;
  /** Entry name. */
  name: string;
  /** Loaded plugin. */
  plugin: P;
  /** Validated options. */
  options: unknown;
  /** Options as written, to locate values in the file. */
  rawOptions: unknown;
}

/** What the graph checks look at. */
export interface GraphInput {
  /** Every item of each list section as written (names are read from them). */
  items: Record<ListSection, unknown[]>;
  /** Sources that loaded. */
  sources: LoadedEntry<SourcePlugin>[];
  /** Sinks that loaded. */
  sinks: LoadedEntry<SinkPlugin>[];
  /** Every aggregation's references as written (non-strings are left to the schema). */
  aggregations: {
    index: number;
    name: string;
    source: string | undefined;
    sinks: (string | undefined)[];
  }[];
  /** Every schedule's references as written. */
  schedules: { index: number; aggregations: (string | undefined)[] }[];
  /** The runtime's log table, when valid. */
  logTable: string | undefined;
}

const SINGULAR: Record<ListSection, string> = {
  sources: "source",
  transforms: "transform",
  aggregations: "aggregation",
  sinks: "sink",
  schedules: "schedule",
  notifiers: "notifier",
};

/**
 * Runs every cross-entry check and reports each problem.
 *
 * @param input Entries as far as they loaded; entries that failed earlier are skipped, but
 *   their names still count, so one mistake does not cascade into "unknown name" issues.
 * @param report Receives each problem.
 */
export function checkGraph(input: GraphInput, report: Report): void {
  const names = {} as Record<ListSection, string[]>;
  for (const section of Object.keys(SINGULAR) as ListSection[]) {
    names[section] = checkUniqueNames(section, input.items[section], report);
  }
  const sources = new Map(input.sources.map((source) => [source.name, source]));
  for (const aggregation of input.aggregations) {
    const at: PathSegment[] = ["aggregations", aggregation.index];
    if (aggregation.source !== undefined && !names.sources.includes(aggregation.source)) {
      report([...at, "source"], unknown("source", aggregation.source, names.sources));
    }
    const source = aggregation.source === undefined ? undefined : sources.get(aggregation.source);
    const fed = source && call(() => source.plugin.feedsTopic?.(source.options), report, at);
    if (source && fed) {
      report(
        [...at, "source"],
        `source '${source.name}' feeds Kafka topic ${fed}, read it through a kafka source on ` +
          `that topic`,
      );
    }
    aggregation.sinks.forEach((sink, k) => {
      if (sink !== undefined && !names.sinks.includes(sink)) {
        report([...at, "sinks", k], unknown("sink", sink, names.sinks));
      }
    });
  }
  for (const schedule of input.schedules) {
    schedule.aggregations.forEach((name, k) => {
      if (name !== undefined && !names.aggregations.includes(name)) {
        report(
          ["schedules", schedule.index, "aggregations", k],
          unknown("aggregation", name, names.aggregations),
        );
      }
    });
  }
  checkTables(input, report);
  checkTopics(input, report);
}

/** Reports repeated names; returns every name written in the section. */
function checkUniqueNames(section: ListSection, items: unknown[], report: Report): string[] {
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== "string") return;
    const first = firstIndex.get(name);
    if (first === undefined) firstIndex.set(name, index);
    else {
      report(
        [section, index, "name"],
        `duplicate ${SINGULAR[section]} name '${name}' (already used by ` +
          `${formatPath([section, first])})`,
      );
    }
  });
  return [...firstIndex.keys()];
}

/** Each Cassandra table once, never the log table, fed by at most one aggregation. */
function checkTables(input: GraphInput, report: Report): void {
  const owners = new Map<string, string>();
  if (input.logTable) owners.set(input.logTable, "runtime.log_table");
  const tableSinks = new Map<string, string[]>();
  for (const sink of input.sinks) {
    const at: PathSegment[] = ["sinks", sink.index, "options"];
    const tables = call(() => sink.plugin.tables?.(sink.options), report, at) ?? [];
    if (sink.plugin.tables) tableSinks.set(sink.name, tables);
    for (const table of tables) {
      const path = [...at, ...valuePath(sink.rawOptions, table)];
      const owner = owners.get(table);
      if (!isCqlIdentifier(table)) {
        report(path, `invalid table name: ${explainCqlIdentifier(table)}`);
      } else if (owner) report(path, `Cassandra table '${table}' is already written by ${owner}`);
      else owners.set(table, `sink '${sink.name}'`);
    }
  }
  const feeders = new Map<string, string>();
  for (const aggregation of input.aggregations) {
    aggregation.sinks.forEach((sink, k) => {
      if (sink === undefined) return;
      const tables = tableSinks.get(sink);
      if (!tables || tables.length === 0) return;
      const first = feeders.get(sink);
      if (first === undefined) feeders.set(sink, aggregation.name);
      else if (first !== aggregation.name) {
        report(
          ["aggregations", aggregation.index, "sinks", k],
          `sink '${sink}' writes Cassandra table '${
            tables.join("', '")
          }', which already receives ` +
            `aggregation '${first}'; give each aggregation its own table sink`,
        );
      }
    });
  }
}

/** Every topic a source or sink names must be a legal Kafka topic. */
function checkTopics(input: GraphInput, report: Report): void {
  const entries = [
    ...input.sources.map((entry) => ({ section: "sources", entry })),
    ...input.sinks.map((entry) => ({ section: "sinks", entry })),
  ];
  for (const { section, entry } of entries) {
    const at: PathSegment[] = [section, entry.index, "options"];
    const topics = new Set(
      (call(() => entry.plugin.topics?.(entry.options as never), report, at) ?? [])
        .map((spec) => spec.topic),
    );
    const plugin = entry.plugin;
    if (plugin.kind === "source") {
      const fed = call(() => plugin.feedsTopic?.(entry.options), report, at);
      if (fed !== undefined) topics.add(fed);
    }
    for (const topic of topics) {
      if (!isTopicName(topic)) {
        report(
          [...at, ...valuePath(entry.rawOptions, topic)],
          `expected a Kafka topic name (1..249 of A-Z a-z 0-9 . _ -), found ${
            JSON.stringify(topic)
          }`,
        );
      }
    }
  }
}

/** Path inside `options` of the first string equal to `value`, to point at it in the file. */
function valuePath(options: unknown, value: string): PathSegment[] {
  if (options === value) return [];
  if (typeof options === "object" && options !== null) {
    for (const [key, child] of Object.entries(options)) {
      const inner = valuePath(child, value);
      const segment = Array.isArray(options) ? Number(key) : key;
      if (child === value || inner.length > 0) return [segment, ...inner];
    }
  }
  return [];
}

function unknown(kind: string, name: string, known: string[]): string {
  const suggestion = didYouMean(name, known);
  const list = suggestion || known.length === 0 ? "" : `; defined: ${known.join(", ")}`;
  return `unknown ${kind} '${name}'${suggestion}${list}`;
}

/** Calls a plugin hook, reporting a throw as an issue instead of crashing the check. */
function call<T>(hook: () => T, report: Report, at: PathSegment[]): T | undefined {
  try {
    return hook();
  } catch (error) {
    report(at, `plugin failed on these options: ${errorText(error, { firstLine: true })}`);
    return undefined;
  }
}
