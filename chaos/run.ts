/**
 * A chaos run: private Kafka and Cassandra, a seeded stream fed at a steady rate, two or three
 * runners in one consumer group, faults injected one after another while they work (each timed
 * until a flush has covered everything in the topic when it ended), then the final equality
 * checks. Used by `deno task chaos` and the short run in `deno task test`.
 *
 * @module
 */
import { dirname } from "node:path";
import type { Admin } from "kafkajs";
import { REPO_ROOT, servicesDir } from "../lib/services/settings.ts";
import { createKafka } from "../lib/runtime/kafka.ts";
import { openPipeline } from "../lib/runtime/start.ts";
import { SeededRandom } from "../lib/traffic/random.ts";
import { errorText } from "../lib/errors.ts";
import { benchTraffic, expectedFrom } from "../bench/expected.ts";
import { BenchNames } from "../bench/names.ts";
import { writeBenchPipeline } from "../bench/pipeline_file.ts";
import { startFeed } from "./feed.ts";
import { type FaultPlan, faultSequence, recoveryBoundMs } from "./faults.ts";
import { committedOffsets, endOffsets, type Offsets, waitCovered } from "./offsets.ts";
import { injectFault } from "./inject.ts";
import type { ChaosReport, FaultRecord } from "./report.ts";
import { RunnerPool, waitForMembers } from "./runners.ts";
import { type PrivateServices, startPrivateServices } from "./services.ts";
import { finalCheck } from "./verify.ts";

/** What a chaos run does. */
export interface ChaosOptions {
  /** Events in the stream. */
  events: number;
  /** Seed of the stream and of the fault order. */
  seed: number;
  /** How long feeding the stream takes, s (sets the rate). */
  durationSeconds: number;
  /** Runners in the group (2 or 3). */
  runners: number;
  /** Faults to inject. */
  plan: FaultPlan;
  /** Progress lines. */
  log: (line: string) => void;
  /** Nodes of Kafka and of Cassandra: 1, or 3 for a cluster (faults then hit one node). */
  nodes: number;
  /** Names the private servers' folders (`.services/<label>-kafka`); runs with different labels
   * may run at once. */
  label: string;
}

/**
 * Runs a chaos run from start to end and stops everything it started.
 *
 * @param options What to do.
 * @returns The report (see `passed`).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log, plan } = options;
  const random = new SeededRandom(options.seed);
  const logs = `${servicesDir()}/${options.label}-logs`;
  const rate = options.events / options.durationSeconds;
  const report: ChaosReport = {
    date: new Date().toISOString(),
    machine: await machine(),
    options: {
      events: options.events,
      seed: options.seed,
      durationSeconds: options.durationSeconds,
      runners: options.runners,
      nodes: options.nodes,
      plan,
    },
    rate,
    faults: [],
    runnerLines: [],
    failures: [],
    slowRecoveries: [],
    notes: [],
    logs,
  };
  await Deno.remove(logs, { recursive: true }).catch(() => {});
  await Deno.mkdir(logs, { recursive: true });
  let services: PrivateServices | undefined;
  let pool: RunnerPool | undefined;
  let admin: Admin | undefined;
  let pipelineFile: string | undefined;
  try {
    const privateServices = services = await startPrivateServices(
      log,
      options.label,
      options.nodes,
      logs,
    );
    const names = new BenchNames(`c${options.seed}`).pipeline("chaos");
    const bench = await writeBenchPipeline(
      `${REPO_ROOT}/pipeline.yaml`,
      names,
      undefined,
      // The two core plugins: every result is checked against the job's own counts, and the
      // full pipeline's flushes under backlog would dominate the recovery times (see
      // docs/benchmarks.md).
      { onlyPlugins: ["top_pages", "status_counts"] },
      {
        brokers: services.brokers,
        contactPoints: services.contactPoints,
        replicationFactor: Math.min(3, options.nodes),
      },
    );
    pipelineFile = bench.file;
    const sessionTimeoutMs = Number(
      (bench.pipeline.sources[0]?.options as { session_timeout_ms?: number })
        .session_timeout_ms ?? 10_000,
    );
    const traffic = { ...benchTraffic(options.events), seed: options.seed };
    const expected = expectedFrom(traffic, bench.pipeline.aggregations);
    const kafka = createKafka(bench.pipeline.kafka);
    admin = kafka.admin();
    await admin.connect();
    const watcher = admin;

    // Schema and topics first, from one client, as a deployment would: runners that all create
    // them at once on a fresh three-node cluster race (a node answers "keyspace doesn't exist"
    // for a keyspace another node just created; see docs/chaos.md, "Cluster mode").
    for (let attempt = 1;; attempt++) {
      try {
        const setup = await openPipeline(bench.pipeline, { log: () => {} });
        await setup.close();
        break;
      } catch (error) {
        // Seen on a fresh cluster: a broker not yet hosting a topic just created elsewhere.
        const note = `creating schema and topics failed (attempt ${attempt}): ${errorText(error)}`;
        report.notes.push(note);
        log(note);
        if (attempt >= 5) throw error;
        await delay(2000);
      }
    }
    const runnerPool = pool = new RunnerPool(bench.file, logs);
    for (let i = 0; i < options.runners; i++) runnerPool.spawn();
    const alive = () => runnerPool.problem();
    await waitForMembers(watcher, names.group, options.runners, 180_000, alive);
    log(
      `${options.runners} runners in group ${names.group}; feeding ${options.events} events ` +
        `at ${Math.round(rate)}/s`,
    );
    const feed = startFeed(kafka, names.topic, traffic, rate, (line) => {
      log(`feed: ${line}`);
      report.notes.push(`feed: ${line}`);
    });
    const fedFrom = performance.now();
    const since = () => (performance.now() - fedFrom) / 1000;

    for (const kind of faultSequence(plan, random)) {
      // Let the runners work a while between faults.
      await delay(1000 + random.int(2000));
      const problem = alive();
      if (problem !== undefined) throw new Error(problem);
      const atSeconds = since();
      const sentAtStart = feed.sent();
      const started = performance.now();
      const committedAtStart = await retrying(() =>
        committedOffsets(watcher, names.group, names.topic)
      );
      // What the runners had read: they were caught up, and cannot read on while it lasts.
      const readAtStart = await retrying(() => endOffsets(watcher, names.topic));
      const detail = await injectFault(kind, {
        pool: runnerPool,
        services: privateServices,
        feed,
        admin: watcher,
        group: names.group,
        plan,
        random,
        alive,
      });
      const endedAt = performance.now();
      const committedAtEnd = await retrying(() =>
        committedOffsets(watcher, names.group, names.topic)
      );
      const target = await retrying(() => endOffsets(watcher, names.topic));
      const bound = recoveryBoundMs(kind, sessionTimeoutMs);
      const wait = (offsets: Offsets) =>
        waitCovered(
          watcher,
          names.group,
          names.topic,
          offsets,
          Math.max(120_000, bound * 6),
          alive,
        );
      const freshAt = await wait(readAtStart);
      const caughtUpAt = await wait(target);
      const record: FaultRecord = {
        kind,
        detail,
        atSeconds,
        sentAtStart,
        outageSeconds: (endedAt - started) / 1000,
        committedDuringFault: sum(committedAtEnd) - sum(committedAtStart),
        recoverySeconds: Math.max(0, freshAt - endedAt) / 1000,
        catchUpSeconds: Math.max(0, caughtUpAt - endedAt) / 1000,
        boundSeconds: bound / 1000,
        withinBound: freshAt - endedAt <= bound,
      };
      report.faults.push(record);
      log(
        `fault ${report.faults.length}: ${kind} (${detail}): recovered in ` +
          `${record.recoverySeconds.toFixed(1)} s (bound ${record.boundSeconds} s), caught up in ` +
          `${record.catchUpSeconds.toFixed(1)} s`,
      );
      if (!record.withinBound) {
        report.slowRecoveries.push(
          `${kind} (${detail}): recovery took ${record.recoverySeconds.toFixed(1)} s, bound ` +
            `${record.boundSeconds} s`,
        );
      }
    }

    const sent = await feed.done;
    if (sent !== options.events) throw new Error(`fed ${sent} of ${options.events} events`);
    const end = await retrying(() => endOffsets(watcher, names.topic));
    const doneAt = await waitCovered(watcher, names.group, names.topic, end, 600_000, alive);
    report.seconds = (doneAt - fedFrom) / 1000;
    log(`every offset committed after ${report.seconds.toFixed(0)} s; stopping the runners`);
    // A runner started by the last fault may still be starting: a SIGTERM before its handler is
    // installed ends it with code 143 instead of a clean stop, so wait until all are members.
    await waitForMembers(watcher, names.group, runnerPool.names.length, 120_000, alive);
    await runnerPool.stopAll();
    log("checking log, results, dead letters and reconcile against the job's own counts");
    report.final = await finalCheck(
      kafka,
      bench.pipeline,
      names.topic,
      names.deadLetterTopic,
      traffic,
      expected,
    );
    report.failures.push(...report.final.problems);
  } catch (error) {
    report.failures.push(errorText(error));
  } finally {
    if (pool !== undefined) {
      report.runnerLines = pool.faultLines.slice(0, 60);
      await pool.killAll();
    }
    await admin?.disconnect().catch(() => {});
    await services?.stop();
    if (pipelineFile !== undefined) {
      await Deno.remove(dirname(pipelineFile), { recursive: true }).catch(() => {});
    }
  }
  return report;
}

function sum(offsets: Offsets): number {
  let total = 0;
  for (const offset of offsets.values()) total += offset;
  return total;
}

async function retrying(read: () => Promise<Offsets>): Promise<Offsets> {
  for (let attempt = 1;; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 60) throw error;
      await delay(500);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function machine(): Promise<ChaosReport["machine"]> {
  const read = (path: string) => Deno.readTextFile(path).catch(() => "");
  const cpuinfo = await read("/proc/cpuinfo");
  const meminfo = await read("/proc/meminfo");
  return {
    nproc: navigator.hardwareConcurrency,
    memoryMb: Math.round(Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0) / 1024),
    cpuModel: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    deno: Deno.version.deno,
  };
}
