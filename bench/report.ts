/**
 * The bench's verdict: one table row per figure (value, ratio to its ceiling, ratio to the naive
 * baseline, target, met?) and the JSON report.
 *
 * @module
 */
import type { RestoreResult } from "./restore.ts";
import type { BaselineResult } from "./baseline.ts";
import type { BatchResult } from "./batch_speed.ts";
import type { ConsumeAttempt } from "./consume_ceiling.ts";
import type { FileSourceResult } from "./file_source.ts";
import type { FreshnessResult } from "./freshness.ts";
import type { HttpIngestResult } from "./http_ingest.ts";
import type { InsertAttempt } from "./insert_ceiling.ts";
import type { MachineInfo } from "./machine.ts";
import type { BenchOptions } from "./options.ts";
import type { ScanAttempt } from "./scan_ceiling.ts";
import type { ThroughputResult } from "./throughput.ts";

/** Runner memory may grow this much from the smallest to the largest scale and count as flat. */
const FLAT_MEMORY_RATIO = 1.25;

/** Everything one bench run measured. */
export interface BenchResults {
  /** When the run started (ISO-8601). */
  date: string;
  /** Machine and versions. */
  machine: MachineInfo;
  /** Options of the run. */
  options: BenchOptions;
  /** Throughput and memory per scale, smallest first. */
  throughput: ThroughputResult[];
  /**
   * The high-cardinality scenario over 1M distinct pages, raw URIs: `--high-cardinality-events`
   * events, compared with the default run of the same count (`--scales`), else the main one.
   */
  highCardinality?: ThroughputResult;
  /** Throughput with only top_pages and status_counts, beside the full shipped pipeline. */
  corePipeline?: ThroughputResult;
  /** Freshness figures. */
  freshness?: FreshnessResult;
  /** Batch speed. */
  batch?: BatchResult;
  /** Raw ceilings, every pattern tried. */
  ceilings?: { consume: ConsumeAttempt[]; insert: InsertAttempt[]; scan: ScanAttempt[] };
  /** Naive baseline. */
  baseline?: BaselineResult & { maxEvents: number; maxSeconds: number };
  /** HTTP ingest scenario. */
  http?: HttpIngestResult;
  /** The `file` source: lines of a temporary nginx_timed file into a Kafka topic. */
  fileSource?: FileSourceResult;
  /** Taking back a partition of many keys from its changelog. */
  restore?: RestoreResult;
  /** Parts that could not be measured, with the reason. */
  errors: string[];
}

/** One row of the table. */
export interface FigureRow {
  /** What is measured. */
  figure: string;
  /** Its value, with unit. */
  value: string;
  /** Ratio to its ceiling. */
  ceiling: string;
  /** Ratio to the naive baseline. */
  baseline: string;
  /** The target. */
  target: string;
  /** `yes`, `no`, `FAILED` (wrong results or not measured), or `-` (no target). */
  met: string;
}

/**
 * Turns results into table rows.
 *
 * @param results What was measured.
 * @returns The rows, in the order printed.
 *
 * @example
 * ```ts ignore
 * import { figureRows, renderTable } from "./report.ts";
 * console.log(renderTable(figureRows(results)));
 * ```
 */
export function figureRows(results: BenchResults): FigureRow[] {
  const rows: FigureRow[] = [];
  const consume = best(results.ceilings?.consume.map((a) => a.eventsPerSecond));
  const insert = best(results.ceilings?.insert.map((a) => a.rowsPerSecond));
  const scan = best(results.ceilings?.scan.map((a) => a.rowsPerSecond));
  const pipelineCeiling = consume !== undefined && insert !== undefined
    ? Math.min(consume, insert)
    : undefined;
  const baseline = results.baseline?.eventsPerSecond;
  const row = (figure: string, value: string, rest: Partial<FigureRow> = {}): FigureRow => ({
    figure,
    value,
    ceiling: "-",
    baseline: "-",
    target: "-",
    met: "-",
    ...rest,
  });

  const main = results.throughput.find((t) => t.events === results.options.events);
  if (main !== undefined) {
    rows.push(
      row(
        `load rate, batched producer (N=${count(main.events)})`,
        perSecond(main.loadEventsPerSecond, "events"),
      ),
    );
  }
  const file = results.fileSource;
  if (file !== undefined) {
    // Beside the Kafka-fed rate (the batched producer); the target: reading a backlog from
    // files, the source must outpace the pipeline that consumes its topic, not be its bottleneck.
    rows.push(row(
      `file source into Kafka, ${file.format} lines (N=${count(file.lines)})`,
      perSecond(file.linesPerSecond, "lines"),
      {
        ceiling: main === undefined
          ? "-"
          : `${percent(file.linesPerSecond / main.loadEventsPerSecond)} of load rate ${
            count(main.loadEventsPerSecond)
          }/s`,
        target: "≥ pipeline throughput",
        met: file.problems.length > 0
          ? `FAILED (${file.problems.join("; ")})`
          : main === undefined
          ? "n/a (no main run)"
          : `${yesNo(file.linesPerSecond >= main.eventsPerSecond)} (${
            percent(file.linesPerSecond / main.eventsPerSecond)
          } of N=${count(main.events)})`,
      },
    ));
  }
  const core = results.corePipeline;
  for (const run of results.throughput) {
    const ofCeiling = pipelineCeiling === undefined
      ? undefined
      : run.eventsPerSecond / pipelineCeiling;
    const ofBaseline = baseline === undefined ? undefined : run.eventsPerSecond / baseline;
    const wrong = run.problems.length > 0;
    rows.push(
      row(
        `pipeline throughput (N=${count(run.events)})`,
        perSecond(run.eventsPerSecond, "events"),
        {
          ceiling: ofCeiling === undefined
            ? "-"
            : `${percent(ofCeiling)} of ${count(pipelineCeiling!)}/s`,
          baseline: ofBaseline === undefined ? "-" : `${ofBaseline.toFixed(1)}x`,
          target: "≥ 25% of insert ceiling; ≥ 60% of the core pipeline",
          met: wrong
            ? "FAILED (wrong results)"
            : insert === undefined || core === undefined
            ? "n/a (no ceilings or no core run)"
            : `${
              yesNo(
                run.eventsPerSecond / insert >= 0.25 &&
                  run.eventsPerSecond / core.eventsPerSecond >= 0.6,
              )
            } (${percent(run.eventsPerSecond / insert)} of insert, ${
              percent(run.eventsPerSecond / core.eventsPerSecond)
            } of core)`,
        },
      ),
    );
  }
  const high = results.highCardinality;
  if (high !== undefined) {
    // Like for like: the default run of the same event count (from --scales), else the main one.
    const reference = results.throughput.find((t) => t.events === high.events) ?? main;
    rows.push(row(
      `pipeline throughput, ${count(high.pages ?? 0)} distinct pages (N=${count(high.events)})`,
      perSecond(high.eventsPerSecond, "events"),
      {
        ceiling: pipelineCeiling === undefined
          ? "-"
          : `${percent(high.eventsPerSecond / pipelineCeiling)} of ${count(pipelineCeiling)}/s`,
        target: "≥ 90% of the default scenario",
        met: high.problems.length > 0
          ? "FAILED (wrong results)"
          : reference === undefined
          ? "n/a (no default run)"
          : `${yesNo(high.eventsPerSecond >= 0.9 * reference.eventsPerSecond)} (${
            percent(high.eventsPerSecond / reference.eventsPerSecond)
          } of N=${count(reference.events)})`,
      },
    ));
  }
  if (core !== undefined) {
    rows.push(row(
      `pipeline throughput, top_pages + status_counts only (N=${count(core.events)})`,
      perSecond(core.eventsPerSecond, "events"),
      {
        ceiling: pipelineCeiling === undefined
          ? "-"
          : `${percent(core.eventsPerSecond / pipelineCeiling)} of ${count(pipelineCeiling)}/s`,
        target: "≥ 50% of insert ceiling",
        met: core.problems.length > 0
          ? "FAILED (wrong results)"
          : insert === undefined
          ? "n/a (no ceilings)"
          : `${yesNo(core.eventsPerSecond / insert >= 0.5)} (${
            percent(core.eventsPerSecond / insert)
          } of insert)`,
      },
    ));
  }
  for (const run of [...results.throughput, ...(high === undefined ? [] : [high])]) {
    if (run.stateRowsWritten === undefined) continue;
    const label = run === high ? `${count(high.pages ?? 0)} pages, ` : "";
    const perEvent = (run.events + run.stateRowsWritten) / run.events;
    rows.push(row(
      `Cassandra rows written per event, log + state (${label}N=${count(run.events)})`,
      `${perEvent.toFixed(3)} (${count(run.stateRowsWritten)} state rows)`,
      { target: "≤ 1.1", met: yesNo(perEvent <= 1.1) },
    ));
  }
  const restore = results.restore;
  if (restore !== undefined) {
    rows.push(row(
      `restore a partition of ${count(restore.keys)} keys from its changelog`,
      `${restore.seconds.toFixed(2)} s (${count(restore.bytes)} bytes)`,
      {
        target: "≤ 5 s for 1M keys",
        met: restore.restoredKeys !== restore.keys
          ? `FAILED (${count(restore.restoredKeys)} keys restored)`
          : yesNo(restore.seconds <= 5),
      },
    ));
  }
  for (const run of [...results.throughput, ...(high === undefined ? [] : [high])]) {
    if (run.flushP50Ms === undefined) continue;
    const label = run === high ? `${count(high.pages ?? 0)} pages, ` : "";
    rows.push(row(
      `flush time p50 / p99 (${label}N=${count(run.events)})`,
      `${ms(run.flushP50Ms)} / ${ms(run.flushP99Ms ?? 0)}`,
    ));
    rows.push(row(
      `largest single state write (${label}N=${count(run.events)})`,
      `${count(run.largestWriteBytes ?? 0)} bytes`,
      { target: "≤ 1 MiB", met: yesNo((run.largestWriteBytes ?? 0) <= 1024 * 1024) },
    ));
  }
  if (high !== undefined) {
    rows.push(row(
      `runner peak RSS, ${count(high.pages ?? 0)} pages (N=${count(high.events)})`,
      `${high.peakRssMb.toFixed(0)} MiB`,
      {
        target: "< 1 GiB at 5M events",
        met: high.events < 5_000_000
          ? `${yesNo(high.peakRssMb < 1024)} (N below 5M)`
          : yesNo(high.peakRssMb < 1024),
      },
    ));
  }
  const fresh = results.freshness;
  if (fresh !== undefined) {
    const at = `at ${count(Math.round(fresh.producedRate))} events/s`;
    rows.push(row(`freshness p50 ${at}`, ms(fresh.p50Ms)));
    rows.push(row(`freshness p99 ${at}`, ms(fresh.p99Ms), {
      target: "≤ 1 s at 5,000 events/s",
      met: fresh.rate < 5000
        ? `${yesNo(fresh.p99Ms <= 1000)} (rate below 5,000)`
        : yesNo(fresh.p99Ms <= 1000),
    }));
  }
  const batch = results.batch;
  if (batch !== undefined) {
    rows.push(row(`batch recompute, ${batch.days} days`, perSecond(batch.rowsPerSecond, "rows"), {
      ceiling: scan === undefined
        ? "-"
        : `${percent(batch.rowsPerSecond / scan)} of ${count(scan)}/s`,
      target: "≥ 70% of scan ceiling",
      met: batch.problems.length > 0
        ? "FAILED (wrong results)"
        : scan === undefined
        ? "n/a (no ceilings)"
        : yesNo(batch.rowsPerSecond / scan >= 0.7),
    }));
  }
  if (results.ceilings !== undefined) {
    rows.push(row("ceiling: raw Kafka consume", perSecond(consume ?? 0, "events")));
    rows.push(row("ceiling: raw Cassandra insert (log rows)", perSecond(insert ?? 0, "rows")));
    rows.push(row("ceiling: raw Cassandra scan (log rows)", perSecond(scan ?? 0, "rows")));
  }
  if (results.baseline !== undefined) {
    const b = results.baseline;
    rows.push(row(
      `baseline: naive consumer (capped ${b.maxSeconds} s / ${count(b.maxEvents)}; ` +
        `${count(b.events)} done, stopped by ${b.cappedBy})`,
      perSecond(b.eventsPerSecond, "events"),
    ));
  }
  const http = results.http;
  if (http !== undefined) {
    const shape = `${http.clients} clients, batches of ${http.batch}, ${http.seconds} s`;
    const refused = Object.entries(http.refused).map(([status, n]) => `${n}x ${status}`);
    rows.push(row(
      `HTTP ingest accepted (${shape})`,
      perSecond(http.acceptedPerSecond, "events") +
        (refused.length > 0 ? ` (refused: ${refused.join(", ")})` : ""),
    ));
    rows.push(row("HTTP ingest response time p50 / p99", `${ms(http.p50Ms)} / ${ms(http.p99Ms)}`));
    if (http.runnerCpuPercent !== undefined && http.machineBusyPercent !== undefined) {
      rows.push(row(
        "HTTP ingest CPU: runner (ingest and pipeline) / clients",
        `${http.runnerCpuPercent.toFixed(0)}% / ${(http.clientsCpuPercent ?? 0).toFixed(0)}% ` +
          `of 1 core (machine ${http.machineBusyPercent.toFixed(0)}% busy)`,
      ));
    }
    rows.push(row(
      "HTTP ingest: acknowledged events in log exactly once",
      `${count(http.acceptedEvents)} events`,
      {
        target: "every 202 event once",
        met: http.problems.length > 0 ? `FAILED (${http.problems.join("; ")})` : "yes",
      },
    ));
  }
  const smallest = results.throughput[0];
  for (const run of results.throughput) {
    const growth = smallest === undefined ? 1 : run.peakRssMb / smallest.peakRssMb;
    rows.push(row(`runner peak RSS (N=${count(run.events)})`, `${run.peakRssMb.toFixed(0)} MiB`, {
      target: "flat across scales",
      met: results.throughput.length < 2
        ? "n/a (one scale; use --scales)"
        : run === smallest
        ? "-"
        : `${yesNo(growth <= FLAT_MEMORY_RATIO)} (${growth.toFixed(2)}x of N=${
          count(smallest!.events)
        })`,
    }));
  }
  for (const run of results.throughput) {
    if (run.runnerCpuPercent === undefined || run.machineBusyPercent === undefined) continue;
    rows.push(row(
      `runner CPU while consuming (N=${count(run.events)})`,
      `${run.runnerCpuPercent.toFixed(0)}% of 1 core (machine ${
        run.machineBusyPercent.toFixed(0)
      }% busy)`,
    ));
  }
  for (const error of results.errors) {
    rows.push(row(`not measured: ${error}`, "-", { met: "FAILED" }));
  }
  return rows;
}

/** True when any row says FAILED. */
export function anyFailed(rows: readonly FigureRow[]): boolean {
  return rows.some((row) => row.met.startsWith("FAILED"));
}

/**
 * Renders rows as an aligned text table.
 *
 * @param rows The rows.
 * @returns The table, header first.
 */
export function renderTable(rows: readonly FigureRow[]): string {
  const header: FigureRow = {
    figure: "figure",
    value: "value",
    ceiling: "vs ceiling",
    baseline: "vs baseline",
    target: "target",
    met: "met?",
  };
  const columns = Object.keys(header) as Array<keyof FigureRow>;
  const widths = columns.map((column) =>
    Math.max(...[header, ...rows].map((row) => row[column].length))
  );
  const render = (row: FigureRow) =>
    columns.map((column, i) => row[column].padEnd(widths[i]!)).join("  ").trimEnd();
  return [render(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(render)]
    .join("\n");
}

function best(values: number[] | undefined): number | undefined {
  return values === undefined || values.length === 0 ? undefined : Math.max(...values);
}

function count(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

function perSecond(value: number, unit: string): string {
  return `${count(value)} ${unit}/s`;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)}%`;
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value)} ms` : "never visible";
}

function yesNo(ok: boolean): string {
  return ok ? "yes" : "no";
}
