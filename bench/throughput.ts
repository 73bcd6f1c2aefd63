/**
 * Pipeline throughput and runner memory at one size: loads N seeded events into a fresh
 * 6-partition topic, runs the real-time runner as a child process from the first record to the
 * last, and checks what it wrote against the bench's own counts.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import { produceTraffic } from "../lib/traffic/producer.ts";
import { benchTraffic, type Expected, expectedFrom } from "./expected.ts";
import { committedCount, waitForStableGroup } from "./kafka_group.ts";
import { machineCpu, processCpuSeconds } from "./cpu.ts";
import type { BenchNames } from "./names.ts";
import { type BenchPipeline, writeBenchPipeline } from "./pipeline_file.ts";
import type { Progress } from "./progress.ts";
import { spawnRunner } from "./runner_process.ts";
import { verifyStored } from "./verify.ts";

/** Figures of one throughput run. */
export interface ThroughputResult {
  /** Events loaded. */
  events: number;
  /** Valid records among them. */
  valid: number;
  /** Load rate of the batched producer, events/s. */
  loadEventsPerSecond: number;
  /** Pipeline throughput: events / (all committed − group got its partitions), events/s. */
  eventsPerSecond: number;
  /**
   * Same, from the first commit to the last (start-up and first flush excluded), events/s;
   * only meaningful when the run lasts many flush intervals.
   */
  steadyEventsPerSecond: number;
  /** Runner CPU while it worked, percent of one core (its JavaScript runs on one thread). */
  runnerCpuPercent?: number;
  /** Whole machine busy while the runner worked, percent of all cores. */
  machineBusyPercent?: number;
  /** Committed offsets over time: [seconds since the group got its partitions, committed]. */
  commitCurve: Array<[number, number]>;
  /** Seconds from the group getting its partitions to every offset committed. */
  seconds: number;
  /** Seconds from spawning the runner to its group getting its partitions. */
  startupSeconds: number;
  /** Peak resident memory of the runner (VmHWM), MiB. */
  peakRssMb: number;
  /** Runner status lines printed while it ran. */
  statusLines: string[];
  /** Distinct simulated URIs (the high-cardinality scenario: 1,000,000, raw URIs counted). */
  pages?: number;
  /** Flush durations the runner reported when it stopped, ms. */
  flushP50Ms?: number;
  /** 99th percentile of the flush durations, ms. */
  flushP99Ms?: number;
  /** Largest single state write the runner reported, bytes. */
  largestWriteBytes?: number;
  /** Cassandra rows of state the runner wrote (changelog chunks and checkpoint rows). */
  stateRowsWritten?: number;
  /** Differences between what was stored and what was sent (empty = correct). */
  problems: string[];
}

/** A throughput run whose pipeline (keyspace, topic) is kept for later measurements. */
export interface LoadedPipeline {
  /** The bench pipeline. */
  bench: BenchPipeline;
  /** What it must hold. */
  expected: Expected;
}

/** A throughput scenario other than the default one. */
export interface ThroughputScenario {
  /** Distinct pages of the simulated site, raw URIs counted (high cardinality). */
  pages?: number;
  /** Run only the aggregations of these plugins. */
  onlyPlugins?: readonly string[];
}

/**
 * Loads `events` events and measures the runner on them.
 *
 * @param kafka Kafka client.
 * @param client Connected Cassandra client.
 * @param names Registry of the run's names.
 * @param shippedFile The shipped pipeline.yaml.
 * @param events How many events.
 * @param progress Progress reporter.
 * @param scenario High cardinality (`pages`: distinct simulated URIs, counted raw) or a reduced
 *   pipeline (`onlyPlugins`); default: the shipped pipeline over the simulator's 3,000 URIs.
 * @returns The figures and the loaded pipeline.
 * @throws {Error} When the runner dies or stalls.
 */
export async function measureThroughput(
  kafka: Kafka,
  client: cassandra.Client,
  names: BenchNames,
  shippedFile: string,
  events: number,
  progress: Progress,
  scenario: ThroughputScenario = {},
): Promise<{ result: ThroughputResult; loaded: LoadedPipeline }> {
  const { pages, onlyPlugins } = scenario;
  const bench = await writeBenchPipeline(
    shippedFile,
    names.pipeline(
      `n${events}${pages === undefined ? "" : `p${pages}`}${onlyPlugins ? "core" : ""}`,
    ),
    undefined,
    { rawUris: pages !== undefined, onlyPlugins },
  );
  const traffic = { ...benchTraffic(events), pages };
  progress.line(`counting the ${events} seeded events the bench will send`);
  const expected = expectedFrom(traffic, bench.pipeline.aggregations);
  if (expected.unchecked.length > 0) {
    progress.line(
      `not verified (no independent count in the bench): ${expected.unchecked.join(", ")}`,
    );
  }

  let lastShown = 0;
  const load = await produceTraffic(kafka, bench.names.topic, {
    ...traffic,
    partitions: 6,
    onProgress: (sent, elapsedMs) => {
      if (elapsedMs - lastShown < 5000) return;
      lastShown = elapsedMs;
      progress.line(`load: ${sent}/${events} (${rate(sent, elapsedMs)} events/s)`);
    },
  });
  const loadEventsPerSecond = load.sent / (load.elapsedMs / 1000);
  progress.line(
    `load: ${load.sent} events in ${(load.elapsedMs / 1000).toFixed(1)} s ` +
      `(${Math.round(loadEventsPerSecond)} events/s)`,
  );

  const statusLines: string[] = [];
  const spawnedAt = performance.now();
  const runner = spawnRunner(bench.file, (line) => {
    if (/events\/s/.test(line)) statusLines.push(line);
    progress.line(`  runner: ${line}`);
  });
  let exitCode: number | undefined;
  runner.exited.then((code) => exitCode = code);
  const alive = () =>
    exitCode === undefined
      ? undefined
      : `the runner exited with code ${exitCode}:\n${runner.lines.slice(-15).join("\n")}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const stableAt = await waitForStableGroup(admin, bench.names.group, 120_000, alive);
    const [cpuBefore, machineBefore] = [await processCpuSeconds(runner.pid), await machineCpu()];
    const commitCurve: Array<[number, number]> = [];
    let committed = 0;
    let firstCommit: { at: number; count: number } | undefined;
    let lastChange = performance.now();
    let lastReport = performance.now();
    while (committed < events) {
      const dead = alive();
      if (dead !== undefined) throw new Error(dead);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await committedCount(admin, bench.names.group, bench.names.topic);
      const at = performance.now();
      if (now > committed) {
        lastChange = at;
        if (firstCommit === undefined) firstCommit = { at, count: now };
      } else if (at - lastChange > 120_000) {
        throw new Error(
          `the runner committed nothing for 120 s (at ${committed}/${events}):\n` +
            runner.lines.slice(-15).join("\n"),
        );
      }
      if (
        now > committed && (commitCurve.length === 0 || now === events ||
          at - stableAt - commitCurve[commitCurve.length - 1]![0] * 1000 >= 1000)
      ) {
        commitCurve.push([Math.round(at - stableAt) / 1000, now]);
      }
      committed = now;
      if (at - lastReport >= 5000) {
        lastReport = at;
        progress.line(
          `pipeline N=${events}: ${committed}/${events} committed ` +
            `(${rate(committed, at - stableAt)} events/s), runner RSS ` +
            `${(runner.memory().rssKb / 1024).toFixed(0)} MiB`,
        );
      }
    }
    const doneAt = performance.now();
    const [cpuAfter, machineAfter] = [await processCpuSeconds(runner.pid), await machineCpu()];
    const memory = runner.memory();
    const code = await runner.stop();
    if (code !== 0) progress.line(`the runner exited with code ${code} after SIGTERM`);
    const flushes = flushFigures(runner.lines);
    const seconds = (doneAt - stableAt) / 1000;
    const steady = firstCommit !== undefined && doneAt > firstCommit.at
      ? (events - firstCommit.count) / ((doneAt - firstCommit.at) / 1000)
      : events / seconds;
    progress.line(
      `pipeline N=${events}: every offset committed after ${seconds.toFixed(1)} s ` +
        `(${Math.round(events / seconds)} events/s); checking results against the bench's counts`,
    );
    const problems = await verifyStored(client, bench.pipeline, expected);
    progress.line(
      problems.length === 0 ? "results: correct" : `results: WRONG\n  ${problems.join("\n  ")}`,
    );
    return {
      result: {
        events,
        valid: expected.valid,
        loadEventsPerSecond,
        eventsPerSecond: events / seconds,
        steadyEventsPerSecond: steady,
        seconds,
        startupSeconds: (stableAt - spawnedAt) / 1000,
        peakRssMb: memory.peakKb / 1024,
        runnerCpuPercent: cpuBefore === undefined || cpuAfter === undefined
          ? undefined
          : ((cpuAfter - cpuBefore) / seconds) * 100,
        machineBusyPercent: machineBefore === undefined || machineAfter === undefined
          ? undefined
          : ((machineAfter.busy - machineBefore.busy) /
            (machineAfter.total - machineBefore.total)) *
            100,
        commitCurve,
        statusLines,
        problems,
        pages,
        ...flushes,
      },
      loaded: { bench, expected },
    };
  } finally {
    await admin.disconnect().catch(() => {});
    if (exitCode === undefined) await runner.stop(10_000);
  }
}

/** The flush figures of the runner's last words (`... p50 X ms, p99 Y ms; largest ... N bytes`). */
export function flushFigures(
  lines: readonly string[],
): Pick<ThroughputResult, "flushP50Ms" | "flushP99Ms" | "largestWriteBytes" | "stateRowsWritten"> {
  for (const line of [...lines].reverse()) {
    const match = /p50 (\d+) ms, p99 (\d+) ms; largest state write (\d+) bytes/.exec(line);
    if (match !== null) {
      const rows = /(\d+) state rows written/.exec(line);
      return {
        flushP50Ms: Number(match[1]),
        flushP99Ms: Number(match[2]),
        largestWriteBytes: Number(match[3]),
        ...(rows === null ? {} : { stateRowsWritten: Number(rows[1]) }),
      };
    }
  }
  return {};
}

function rate(count: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : Math.round(count / (elapsedMs / 1000));
}
