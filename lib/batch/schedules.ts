/**
 * Registers pipeline schedules with `Deno.cron`; each run recomputes its windows from `log`.
 *
 * @module
 */
import type { ScheduleEntry } from "../config/pipeline.ts";
import type { PipelineResources } from "../runtime/start.ts";
import { computeFromLog, selectAggregations, writeResults } from "./recompute.ts";
import { resolveSelection } from "./window_selection.ts";
import { errorText } from "../errors.ts";

/** The shape of `Deno.cron` used here (injectable so tests can capture registrations). */
export type CronRegistrar = (
  name: string,
  schedule: string,
  handler: () => Promise<void>,
) => unknown;

/** A registered schedule and its handler. */
export interface RegisteredSchedule {
  /** The schedule from pipeline.yaml. */
  schedule: ScheduleEntry;
  /** What runs when it fires. */
  handler: () => Promise<void>;
}

/** Builds the handler of one schedule: recompute its aggregations over its windows, now. */
function scheduleHandler(
  resources: PipelineResources,
  schedule: ScheduleEntry,
  log: (line: string) => void = (line) => console.error(line),
  now: () => number = Date.now,
): () => Promise<void> {
  return async () => {
    const range = resolveSelection(schedule.windows, resources.pipeline.runtime.timeZone, now());
    const aggregations = selectAggregations(resources.pipeline.aggregations, schedule.aggregations);
    try {
      const computed = await computeFromLog(resources, aggregations, range);
      await writeResults(resources, computed.results);
      log(
        `schedule ${schedule.name}: ${range.from}..${range.to}, ${computed.rowsRead} log rows, ` +
          `${computed.results.length} window results written in ${computed.elapsedMs} ms`,
      );
    } catch (error) {
      log(
        `schedule ${schedule.name} failed (next run retries): ${errorText(error)}`,
      );
    }
  };
}

/** Registers every schedule of the pipeline (with `Deno.cron` unless told otherwise). */
export function registerSchedules(
  resources: PipelineResources,
  cron: CronRegistrar = (name, schedule, handler) => Deno.cron(name, schedule, handler),
  log?: (line: string) => void,
): RegisteredSchedule[] {
  return resources.pipeline.schedules.map((schedule) => {
    const handler = scheduleHandler(resources, schedule, log);
    cron(schedule.name, schedule.cron, handler);
    return { schedule, handler };
  });
}
