/**
 * `deno task reconcile --from D1 --to D2 [--aggregation NAME ...] [--config FILE]`: compares
 * batch results recomputed from `log` with the real-time results and lists every difference.
 * Exit code 0 when they agree, 1 when any differ.
 *
 * @module
 */
import { parseArgs } from "cli";
import { selectAggregations } from "../lib/batch/recompute.ts";
import { reconcile } from "../lib/batch/reconcile.ts";
import { terminalProgress } from "../lib/batch/progress.ts";
import { parseDayRange } from "../lib/batch/day_range_args.ts";
import { openForJob } from "../lib/runtime/job.ts";

const USAGE = `usage: deno task reconcile --from YYYY-MM-DD --to YYYY-MM-DD [options]

  --from, --to        first and last day (in the pipeline's time zone), both included
  --aggregation NAME  only this aggregation (repeatable; default: all)
  --config FILE       pipeline file (default pipeline.yaml)`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    from: { type: "string" },
    to: { type: "string" },
    aggregation: { type: "string", multiple: true },
    config: { type: "string", default: "pipeline.yaml" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const range = parseDayRange(values.from, values.to, USAGE);
const resources = await openForJob(values.config, "reconcile");
let exitCode = 0;
try {
  const aggregations = selectAggregations(resources.pipeline.aggregations, values.aggregation);
  const outcome = await reconcile(resources, aggregations, range, terminalProgress("reconcile"));
  for (const difference of outcome.differences) {
    console.log(`${difference.aggregation} ${difference.window}: ${difference.detail}`);
  }
  console.log(
    `reconcile ${range.from}..${range.to}: ${outcome.windows} windows compared, ` +
      `${outcome.rowsRead} log rows, ${outcome.differences.length} differences.`,
  );
  exitCode = outcome.differences.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`reconcile: ${error instanceof Error ? error.message : error}`);
  exitCode = 1;
} finally {
  await resources.close();
}
Deno.exit(exitCode);
