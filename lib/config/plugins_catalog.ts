/**
 * The plugin catalog: every plugin module in `plugins/`, described from its own definition
 * (summary, description and the options schema), for `deno task plugins` and docs/plugins.md.
 *
 * @module
 */
import { z } from "zod";
import type { AggregationPlugin, PluginDefinition } from "../contracts.ts";
import { BUILTIN_PLUGINS_DIR, importPlugin, pluginModules } from "./resolve_plugin.ts";

/** A plugin module that could not be loaded. */
export interface PluginLoadFailure {
  /** Module path within the plugins folder, e.g. `sinks/kafka.ts`. */
  module: string;
  /** Why it failed. */
  message: string;
}

/** One documented option of a plugin. */
export interface OptionDoc {
  /** Key in `options:`. */
  name: string;
  /** Readable type, e.g. `integer 1..1000` or `"hour" | "day"`. */
  type: string;
  /** Whether the key must be given (no default). */
  required: boolean;
  /** Default as YAML-ish text, if any. */
  default?: string;
  /** The option's `.describe()` text. */
  description?: string;
  /** First example from `.meta({ examples })`, as text. */
  example?: string;
}

/**
 * Loads every plugin module of a folder and of its `sources/`, `transforms/`, `aggregations/`,
 * `sinks/` and `notifiers/` subfolders (files not starting with `_`, not tests).
 *
 * @param dir Folder URL ending in `/` (default: the repository's `plugins/`).
 * @param onFailure Called for each module that fails to load; loading continues.
 * @returns Definitions sorted by kind (source, transform, aggregation, sink, notifier), then name.
 */
export async function listPlugins(
  dir: URL = BUILTIN_PLUGINS_DIR,
  onFailure: (failure: PluginLoadFailure) => void = () => {},
): Promise<PluginDefinition[]> {
  const plugins: PluginDefinition[] = [];
  for (const module of await pluginModules(dir)) {
    const resolution = await importPlugin(module.url, module.name);
    if (resolution.ok) plugins.push(resolution.plugin);
    else onFailure({ module: module.path, message: resolution.message });
  }
  const order = { source: 0, transform: 1, aggregation: 2, sink: 3, notifier: 4 };
  return plugins.sort((a, b) => order[a.kind] - order[b.kind] || (a.name < b.name ? -1 : 1));
}

/**
 * The options of a plugin, read from the JSON Schema of its zod options schema.
 *
 * @param definition A plugin definition.
 * @returns One entry per top-level option key, in schema order.
 */
export function describeOptions(definition: PluginDefinition): OptionDoc[] {
  const schema = z.toJSONSchema(definition.options, { io: "input", unrepresentable: "any" });
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(schema.required ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    type: typeName(property),
    required: required.has(name) && property.default === undefined,
    default: property.default === undefined ? undefined : showValue(property.default),
    description: property.description,
    example: property.examples?.[0] === undefined ? undefined : showValue(property.examples[0]),
  }));
}

/** Every aggregation entry says its window in pipeline.yaml, beside the plugin's options. */
const WINDOW_EXAMPLE = "window: 1d # any of 1m..1w, or none";

/**
 * Renders a plugin as plain text: kind, name, summary, description, options and an example.
 *
 * @param definition A plugin definition.
 * @returns Multi-line text ending with a newline.
 */
export function describePlugin(definition: PluginDefinition): string {
  const lines = [`${definition.name} (${definition.kind})`, `  ${definition.summary}`];
  if (definition.description) lines.push(...wrap(definition.description, 94).map((l) => `  ${l}`));
  if (definition.kind === "aggregation") {
    lines.push(`  dashboard chart: ${chartOf(definition)}`, `  ranges: ${rangesOf(definition)}`);
  }
  const options = describeOptions(definition);
  lines.push("", "  options:");
  if (options.length === 0) lines.push("    (none)");
  for (const option of options) {
    const facts = [
      option.type,
      option.required ? "required" : undefined,
      option.default !== undefined ? `default ${option.default}` : undefined,
    ].filter(Boolean).join(", ");
    lines.push(`    ${option.name}: ${facts}`);
    if (option.description) lines.push(`      ${option.description}`);
    if (option.example !== undefined) lines.push(`      example: ${option.example}`);
  }
  lines.push("", "  example:", `    plugin: ${definition.name}`);
  if (definition.kind === "aggregation") lines.push(`    ${WINDOW_EXAMPLE}`);
  lines.push(`    options: ${showValue(definition.example)}`);
  return lines.join("\n") + "\n";
}

/**
 * Renders a plugin as a Markdown section of the plugin reference (docs/plugins.md).
 *
 * @param definition A plugin definition.
 * @returns Markdown ending with a newline.
 */
export function describePluginMarkdown(definition: PluginDefinition): string {
  const lines = [`### \`${definition.name}\` (${definition.kind})`, "", definition.summary, ""];
  if (definition.description) lines.push(definition.description, "");
  if (definition.kind === "aggregation") {
    lines.push(`Dashboard chart: \`${chartOf(definition)}\`. Ranges: ${rangesOf(definition)}.`, "");
  }
  const options = describeOptions(definition);
  if (options.length > 0) {
    lines.push("| option | type | default | description | example |");
    lines.push("| --- | --- | --- | --- | --- |");
    for (const option of options) {
      const cells = [
        `\`${option.name}\``,
        cell(option.type),
        option.required ? "required" : cell(option.default ?? ""),
        cell(option.description ?? ""),
        cell(option.example ?? ""),
      ];
      lines.push(`| ${cells.join(" | ")} |`);
    }
    lines.push("");
  }
  lines.push("```yaml", `plugin: ${definition.name}`);
  if (definition.kind === "aggregation") lines.push(WINDOW_EXAMPLE);
  lines.push(`options: ${showValue(definition.example)}`);
  lines.push("```", "");
  return lines.join("\n");
}

/** The parts of a JSON Schema node we read. */
interface JsonSchema {
  type?: string | string[];
  /** Names a value with no JSON type of its own (a condition), shown as its type. */
  title?: string;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
  description?: string;
  examples?: unknown[];
}

function typeName(node: JsonSchema): string {
  const union = node.anyOf ?? node.oneOf;
  if (union) return union.map(typeName).join(" | ");
  if (node.enum) return node.enum.map((value) => JSON.stringify(value)).join(" | ");
  if (node.const !== undefined) return JSON.stringify(node.const);
  const type = Array.isArray(node.type) ? node.type.join(" | ") : node.type;
  if (type === "array") return `list of ${node.items ? typeName(node.items) : "values"}`;
  if (type === "integer" || type === "number") {
    const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER
      ? node.maximum
      : undefined;
    const min = node.minimum !== undefined && node.minimum > Number.MIN_SAFE_INTEGER
      ? node.minimum
      : undefined;
    if (min !== undefined && max !== undefined) return `${type} ${min}..${max}`;
    if (min !== undefined) return `${type} >= ${min}`;
    if (max !== undefined) return `${type} <= ${max}`;
    return type;
  }
  if (type === "string" && node.format === "date-time") return "ISO-8601 date-time with zone";
  if (type === "string" && node.format) return `string (${node.format})`;
  if (type === "string" && node.pattern) return `string matching ${node.pattern}`;
  if (type === "object") return "mapping";
  return type ?? node.title ?? "any";
}

/** A value as it would be written in YAML flow style. */
function showValue(value: unknown): string {
  if (typeof value === "string") return /^[\w./:-]+$/.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(showValue).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    if (Object.keys(value).length === 0) return "{}";
    return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${showValue(v)}`).join(", ")} }`;
  }
  return String(value);
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The file holding the generated plugin reference, relative to the repository root. */
export const PLUGIN_REFERENCE_FILE = "docs/plugins.md";
/** Marks the start of the generated plugin reference in {@linkcode PLUGIN_REFERENCE_FILE}. */
export const PLUGIN_REFERENCE_BEGIN = "<!-- plugins:begin -->";
/** Marks the end of the generated plugin reference in {@linkcode PLUGIN_REFERENCE_FILE}. */
export const PLUGIN_REFERENCE_END = "<!-- plugins:end -->";

/** The plugin reference as docs/plugins.md holds it between its markers. */
export function pluginReferenceMarkdown(plugins: readonly PluginDefinition[]): string {
  return plugins.map(describePluginMarkdown).join("\n").trim();
}

/**
 * Replaces the text between the plugin reference markers of `document` with `reference`.
 *
 * @throws when the markers are missing.
 */
export function withPluginReference(document: string, reference: string): string {
  const begin = document.indexOf(PLUGIN_REFERENCE_BEGIN);
  const end = document.indexOf(PLUGIN_REFERENCE_END);
  if (begin < 0 || end < begin) {
    throw new Error(
      `${PLUGIN_REFERENCE_FILE} has no ${PLUGIN_REFERENCE_BEGIN} ... ${PLUGIN_REFERENCE_END} markers`,
    );
  }
  return `${document.slice(0, begin + PLUGIN_REFERENCE_BEGIN.length)}\n\n${reference}\n\n${
    document.slice(end)
  }`;
}

/** The chart the dashboard draws for an aggregation plugin (its suggestion, else `bar`). */
function chartOf(definition: AggregationPlugin): string {
  return definition.chart ?? "bar";
}

/**
 * Whether an aggregation's windows merge into ranges, and the overview card it feeds with the
 * options of its example (a `breakdown`'s card depends on its dimension).
 */
function rangesOf(definition: AggregationPlugin): string {
  const settings = definition.options.parse(definition.example);
  const mergeable = definition.create(settings).mergeable !== undefined;
  const card = definition.card?.(settings);
  return [
    mergeable
      ? "each window keeps a mergeable summary, so the results API merges any range"
      : "no summary kept, so windows are listed, not merged",
    card === undefined ? undefined : `overview card \`${card.card}\` (with the example's options)`,
  ].filter(Boolean).join("; ");
}
