/**
 * `deno task batch --from D1 --to D2 [--aggregation NAME ...] [--dry-run] [--config FILE]`:
 * recomputes results for every window of those days from the `log` table, with the same
 * aggregation plugins the real-time loop runs, whether or not the real-time loop is running.
 *
 * @module
 */
import {
  computeFromLog,
  diffRows,
  selectAggregations,
  writeResults,
} from "../lib/batch/recompute.ts";
import { terminalProgress } from "../lib/batch/progress.ts";
import { parseRangeCommand } from "../lib/batch/range_command.ts";
import { openForJob } from "./_job.ts";
import { errorText } from "../lib/errors.ts";

const USAGE = `usage: deno task batch --from YYYY-MM-DD --to YYYY-MM-DD [options]

  --from, --to        first and last day (in the pipeline's time zone), both included;
                      every window overlapping them is covered in full (a whole week for 1w)
  --aggregation NAME  only this aggregation (repeatable; default: all)
  --dry-run           print what would change, write nothing
  --config FILE       pipeline file (default pipeline.yaml)`;

const command = parseRangeCommand(Deno.args, USAGE, { dryRun: true });
const range = command.range;
const resources = await openForJob(command.config, "batch");
let exitCode = 0;
try {
  const aggregations = selectAggregations(resources.pipeline.aggregations, command.aggregations);
  const computed = await computeFromLog(resources, aggregations, range, terminalProgress("batch"));
  if (computed.rowsRead === 0) {
    console.error(
      `batch: no logs in ${resources.pipeline.cassandra.keyspace}.${resources.pipeline.runtime.logTable} ` +
        `between ${range.from} and ${range.to}; nothing to compute.`,
    );
  } else if (command.dryRun) {
    let changes = 0;
    for (const result of computed.results) {
      const entry = aggregations.find((candidate) => candidate.name === result.aggregation)!;
      const readable = entry.sinks.map((name) => resources.sinks.get(name)).find((sink) =>
        sink?.read
      );
      const binding = {
        aggregation: entry.name,
        window: entry.window,
        shape: result.shape,
      };
      const stored = await readable?.read?.(binding, result.window);
      const lines = diffRows(result.rows, stored ?? []);
      if (lines.length > 0) {
        changes++;
        console.log(`${result.aggregation} ${result.window.key} would change:`);
        for (const line of lines) console.log(`  ${line}`);
      }
    }
    console.log(
      `dry run: ${computed.rowsRead} log rows, ${computed.results.length} windows, ${changes} would change.`,
    );
  } else {
    await writeResults(resources, computed.results);
    console.log(
      `batch: ${computed.rowsRead} log rows read in ${(computed.elapsedMs / 1000).toFixed(1)} s ` +
        `(${Math.round(computed.rowsRead / Math.max(0.001, computed.elapsedMs / 1000))} rows/s); ` +
        `${computed.results.length} window results written.`,
    );
  }
} catch (error) {
  console.error(`batch: ${errorText(error)}`);
  console.error(
    "Nothing half-done is left behind: results are written per window, idempotently; run the same command again.",
  );
  exitCode = 1;
} finally {
  await resources.close();
}
Deno.exit(exitCode);
