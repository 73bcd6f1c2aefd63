/**
 * The `alerts:` section of pipeline.yaml: its schema, and the check of each rule against the
 * rest of the pipeline (the aggregation, its value and key columns, the metric, the source and
 * the notifiers it names), reported at file:line:col like every other config problem.
 *
 * @example
 * ```ts
 * import { alertRuleSchema } from "./alerts.ts";
 * const rule = alertRuleSchema.parse({
 *   name: "checkout_errors",
 *   aggregation: "error_rate_5m",
 *   key: "/checkout",
 *   value: "error_pct",
 *   above: 5,
 *   for: "2m",
 * });
 * console.assert(rule.kind === "threshold");
 * ```
 *
 * @module
 */
import { z } from "zod";
import { ENTRY_NAME } from "./identifiers.ts";
import { duration } from "./option_schemas.ts";
import { parseDuration } from "../parse/duration.ts";
import type { Report } from "./zod_issues.ts";
import { didYouMean } from "./suggest.ts";
import type { ResultShape } from "../contracts.ts";
import { keyColumns } from "../result_keys.ts";

/** Figures of the pipeline itself a rule may watch, per source. */
export const PIPELINE_METRICS = {
  lag: "messages not yet acknowledged (read or not)",
  flush_failures: "failed attempts of the flush failing now (0 while flushes succeed)",
  dead_letter_rate: "messages sent to the dead-letter topic per second, over the last minute",
  silent_s: "seconds since the source last read a message",
} as const;

/** A pipeline metric's name. */
export type PipelineMetric = keyof typeof PIPELINE_METRICS;

/** Earlier windows a `change` rule compares with. */
export const CHANGE_REFERENCES = ["previous", "day_before", "week_before"] as const;

const name = z.string().regex(ENTRY_NAME, {
  error: (issue) =>
    `expected a name of lower case letters, digits and _ starting with a letter (at most 48), ` +
    `found ${JSON.stringify(issue.input)}`,
});

/** One item of `alerts:` as written. */
export const alertRuleSchema = z.strictObject({
  name,
  aggregation: name.optional(),
  key: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).optional(),
  value: z.string().optional(),
  metric: z.enum(Object.keys(PIPELINE_METRICS) as [PipelineMetric, ...PipelineMetric[]])
    .optional(),
  source: name.optional(),
  kind: z.enum(["threshold", "change", "anomaly"]).default("threshold"),
  above: z.number().optional(),
  below: z.number().optional(),
  against: z.enum(CHANGE_REFERENCES).default("previous"),
  windows: z.number().int().min(3).max(500).default(24),
  min_records: z.number().int().min(0).default(0),
  for: duration().default("0s"),
  severity: z.enum(["critical", "warning", "info"]).default("warning"),
  labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
  notify: z.array(name).optional(),
});

/** A rule as written, after its schema. */
export type AlertRuleFields = z.output<typeof alertRuleSchema>;

/** What a rule watches. */
export type AlertSubject =
  | {
    kind: "result";
    aggregation: string;
    /** The row's key (its `keyText`), or undefined for the whole window (summed). */
    key?: string;
    value: string;
  }
  | { kind: "metric"; metric: PipelineMetric; source?: string };

/** How a rule judges its value. */
export type AlertCondition =
  | { kind: "threshold"; above?: number; below?: number }
  | {
    kind: "change";
    against: typeof CHANGE_REFERENCES[number];
    above?: number;
    below?: number;
  }
  | { kind: "anomaly"; windows: number; above?: number; below?: number };

/** A validated rule, ready to evaluate. */
export interface AlertRule {
  /** Unique name. */
  name: string;
  /** What it watches. */
  subject: AlertSubject;
  /** How it judges. */
  condition: AlertCondition;
  /** Fewest records a window must cover before the rule judges it (quiet hours). */
  minRecords: number;
  /** How long the condition must hold before the alert fires, ms. */
  forMs: number;
  /** `critical`, `warning` or `info`. */
  severity: string;
  /** Extra labels passed to notifiers and metrics. */
  labels: Record<string, string>;
  /** Notifiers to tell (default: every notifier). */
  notify: string[];
}

/** What a rule may refer to in the rest of the pipeline. */
export interface AlertContext {
  /** Aggregations by name, with their result shape and whether they have windows (not `none`). */
  aggregations: Map<string, { shape: ResultShape; windowed?: boolean }>;
  /** Names of the sources that run through a processor. */
  sources: string[];
  /** Names of the configured notifiers. */
  notifiers: string[];
}

/**
 * Checks rules against the pipeline and compiles the valid ones; reports every problem.
 *
 * @param rules Each rule's index in `alerts:` and its fields (after the schema).
 * @param context What the rules may name.
 * @param report Receives each problem at its path.
 * @returns The rules without problems.
 */
export function compileAlertRules(
  rules: { index: number; fields: AlertRuleFields }[],
  context: AlertContext,
  report: Report,
): AlertRule[] {
  const seen = new Set<string>();
  const compiled: AlertRule[] = [];
  for (const { index, fields } of rules) {
    const at = (key: string) => ["alerts", index, key];
    let ok = true;
    const problem = (key: string, message: string) => {
      report(at(key), message);
      ok = false;
    };
    if (seen.has(fields.name)) problem("name", `duplicate alert name '${fields.name}'`);
    seen.add(fields.name);
    const subject = subjectOf(fields, context, problem);
    if (fields.above === undefined && fields.below === undefined) {
      problem("name", `alert '${fields.name}' needs above: or below: (the limit that fires it)`);
    }
    if (
      fields.kind !== "threshold" && subject?.kind === "result" &&
      context.aggregations.get(subject.aggregation)?.windowed === false
    ) {
      problem(
        "kind",
        `kind ${fields.kind} compares windows, and ${subject.aggregation} has one all-time ` +
          `window (window: none): use kind: threshold, or give the aggregation a window size`,
      );
    }
    if (fields.kind !== "threshold" && subject?.kind === "metric") {
      problem(
        "kind",
        `kind ${fields.kind} compares windows of an aggregation; a metric rule ` +
          `takes kind: threshold (write aggregation: instead of metric:, or remove kind:)`,
      );
    }
    for (const [position, notifier] of (fields.notify ?? []).entries()) {
      if (!context.notifiers.includes(notifier)) {
        report(
          ["alerts", index, "notify", position],
          `unknown notifier '${notifier}'${
            didYouMean(notifier, context.notifiers) ||
            (context.notifiers.length === 0
              ? "; no notifiers: are configured (add one to notifiers:)"
              : `; known notifiers: ${context.notifiers.join(", ")}`)
          }`,
        );
        ok = false;
      }
    }
    if (!ok || subject === undefined) continue;
    compiled.push({
      name: fields.name,
      subject,
      condition: conditionOf(fields),
      minRecords: fields.min_records,
      forMs: parseDuration(fields.for) ?? 0,
      severity: fields.severity,
      labels: fields.labels,
      notify: fields.notify ?? context.notifiers,
    });
  }
  return compiled;
}

function conditionOf(fields: AlertRuleFields): AlertCondition {
  const limits = { above: fields.above, below: fields.below };
  if (fields.kind === "change") return { kind: "change", against: fields.against, ...limits };
  if (fields.kind === "anomaly") return { kind: "anomaly", windows: fields.windows, ...limits };
  return { kind: "threshold", ...limits };
}

/** The subject of a rule: exactly one of aggregation: and metric:, each checked. */
function subjectOf(
  fields: AlertRuleFields,
  context: AlertContext,
  problem: (key: string, message: string) => void,
): AlertSubject | undefined {
  if ((fields.aggregation === undefined) === (fields.metric === undefined)) {
    problem(
      "name",
      `alert '${fields.name}' needs exactly one of aggregation: (a result) or metric: ` +
        `(${Object.keys(PIPELINE_METRICS).join(", ")})`,
    );
    return undefined;
  }
  if (fields.metric !== undefined) {
    if (fields.key !== undefined || fields.value !== undefined) {
      problem(
        "metric",
        "key: and value: belong to aggregation rules; remove them from a metric rule",
      );
    }
    if (fields.source !== undefined && !context.sources.includes(fields.source)) {
      problem(
        "source",
        `unknown source '${fields.source}'${
          didYouMean(fields.source, context.sources) ||
          `; sources that feed aggregations: ${context.sources.join(", ")}`
        }`,
      );
      return undefined;
    }
    return { kind: "metric", metric: fields.metric, source: fields.source };
  }
  const aggregationName = fields.aggregation!;
  const aggregation = context.aggregations.get(aggregationName);
  if (aggregation === undefined) {
    const names = [...context.aggregations.keys()];
    problem(
      "aggregation",
      `unknown aggregation '${aggregationName}'${
        didYouMean(aggregationName, names) || `; known: ${names.join(", ")}`
      }`,
    );
    return undefined;
  }
  if (fields.source !== undefined) {
    problem("source", "source: belongs to metric rules; an aggregation rule reads its results");
  }
  const values = aggregation.shape.values.map((column) => column.name);
  if (fields.value === undefined || !values.includes(fields.value)) {
    problem(
      fields.value === undefined ? "aggregation" : "value",
      `${
        fields.value === undefined
          ? "value: is missing"
          : `'${fields.value}' is not a value column of ${aggregationName}`
      }${fields.value === undefined ? "" : didYouMean(fields.value, values)}; its values: ` +
        values.join(", "),
    );
    return undefined;
  }
  const keys = keyColumns(aggregation.shape).map((column) => column.name);
  let key: string | undefined;
  if (fields.key !== undefined) {
    const parts = Array.isArray(fields.key) ? fields.key : [fields.key];
    if (parts.length !== keys.length) {
      problem(
        "key",
        `${aggregationName}'s rows are keyed by ${keys.join(", ")}: write key: as ` +
          (keys.length === 1 ? `one ${keys[0]}` : `a list [${keys.join(", ")}]`),
      );
      return undefined;
    }
    key = keys.length === 1 ? String(parts[0]) : JSON.stringify(parts);
  }
  return { kind: "result", aggregation: aggregationName, key, value: fields.value };
}
