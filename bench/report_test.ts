import assert from "assert";
import { parseBenchArgs } from "./options.ts";
import { type BenchResults, figureRows } from "./report.ts";
import type { ThroughputResult } from "./throughput.ts";

function run(events: number, eventsPerSecond: number, pages?: number): ThroughputResult {
  return {
    events,
    valid: events,
    loadEventsPerSecond: 50_000,
    eventsPerSecond,
    steadyEventsPerSecond: eventsPerSecond,
    commitCurve: [],
    seconds: events / eventsPerSecond,
    startupSeconds: 1,
    peakRssMb: 700,
    statusLines: [],
    problems: [],
    ...(pages === undefined ? {} : { pages }),
  };
}

function results(args: string[], throughput: ThroughputResult[]): BenchResults {
  const options = parseBenchArgs(args);
  assert.notEqual(options, "help");
  return {
    date: "2026-12-05T00:00:00Z",
    machine: {
      nproc: 2,
      memoryMb: 24_000,
      cpuModel: "test",
      deno: Deno.version,
      kafka: "3.9.1",
      cassandra: "5.0.6",
    },
    options: options as Exclude<typeof options, "help">,
    throughput,
    highCardinality: run(5_000_000, 6_000, 1_000_000),
    errors: [],
  };
}

function highCardinalityVerdict(bench: BenchResults): string {
  const row = figureRows(bench).find((r) => r.figure.includes("distinct pages"));
  assert.ok(row, "no high-cardinality row");
  return row.met;
}

Deno.test("bench report: high cardinality is compared with the default run of its event count", () => {
  const bench = results(
    ["--events", "1000000", "--scales", "5000000", "--high-cardinality-events", "5000000"],
    [run(1_000_000, 9_000), run(5_000_000, 6_500)],
  );
  assert.equal(highCardinalityVerdict(bench), "yes (92% of N=5,000,000)");
});

Deno.test("bench report: without a default run of its count, the main run is the reference", () => {
  const bench = results(
    ["--events", "1000000", "--high-cardinality-events", "5000000"],
    [run(1_000_000, 9_000)],
  );
  assert.equal(highCardinalityVerdict(bench), "no (67% of N=1,000,000)");
});

Deno.test("bench report: Cassandra rows per event count the log row and the state rows", () => {
  const bench = results(["--events", "1000000"], [{
    ...run(1_000_000, 9_000),
    stateRowsWritten: 50_000,
  }]);
  const row = figureRows(bench).find((r) => r.figure.startsWith("Cassandra rows written"));
  assert.equal(row?.value, "1.050 (50,000 state rows)");
  assert.equal(row?.met, "yes");
});

Deno.test("bench report: the file source's lines/s beside the load rate, its target the pipeline's rate", () => {
  const file = {
    lines: 200_000,
    bytes: 47_000_000,
    format: "nginx_timed",
    seconds: 20,
    linesPerSecond: 10_000,
    firstLineSeconds: 0.8,
    problems: [],
  };
  const bench = { ...results(["--events", "1000000"], [run(1_000_000, 8_000)]), fileSource: file };
  const row = figureRows(bench).find((r) => r.figure.startsWith("file source"));
  assert.deepEqual(row, {
    figure: "file source into Kafka, nginx_timed lines (N=200,000)",
    value: "10,000 lines/s",
    ceiling: "20% of load rate 50,000/s",
    baseline: "-",
    target: "≥ pipeline throughput",
    met: "yes (125% of N=1,000,000)",
  });
  const wrong = { ...file, problems: ["3 lines dead-lettered"] };
  const failed = figureRows({ ...bench, fileSource: wrong }).find((r) =>
    r.figure.startsWith("file source")
  );
  assert.equal(failed?.met, "FAILED (3 lines dead-lettered)");
  const alone = figureRows({ ...bench, throughput: [] }).find((r) =>
    r.figure.startsWith("file source")
  );
  assert.equal(alone?.ceiling, "-");
  assert.equal(alone?.met, "n/a (no main run)");
});
