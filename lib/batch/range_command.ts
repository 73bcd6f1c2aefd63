/**
 * The command line shared by `deno task batch` and `deno task reconcile`: a range of days, an
 * optional list of aggregations and the pipeline file. Exits with a clear message when wrong.
 *
 * @module
 */
import { parseArgs } from "cli";
import type { DayRange } from "./window_selection.ts";
import { errorText } from "../errors.ts";

/** A parsed range command. */
export interface RangeCommand {
  /** Days to cover. */
  range: DayRange;
  /** Aggregations named with `--aggregation` (undefined: all). */
  aggregations?: string[];
  /** Pipeline file. */
  config: string;
  /** `--dry-run` was given (only when the command accepts it). */
  dryRun: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses `--from D1 --to D2 [--aggregation NAME ...] [--config FILE] [--dry-run]`; prints
 * `usage` and exits 0 on `--help`, prints what is wrong and exits 2 on bad arguments.
 */
export function parseRangeCommand(
  args: string[],
  usage: string,
  accepts: { dryRun: boolean },
): RangeCommand {
  let values: {
    from?: string;
    to?: string;
    aggregation?: string[];
    config: string;
    "dry-run"?: boolean;
    help?: boolean;
  };
  try {
    values = parseArgs({
      args,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        aggregation: { type: "string", multiple: true },
        config: { type: "string", default: "pipeline.yaml" },
        ...(accepts.dryRun ? { "dry-run": { type: "boolean", default: false } } : {}),
        help: { type: "boolean", short: "h" },
      },
    }).values as typeof values;
  } catch (error) {
    console.error(`${errorText(error)}\n\n${usage}`);
    Deno.exit(2);
  }
  if (values.help) {
    console.log(usage);
    Deno.exit(0);
  }
  const problems: string[] = [];
  for (const [flag, value] of [["--from", values.from], ["--to", values.to]] as const) {
    if (value === undefined) problems.push(`${flag} is required (a day like 2026-11-22)`);
    else if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      problems.push(`${flag}: expected a day like 2026-11-22, found "${value}"`);
    }
  }
  if (problems.length === 0 && values.from! > values.to!) {
    problems.push(`--from ${values.from} is after --to ${values.to}`);
  }
  if (problems.length > 0) {
    console.error(`${problems.join("\n")}\n\n${usage}`);
    Deno.exit(2);
  }
  return {
    range: { from: values.from!, to: values.to! },
    aggregations: values.aggregation,
    config: values.config,
    dryRun: values["dry-run"] ?? false,
  };
}
