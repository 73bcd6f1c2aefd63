/**
 * Loads pipeline.yaml: parses it, interpolates environment variables, loads every plugin,
 * validates all options and the graph, and reports every problem at once, each with its line
 * and column, before anything connects to Kafka or Cassandra.
 *
 * @example
 * ```ts ignore
 * import { formatIssues, loadPipeline, PipelineError } from "./load.ts";
 * try {
 *   const pipeline = await loadPipeline("pipeline.yaml");
 *   console.log(pipeline.aggregations.map((entry) => entry.name));
 * } catch (error) {
 *   if (error instanceof PipelineError) console.error(formatIssues(error.issues));
 *   else throw error;
 * }
 * ```
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type {
  AggregationPlugin,
  NotifierPlugin,
  PluginDefinition,
  PluginKind,
  SinkPlugin,
  SourcePlugin,
  TransformPlugin,
} from "../contracts.ts";
import { compileCondition } from "../conditions/condition.ts";
import { withWhere } from "../conditions/where.ts";
import { readDocument } from "./document.ts";
import { checkGraph, type ListSection, type LoadedEntry } from "./graph.ts";
import {
  type ConfigIssue,
  formatIssues,
  formatPath,
  type PathSegment,
  PipelineError,
  sortIssues,
} from "./issues.ts";
import type { AggregationEntry, Pipeline } from "./pipeline.ts";
import type { z } from "zod";
import { resolvePlugin } from "./resolve_plugin.ts";
import { httpSchema, toHttpSettings } from "./http.ts";
import {
  aggregationSchema,
  cassandraSchema,
  entrySchema,
  kafkaSchema,
  runtimeSchema,
  scheduleSchema,
  SECTIONS,
  toCassandraSettings,
  toKafkaSettings,
  toRuntimeSettings,
} from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import { describeValue, type Report, validateAt } from "./zod_issues.ts";
import { errorText } from "../errors.ts";
import { explainCqlIdentifier, isCqlIdentifier } from "./identifiers.ts";
import { keyColumns } from "../result_keys.ts";
import { alertRuleSchema, compileAlertRules } from "./alerts.ts";

export { type ConfigIssue, formatIssues, PipelineError };

type Env = Record<string, string | undefined>;

/**
 * Reads and validates a pipeline file.
 *
 * @param path Path of pipeline.yaml; plugin paths resolve relative to its folder.
 * @param env Variables for `${VAR}` interpolation (default: the process environment).
 * @returns The validated pipeline.
 * @throws {PipelineError} With every problem found, when the file is not valid.
 */
export async function loadPipeline(path: string, env?: Env): Promise<Pipeline> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new PipelineError([
      {
        file: path,
        line: 1,
        column: 1,
        path: "",
        message: `cannot read file: ${errorText(error, { firstLine: true })}`,
      },
    ]);
  }
  return await loadPipelineText(text, path, env);
}

/**
 * Validates pipeline.yaml text.
 *
 * @param text File contents.
 * @param file Path reported in issues; plugin paths resolve relative to its folder.
 * @param env Variables for `${VAR}` interpolation (default: the process environment).
 * @returns The validated pipeline.
 * @throws {PipelineError} With every problem found, when the text is not valid.
 */
export async function loadPipelineText(text: string, file: string, env?: Env): Promise<Pipeline> {
  const variables = env ?? Deno.env.toObject();
  const document = readDocument(text, file, variables);
  if (!document.ok) throw new PipelineError(document.issues);

  const issues: ConfigIssue[] = [];
  // A scalar whose variable is unset is reported once, not again as an invalid value.
  const unsetPaths = new Set(document.missingVariables.map(({ path }) => formatPath(path)));
  const report: Report = (path, message, target) => {
    if (unsetPaths.has(formatPath(path)) && !message.startsWith("environment variable")) return;
    const { line, column } = document.locate(path, target);
    issues.push({ file, line, column, path: formatPath(path), message });
  };
  for (const { path, variable } of document.missingVariables) {
    report(
      path,
      `environment variable ${variable} is not set and has no default (\${${variable}:-default})`,
    );
  }

  const root = readRoot(document.data, report);
  const kafka = validateAt(kafkaSchema(variables), root.kafka ?? {}, ["kafka"], report);
  const cassandra = validateAt(
    cassandraSchema(variables),
    root.cassandra ?? {},
    ["cassandra"],
    report,
  );
  const runtime = validateAt(runtimeSchema, root.runtime ?? {}, ["runtime"], report);
  const http = validateAt(httpSchema(variables), root.http ?? {}, ["http"], report);

  const items: Record<ListSection, unknown[]> = {
    sources: readList(root, "sources", report, true),
    transforms: readList(root, "transforms", report, false),
    aggregations: readList(root, "aggregations", report, true).map((item, index) =>
      withoutGranularity(item, index, report)
    ),
    sinks: readList(root, "sinks", report, false),
    schedules: readList(root, "schedules", report, false),
    notifiers: readList(root, "notifiers", report, false),
  };
  const alertItems = readList(root, "alerts", report, false);
  const pipelineDir = pathToFileURL(resolve(dirname(file)) + "/");
  const [sources, transforms, aggregations, sinks, notifiers] = await Promise.all([
    loadSection<SourcePlugin, EntryFields>(entrySchema, "source", "sources"),
    loadSection<TransformPlugin, EntryFields>(entrySchema, "transform", "transforms"),
    loadSection<AggregationPlugin, AggregationFields>(
      aggregationSchema,
      "aggregation",
      "aggregations",
    ),
    loadSection<SinkPlugin, EntryFields>(entrySchema, "sink", "sinks"),
    loadSection<NotifierPlugin, EntryFields>(entrySchema, "notifier", "notifiers"),
  ]);
  const schedules = items.schedules.flatMap((item, index) => {
    const schedule = validateAt(scheduleSchema, item, ["schedules", index], report);
    return schedule ? [{ index, schedule }] : [];
  });

  const aggregationEntries = buildAggregations(complete(aggregations), report);

  checkGraph({
    items,
    sources: complete(sources).map(toLoadedEntry),
    sinks: complete(sinks).map(toLoadedEntry),
    aggregations: items.aggregations.map((item, index) => ({
      index,
      name: stringAt(item, "name") ?? `aggregations[${index}]`,
      source: stringAt(item, "source"),
      sinks: stringsAt(item, "sinks"),
    })),
    schedules: items.schedules.map((item, index) => ({
      index,
      aggregations: stringsAt(item, "aggregations"),
    })),
    logTable: runtime?.log_table,
  }, report);

  const alerts = loadAlerts(alertItems, {
    aggregations: aggregationEntries,
    sources: complete(sources).filter((entry) => !entry.plugin.feedsTopic?.(entry.options))
      .map((entry) => entry.fields.name),
    notifiers: items.notifiers.flatMap((item) => stringAt(item, "name") ?? []),
  }, report);

  if (issues.length > 0 || !kafka || !cassandra || !runtime || !http) {
    throw new PipelineError(sortIssues(issues));
  }
  return {
    file,
    kafka: toKafkaSettings(kafka),
    cassandra: toCassandraSettings(cassandra),
    runtime: toRuntimeSettings(runtime),
    http: toHttpSettings(http, variables),
    sources: complete(sources).map(toEntry),
    transforms: complete(transforms).map(toEntry),
    aggregations: aggregationEntries,
    sinks: complete(sinks).map(toEntry),
    schedules: schedules.map(({ schedule }) => schedule),
    notifiers: complete(notifiers).map(toEntry),
    alerts,
  };

  /** Validates a list section's items and loads their plugins and options. */
  async function loadSection<P extends PluginDefinition, T extends EntryFields>(
    schema: z.ZodType<T>,
    kind: PluginKind,
    section: ListSection,
  ): Promise<PartialEntry<P, T>[]> {
    const entries = await Promise.all(items[section].map(async (item, index) => {
      const fields = validateAt(schema, item, [section, index], report);
      if (fields) return await loadEntry<P, T>(kind, section, index, fields, pipelineDir, report);
      // Still check the plugin and its options, so every problem shows up in one run.
      const partial = readablePart(item);
      if (partial) await loadEntry(kind, section, index, partial, pipelineDir, report);
      return undefined;
    }));
    return entries.filter((entry) => entry !== undefined);
  }
}

/**
 * Builds each loaded aggregation (wrapped by its `where:`), checking its result columns are CQL
 * identifiers; a plugin that rejects its options is reported, not built.
 */
function buildAggregations(
  loaded: ReturnType<typeof complete<AggregationPlugin, AggregationFields>>,
  report: Report,
): AggregationEntry[] {
  return loaded.flatMap((entry): AggregationEntry[] => {
    try {
      const created = entry.plugin.create(entry.options);
      const where = entry.fields.where;
      const aggregation = where === undefined
        ? created
        : withWhere(created, compileCondition(where));
      for (const column of [...keyColumns(aggregation.shape), ...aggregation.shape.values]) {
        if (!isCqlIdentifier(column.name)) {
          report(
            ["aggregations", entry.index, "plugin"],
            `plugin '${entry.plugin.name}' declares result column ${
              JSON.stringify(column.name)
            }: ` +
              `${explainCqlIdentifier(column.name)}; rename the column in the plugin's shape`,
          );
        }
      }
      return [{
        ...toEntry(entry),
        source: entry.fields.source,
        sinks: entry.fields.sinks,
        window: entry.fields.window,
        aggregation,
        ...(where === undefined ? {} : { where }),
      }];
    } catch (error) {
      report(
        ["aggregations", entry.index, "options"],
        `plugin '${entry.fields.plugin}' rejected these options: ${
          errorText(error, { firstLine: true })
        }`,
      );
      return [];
    }
  });
}

/** Validates and compiles `alerts:` against the aggregations, sources and notifiers named. */
function loadAlerts(
  items: unknown[],
  names: { aggregations: AggregationEntry[]; sources: string[]; notifiers: string[] },
  report: Report,
) {
  const rules = items.flatMap((item, index) => {
    const fields = validateAt(alertRuleSchema, item, ["alerts", index], report);
    return fields ? [{ index, fields }] : [];
  });
  return compileAlertRules(rules, {
    aggregations: new Map(names.aggregations.map((entry) => [
      entry.name,
      { shape: entry.aggregation.shape, windowed: entry.window.unit !== "none" },
    ])),
    sources: names.sources,
    notifiers: names.notifiers,
  }, report);
}

/** An entry of the `Pipeline`, generic over the plugin type. */
interface Entry<P> {
  name: string;
  plugin: P;
  pluginRef: string;
  options: unknown;
}

/** Structure shared by sources, aggregations and sinks. */
type EntryFields = z.output<typeof entrySchema>;

/** Structure of an aggregation. */
type AggregationFields = z.output<typeof aggregationSchema>;

/** An entry as far as it loaded: structure always, plugin and options when valid. */
interface PartialEntry<P, T extends EntryFields> {
  index: number;
  fields: T;
  plugin?: P;
  options?: unknown;
}

/** An entry whose plugin loaded and whose options are valid. */
type CompleteEntry<P, T extends EntryFields> = PartialEntry<P, T> & { plugin: P };

/** Resolves an entry's plugin and validates its options with the plugin's schema. */
async function loadEntry<P extends PluginDefinition, T extends EntryFields>(
  kind: PluginKind,
  section: ListSection,
  index: number,
  fields: T,
  pipelineDir: URL,
  report: Report,
): Promise<PartialEntry<P, T>> {
  const resolution = await resolvePlugin(fields.plugin, kind, pipelineDir);
  if (!resolution.ok) {
    report([section, index, "plugin"], resolution.message);
    return { index, fields };
  }
  const plugin = resolution.plugin as P;
  const at: PathSegment[] = [section, index, "options"];
  const parsed = validateAt(plugin.options, fields.options ?? {}, at, report);
  return parsed === undefined ? { index, fields } : { index, fields, plugin, options: parsed };
}

function complete<P, T extends EntryFields>(
  entries: PartialEntry<P, T>[],
): CompleteEntry<P, T>[] {
  return entries.filter((entry): entry is CompleteEntry<P, T> => entry.plugin !== undefined);
}

function toEntry<P, T extends EntryFields>(entry: CompleteEntry<P, T>): Entry<P> {
  return {
    name: entry.fields.name,
    plugin: entry.plugin,
    pluginRef: entry.fields.plugin,
    options: entry.options,
  };
}

function toLoadedEntry<P, T extends EntryFields>(entry: CompleteEntry<P, T>): LoadedEntry<P> {
  return {
    index: entry.index,
    name: entry.fields.name,
    plugin: entry.plugin,
    options: entry.options,
    rawOptions: entry.fields.options,
  };
}

/** A string field of an item as written, if it is a string. */
function stringAt(item: unknown, key: string): string | undefined {
  const value = (item as Record<string, unknown> | null)?.[key];
  return typeof value === "string" ? value : undefined;
}

/** A list-of-strings field of an item as written; non-strings become undefined. */
function stringsAt(item: unknown, key: string): (string | undefined)[] {
  const value = (item as Record<string, unknown> | null)?.[key];
  return Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : undefined)) : [];
}

/** The plugin and options of an entry whose other fields are invalid, when they are readable. */
function readablePart(item: unknown): EntryFields | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const { plugin, options } = item as Record<string, unknown>;
  if (typeof plugin !== "string") return undefined;
  if (options !== undefined && options !== null) {
    if (typeof options !== "object" || Array.isArray(options)) return undefined;
  }
  return { name: "", plugin, options: options as Record<string, unknown> | null | undefined };
}

/** What an old `granularity:` value is called as a `window:` size. */
const GRANULARITY_WINDOWS: Record<string, string> = { hour: "1h", day: "1d" };

/**
 * Reports a `granularity:` (in the aggregation or its options) with its replacement, and
 * returns the item without it, so it is not reported again as an unknown key.
 */
function withoutGranularity(item: unknown, index: number, report: Report): unknown {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
  const entry = { ...(item as Record<string, unknown>) };
  const explain = (value: unknown) => {
    const size = typeof value === "string" ? GRANULARITY_WINDOWS[value] : undefined;
    return `'granularity' is gone: windows are set per aggregation with window: (1m..1w or ` +
      `none); write ${size ? `window: ${size}` : "window: 1h or window: 1d"} on ` +
      `aggregations[${index}] instead`;
  };
  if ("granularity" in entry) {
    report(["aggregations", index, "granularity"], explain(entry.granularity), "key");
    delete entry.granularity;
  }
  const options = entry.options;
  if (typeof options === "object" && options !== null && "granularity" in options) {
    const rest = { ...(options as Record<string, unknown>) };
    report(["aggregations", index, "options", "granularity"], explain(rest.granularity), "key");
    delete rest.granularity;
    entry.options = rest;
  }
  return entry;
}

/** The top-level mapping; reports a non-mapping file and unknown sections. */
function readRoot(data: unknown, report: Report): Record<string, unknown> {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    report(
      [],
      `expected a mapping with sources: and aggregations: sections, found ${describeValue(data)}`,
    );
    return {};
  }
  const root = data as Record<string, unknown>;
  for (const key of Object.keys(root)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      const suggestion = didYouMean(key, SECTIONS);
      report(
        [key],
        `unknown section '${key}'${suggestion || `; expected one of ${SECTIONS.join(", ")}`}`,
        "key",
      );
    }
  }
  return root;
}

/** A list section's items; reports a non-list, and an empty required section. */
function readList(
  root: Record<string, unknown>,
  section: ListSection | "alerts",
  report: Report,
  required: boolean,
): unknown[] {
  const value = root[section];
  if (value !== undefined && value !== null && !Array.isArray(value)) {
    report([section], `expected a list of ${section}, found ${describeValue(value)}`);
    return [];
  }
  const items = value ?? [];
  if (required && items.length === 0) {
    const singular = section === "sources" ? "source" : "aggregation";
    report([section], `expected at least one ${singular}, found none`);
  }
  return items;
}
