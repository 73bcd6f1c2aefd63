/**
 * `deno task bench`: measures the pipeline on the running Kafka and Cassandra — load rate,
 * real-time throughput and runner memory (per scale), freshness, the `file` source's lines per
 * second, batch speed, the raw Kafka/Cassandra ceilings and a naive baseline — checks every
 * result against the bench's own counts, prints a table and writes bench/results.json. Each part runs on its own fresh
 * keyspace, topics and consumer group; all are dropped at the end.
 *
 * Exits 1 when a result is wrong or a part could not be measured, 2 on a usage error.
 *
 * @module
 */
import { dirname } from "node:path";
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import { formatIssues, loadPipeline, PipelineError } from "../lib/config/load.ts";
import type { Pipeline } from "../lib/config/pipeline.ts";
import { createCassandraClient } from "../lib/runtime/cassandra.ts";
import { createKafka } from "../lib/runtime/kafka.ts";
import { probeCassandra, probeKafka } from "../lib/services/probe.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import { generateTraffic } from "../lib/traffic/simulate.ts";
import type { LogRecord } from "../lib/records.ts";
import {
  BENCH_USAGE,
  type BenchOptions,
  BenchUsageError,
  parseBenchArgs,
} from "../bench/options.ts";
import { BenchNames } from "../bench/names.ts";
import { errorText } from "../lib/errors.ts";
import { benchProgress, type Progress } from "../bench/progress.ts";
import { machineInfo } from "../bench/machine.ts";
import {
  type LoadedPipeline,
  measureThroughput,
  type ThroughputResult,
  type ThroughputScenario,
} from "../bench/throughput.ts";
import { measureFreshness } from "../bench/freshness.ts";
import { measureRestore } from "../bench/restore.ts";
import { measureBatch } from "../bench/batch_speed.ts";
import { measureConsume } from "../bench/consume_ceiling.ts";
import { measureInsert } from "../bench/insert_ceiling.ts";
import { measureScan } from "../bench/scan_ceiling.ts";
import { measureBaseline } from "../bench/baseline.ts";
import { measureHttpIngest } from "../bench/http_ingest.ts";
import { measureFileSource } from "../bench/file_source.ts";
import { stopAllRunners } from "../bench/runner_process.ts";
import { benchChaos } from "../chaos/long_run.ts";
import { benchTraffic } from "../bench/expected.ts";
import { anyFailed, type BenchResults, figureRows, renderTable } from "../bench/report.ts";

/** Keys of the partition the restore figure takes back (issue target: 1M keys in 5 s). */
const RESTORE_KEYS = 1_000_000;

const SHIPPED_PIPELINE = `${REPO_ROOT}/pipeline.yaml`;
/** Rows written per insert-ceiling pattern. */
const INSERT_ROWS = 200_000;
/** Distinct pages of the high-cardinality scenario. */
const HIGH_CARDINALITY_PAGES = 1_000_000;
/** The two aggregations the pipeline had before the analytics plugins: the core scenario. */
const CORE_PLUGINS = ["top_pages", "status_counts"];
/** Caps of the naive baseline. */
const BASELINE_MAX_EVENTS = 200_000;
const BASELINE_MAX_SECONDS = 60;

async function main(): Promise<number> {
  let options: BenchOptions | "help";
  try {
    options = parseBenchArgs(Deno.args);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  if (options === "help") {
    console.log(BENCH_USAGE);
    return 0;
  }
  if (options.chaosOnly) return await benchChaos(options.events, options.chaosSeconds, options.out);
  let shipped: Pipeline;
  try {
    shipped = await loadPipeline(SHIPPED_PIPELINE);
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    console.error(`bench: ${SHIPPED_PIPELINE} is not valid:\n${formatIssues(error.issues)}`);
    return 1;
  }
  const progress = benchProgress();
  const [kafkaProbe, cassandraProbe] = await Promise.all([
    probeKafka(shipped.kafka.brokers),
    probeCassandra(shipped.cassandra.contactPoints, shipped.cassandra.localDataCenter),
  ]);
  const down = [
    ...(kafkaProbe.ok ? [] : [
      `Kafka does not answer on ${shipped.kafka.brokers.join(", ")} ` +
      `(${kafkaProbe.error})`,
    ]),
    ...(cassandraProbe.ok ? [] : [
      `Cassandra does not answer on ${shipped.cassandra.contactPoints.join(", ")} ` +
      `(${cassandraProbe.error})`,
    ]),
  ];
  if (down.length > 0) {
    console.error(
      `bench: ${down.join("; ")}.\nStart them with \`deno task services up\` ` +
        "(or set KAFKA_BROKERS / CASSANDRA_CONTACT_POINTS) and run the bench again.",
    );
    return 1;
  }

  const names = new BenchNames();
  const kafka = createKafka(shipped.kafka);
  const rawSettings = { ...shipped.cassandra, keyspace: names.keyspace("raw") };
  const client = createCassandraClient(rawSettings);
  await client.connect();
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    cleaned ??= (async () => {
      await stopAllRunners();
      progress.line(`dropping the bench's keyspaces, topics and groups (run ${names.run})`);
      const problems = await names.drop(kafka, client);
      for (const problem of problems) progress.line(`could not drop ${problem}`);
      await client.shutdown().catch(() => {});
    })();
  const interrupted = () => {
    progress.line("interrupted: cleaning up");
    cleanUp().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", interrupted);
  Deno.addSignalListener("SIGTERM", interrupted);

  try {
    const results: BenchResults = {
      date: new Date().toISOString(),
      machine: await machineInfo(client),
      options,
      throughput: [],
      errors: [],
    };
    progress.line(
      `bench run ${names.run}: ${options.events} events, scales ${options.scales.join(", ")}; ` +
        `${results.machine.nproc} cores, ${results.machine.cpuModel}`,
    );
    if (options.http !== "skip") {
      await part(results, progress, "HTTP ingest", async () => {
        results.http = await measureHttpIngest(kafka, client, names, SHIPPED_PIPELINE, {
          clients: options.httpClients,
          seconds: options.httpSeconds,
          batch: options.httpBatch,
        }, progress);
        const h = results.http;
        progress.line(
          `http: ${Math.round(h.acceptedPerSecond)} events/s accepted, p50 ` +
            `${Math.round(h.p50Ms)} ms, p99 ${Math.round(h.p99Ms)} ms`,
        );
      });
    }
    const loaded = options.http === "only"
      ? undefined
      : await throughputAtEachScale(kafka, client, names, options, results, progress);
    if (options.http !== "only") {
      await measureVariants(kafka, client, names, options, shipped, results, progress);
    }
    await part(results, progress, "restore", async () => {
      progress.line(`restore: taking a partition of ${RESTORE_KEYS} keys back from its changelog`);
      results.restore = await measureRestore(
        client,
        rawSettings,
        names.keyspace("restore"),
        RESTORE_KEYS,
      );
      const r = results.restore;
      progress.line(
        `restore: ${r.restoredKeys} keys (${r.bytes} bytes) in ${r.seconds.toFixed(2)} s`,
      );
    });
    if (loaded !== undefined) {
      await part(results, progress, "batch recompute", async () => {
        progress.line("batch: computeFromLog + writeResults over every loaded day");
        results.batch = await measureBatch(loaded);
        const b = results.batch;
        progress.line(
          `batch: ${b.rows} rows in ${(b.computeSeconds + b.writeSeconds).toFixed(1)} ` +
            `s (${Math.round(b.rowsPerSecond)} rows/s)` +
            (b.problems.length === 0
              ? ", results correct"
              : `; WRONG:\n  ${b.problems.join("\n  ")}`),
        );
      });
    }
    if (!options.skipCeilings && loaded !== undefined) {
      await measureCeilings(kafka, client, names, rawSettings, loaded, options, results, progress);
    }

    const rows = figureRows(results);
    console.log(`\n${renderTable(rows)}\n`);
    console.log(LEGEND);
    await Deno.mkdir(dirname(options.out), { recursive: true });
    await Deno.writeTextFile(
      options.out,
      JSON.stringify({ ...results, table: rows }, null, 2) + "\n",
    );
    progress.line(`wrote ${options.out}`);
    return anyFailed(rows) ? 1 : 0;
  } finally {
    Deno.removeSignalListener("SIGINT", interrupted);
    Deno.removeSignalListener("SIGTERM", interrupted);
    await cleanUp();
  }
}

const LEGEND =
  `How: throughput = N / (runner's group got its partitions -> its committed offsets cover
all N), runner = child process with the shipped aggregations and sinks; results checked against
the bench's own counts. Freshness = first 50 ms poll of the daily results' window_records showing
a batch's cumulative count - time the batch was handed to the producer. File source = N
nginx_timed lines / (source started -> the topic's end offsets sum to N). Batch = log rows /
(computeFromLog + writeResults). Ceilings: best of the patterns in the JSON report. Memory =
runner VmHWM from /proc.`;

/** Runs one part; a failure is recorded and the bench goes on. */
async function part(
  results: BenchResults,
  progress: Progress,
  name: string,
  run: () => Promise<void>,
): Promise<void> {
  try {
    await run();
  } catch (error) {
    results.errors.push(`${name}: ${errorText(error).split("\n")[0]}`);
    progress.line(`${name} failed: ${errorText(error)}`);
  }
}

async function throughputAtEachScale(
  kafka: Kafka,
  client: cassandra.Client,
  names: BenchNames,
  options: BenchOptions,
  results: BenchResults,
  progress: Progress,
): Promise<LoadedPipeline | undefined> {
  let kept: LoadedPipeline | undefined;
  for (const events of options.scales) {
    await part(results, progress, `pipeline throughput N=${events}`, async () => {
      const { result, loaded } = await measureThroughput(
        kafka,
        client,
        names,
        SHIPPED_PIPELINE,
        events,
        progress,
      );
      results.throughput.push(result);
      if (events === options.events) kept = loaded;
      else {
        // Only the main size is read again (batch, ceilings, baseline); free the disk now.
        await names.drop(kafka, client, loaded.bench.names);
      }
    });
  }
  return kept;
}

async function measureCeilings(
  kafka: Kafka,
  client: cassandra.Client,
  names: BenchNames,
  rawSettings: Pipeline["cassandra"],
  loaded: LoadedPipeline,
  options: BenchOptions,
  results: BenchResults,
  progress: Progress,
): Promise<void> {
  const { bench, expected } = loaded;
  const ceilings: NonNullable<BenchResults["ceilings"]> = { consume: [], insert: [], scan: [] };
  await part(results, progress, "consume ceiling", async () => {
    progress.line("ceiling: raw kafkajs consume of the loaded topic");
    ceilings.consume = await measureConsume(kafka, names, bench.names.topic, options.events);
    for (const a of ceilings.consume) {
      progress.line(`  ${Math.round(a.eventsPerSecond)} events/s: ${a.pattern}`);
    }
  });
  await part(results, progress, "insert ceiling", async () => {
    const records: LogRecord[] = [];
    for (const event of generateTraffic(benchTraffic(options.events))) {
      if (event.record !== undefined) records.push(event.record);
      if (records.length >= INSERT_ROWS) break;
    }
    progress.line(`ceiling: raw cassandra-driver insert of ${records.length} log rows`);
    ceilings.insert = await measureInsert(client, rawSettings, records);
    for (const a of ceilings.insert) {
      progress.line(`  ${Math.round(a.rowsPerSecond)} rows/s: ${a.pattern}`);
    }
  });
  await part(results, progress, "scan ceiling", async () => {
    progress.line("ceiling: raw full scan of the runner's log table");
    const table = `${bench.pipeline.cassandra.keyspace}.${bench.pipeline.runtime.logTable}`;
    ceilings.scan = await measureScan(client, table, [...expected.buckets.keys()]);
    for (const a of ceilings.scan) {
      progress.line(`  ${Math.round(a.rowsPerSecond)} rows/s (${a.rows} rows): ${a.pattern}`);
      if (a.rows !== expected.valid) {
        results.errors.push(`scan ceiling read ${a.rows} log rows, expected ${expected.valid}`);
      }
    }
  });
  results.ceilings = ceilings;
  await part(results, progress, "naive baseline", async () => {
    progress.line(
      `baseline: naive consumer, one awaited INSERT per message (cap ${BASELINE_MAX_SECONDS} s ` +
        `or ${BASELINE_MAX_EVENTS} events)`,
    );
    const baseline = await measureBaseline(
      kafka,
      client,
      rawSettings,
      names,
      bench.names.topic,
      options.events,
      BASELINE_MAX_EVENTS,
      BASELINE_MAX_SECONDS,
    );
    results.baseline = {
      ...baseline,
      maxEvents: BASELINE_MAX_EVENTS,
      maxSeconds: BASELINE_MAX_SECONDS,
    };
    progress.line(
      `  ${Math.round(baseline.eventsPerSecond)} events/s over ${baseline.events} ` +
        `events (stopped by ${baseline.cappedBy})`,
    );
  });
}

try {
  Deno.exit(await main());
} catch (error) {
  await stopAllRunners();
  console.error(`bench: ${errorText(error)}`);
  Deno.exit(1);
}

/**
 * The parts measured on the shipped pipeline beside the main runs: high cardinality, the core
 * pipeline, freshness and the file source.
 */
async function measureVariants(
  kafka: Kafka,
  client: cassandra.Client,
  names: BenchNames,
  options: BenchOptions,
  shipped: Pipeline,
  results: BenchResults,
  progress: Progress,
): Promise<void> {
  /** The same events through the shipped pipeline, varied by `scenario`. */
  const variant = (
    label: string,
    line: string,
    scenario: ThroughputScenario,
    store: (result: ThroughputResult) => void,
    events = options.events,
  ) =>
    part(results, progress, label, async () => {
      progress.line(line);
      const { result, loaded: variantLoaded } = await measureThroughput(
        kafka,
        client,
        names,
        SHIPPED_PIPELINE,
        events,
        progress,
        scenario,
      );
      store(result);
      await names.drop(kafka, client, variantLoaded.bench.names);
    });
  await variant(
    "high-cardinality throughput",
    `high cardinality: ${options.highCardinalityEvents} events over ` +
      `${HIGH_CARDINALITY_PAGES} distinct pages, raw URIs counted`,
    { pages: HIGH_CARDINALITY_PAGES },
    (result) => results.highCardinality = result,
    options.highCardinalityEvents,
  );
  await variant(
    "core-pipeline throughput",
    `core pipeline: the same ${options.events} events through ${
      CORE_PLUGINS.join(" and ")
    } only, beside the full shipped pipeline`,
    { onlyPlugins: CORE_PLUGINS },
    (result) => results.corePipeline = result,
  );
  await part(results, progress, "freshness", async () => {
    results.freshness = await measureFreshness(
      kafka,
      client,
      names,
      SHIPPED_PIPELINE,
      options.rate,
      options.freshnessSeconds,
      progress,
    );
    const f = results.freshness;
    progress.line(
      `freshness: p50 ${Math.round(f.p50Ms)} ms, p99 ${Math.round(f.p99Ms)} ms ` +
        `over ${f.batches} batches (${f.unseen} never visible)`,
    );
  });
  await part(results, progress, "file source", async () => {
    results.fileSource = await measureFileSource(
      kafka,
      client,
      names,
      options.fileLines,
      progress,
      shipped.kafka.topicReplicationFactor,
    );
    const f = results.fileSource;
    progress.line(
      `file source: ${f.lines} lines in ${f.seconds.toFixed(1)} s ` +
        `(${Math.round(f.linesPerSecond)} lines/s)` +
        (f.problems.length === 0 ? "" : `; WRONG: ${f.problems.join("; ")}`),
    );
  });
}
