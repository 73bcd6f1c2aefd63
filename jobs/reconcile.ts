/**
 * `deno task reconcile --from D1 --to D2 [--aggregation NAME ...] [--config FILE]`: compares
 * batch results recomputed from `log` with the real-time results and lists every difference.
 * Exit code 0 when they agree, 1 when any differ.
 *
 * @module
 */
import { selectAggregations } from "../lib/batch/recompute.ts";
import { reconcile } from "../lib/batch/reconcile.ts";
import { terminalProgress } from "../lib/batch/progress.ts";
import { parseRangeCommand } from "../lib/batch/range_command.ts";
import { openForJob } from "./_job.ts";
import { errorText } from "../lib/errors.ts";

const USAGE = `usage: deno task reconcile --from YYYY-MM-DD --to YYYY-MM-DD [options]

  --from, --to        first and last day (in the pipeline's time zone), both included;
                      every window overlapping them is covered in full (a whole week for 1w)
  --aggregation NAME  only this aggregation (repeatable; default: all)
  --config FILE       pipeline file (default pipeline.yaml)`;

const command = parseRangeCommand(Deno.args, USAGE, { dryRun: false });
const range = command.range;
const resources = await openForJob(command.config, "reconcile");
let exitCode = 0;
try {
  const aggregations = selectAggregations(resources.pipeline.aggregations, command.aggregations);
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
  console.error(`reconcile: ${errorText(error)}`);
  exitCode = 1;
} finally {
  await resources.close();
}
Deno.exit(exitCode);
