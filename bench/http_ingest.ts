/**
 * The HTTP ingest scenario: a runner with the `http` source in front of the shipped
 * aggregations, `clients` concurrent clients posting batches of `batch` JSON events for
 * `seconds`; accepted events per second, response times, and the check that every
 * acknowledged (202) event is in `log` exactly once.
 *
 * Each event carries its own sequence number in its request URI (`?bench_seq=N`), so the check
 * reads `log` back and counts every number: acknowledged ones must appear exactly once.
 *
 * @module
 */
import { parse, stringify } from "yaml";
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import { loadPipeline } from "../lib/config/load.ts";
import { newApiKey } from "../lib/guards/api_keys.ts";
import { generateTraffic } from "../lib/traffic/simulate.ts";
import type { BenchNames } from "./names.ts";
import { writeBenchPipeline } from "./pipeline_file.ts";
import { spawnRunner } from "./runner_process.ts";
import { committedCount } from "./kafka_group.ts";
import type { Progress } from "./progress.ts";
import { machineCpu, processCpuSeconds } from "./cpu.ts";
import { checkSequences, countSequences, sequencedUri } from "./http_verify.ts";

/** Shape of the scenario. */
export interface HttpIngestSettings {
  /** Concurrent clients. */
  clients: number;
  /** How long they post, seconds. */
  seconds: number;
  /** Events per request. */
  batch: number;
}

/** What the scenario measured. */
export interface HttpIngestResult extends HttpIngestSettings {
  /** Requests answered. */
  requests: number;
  /** Events acknowledged (202). */
  acceptedEvents: number;
  /** Acknowledged events per second of posting. */
  acceptedPerSecond: number;
  /** Median response time, ms. */
  p50Ms: number;
  /** 99th percentile response time, ms. */
  p99Ms: number;
  /** Answers other than 202, by status (or `network` for a failed fetch). */
  refused: Record<string, number>;
  /** Seconds from the end of posting until the pipeline had committed every message. */
  drainSeconds: number;
  /** Events refused (not 202) that nevertheless reached `log` (ambiguous Kafka failures). */
  refusedButStored: number;
  /** The runner's CPU while the clients posted, % of one core (it also runs the pipeline). */
  runnerCpuPercent?: number;
  /** The bench process's own CPU (the clients) while posting, % of one core. */
  clientsCpuPercent?: number;
  /** How busy the whole machine was while posting, %. */
  machineBusyPercent?: number;
  /** What was wrong: acknowledged events missing from `log` or stored twice. */
  problems: string[];
}

const KEYS_VARIABLE = "BENCH_INGEST_API_KEYS";

/** Runs the scenario on its own keyspace, topics and group (dropped with the bench's names). */
export async function measureHttpIngest(
  kafka: Kafka,
  client: cassandra.Client,
  names: BenchNames,
  shippedFile: string,
  settings: HttpIngestSettings,
  progress: Progress,
): Promise<HttpIngestResult> {
  const bench = await writeBenchPipeline(shippedFile, names.pipeline("http"));
  const { key, entry } = await newApiKey("bench");
  Deno.env.set(KEYS_VARIABLE, entry);
  const port = freePort();
  const document = parse(await Deno.readTextFile(bench.file)) as Record<string, unknown>;
  document.http = { listen: `127.0.0.1:${port}` };
  document.sources = [...(document.sources as unknown[]), {
    name: "ingest",
    plugin: "http",
    options: {
      topic: bench.names.topic,
      api_keys_env: KEYS_VARIABLE,
      max_items: Math.max(1000, settings.batch),
      rate_limit: 1e9,
      rate_burst: 1e9,
    },
  }];
  await Deno.writeTextFile(bench.file, stringify(document));
  const pipeline = await loadPipeline(bench.file);

  const runner = spawnRunner(bench.file, (line) => progress.line(`  runner: ${line}`));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(url, runner.lines, 120_000);
    progress.line(
      `http: ${settings.clients} clients posting batches of ${settings.batch} for ` +
        `${settings.seconds} s to ${url}/api/events`,
    );
    const traffic = generateTraffic({
      seed: 4242,
      count: Infinity,
      start: 0,
      spanMs: 3_600_000,
      clock: () => Date.now(),
      malformedShare: 0,
      lateShare: 0,
      combinedShare: 0,
    });
    let seq = 0;
    const decoder = new TextDecoder();
    const nextBody = (): { body: string; first: number } => {
      const first = seq;
      const events: string[] = [];
      for (let i = 0; i < settings.batch; i++) {
        const event = JSON.parse(decoder.decode(traffic.next().value!.value));
        const uri = String(event.request_uri);
        event.request_uri = sequencedUri(uri, seq++);
        events.push(JSON.stringify(event));
      }
      return { body: `[${events.join(",")}]`, first };
    };

    const latencies: number[] = [];
    const acknowledged: number[] = [];
    const refusedFirsts: number[] = [];
    const refused: Record<string, number> = {};
    const cpuBefore = await cpuSnapshot(runner.pid);
    const startedAt = performance.now();
    const endAt = startedAt + settings.seconds * 1000;
    await Promise.all(Array.from({ length: settings.clients }, async () => {
      while (performance.now() < endAt) {
        const { body, first } = nextBody();
        const sentAt = performance.now();
        let status: string;
        try {
          const response = await fetch(`${url}/api/events`, {
            method: "POST",
            body,
            headers: { "content-type": "application/json", "x-api-key": key },
          });
          const answer = await response.json();
          status = response.status === 202 && answer.accepted === settings.batch
            ? "202"
            : String(response.status);
        } catch {
          status = "network";
        }
        latencies.push(performance.now() - sentAt);
        if (status === "202") acknowledged.push(first);
        else {
          refused[status] = (refused[status] ?? 0) + 1;
          refusedFirsts.push(first);
        }
      }
    }));
    const postedSeconds = (performance.now() - startedAt) / 1000;
    const cpu = cpuShares(cpuBefore, await cpuSnapshot(runner.pid), postedSeconds);
    const acceptedEvents = acknowledged.length * settings.batch;
    progress.line(
      `http: ${acceptedEvents} events acknowledged in ${postedSeconds.toFixed(1)} s ` +
        `(${Math.round(acceptedEvents / postedSeconds)} events/s); waiting for the pipeline`,
    );

    const drainStart = performance.now();
    await waitForPipeline(kafka, pipeline.runtime.consumerGroup, bench.names.topic, runner.lines);
    const drainSeconds = (performance.now() - drainStart) / 1000;
    await runner.stop();

    const counts = await countSequences(client, `${bench.names.keyspace}.log`);
    const { problems, refusedButStored } = checkSequences(
      counts,
      acknowledged,
      refusedFirsts,
      settings.batch,
    );
    progress.line(
      problems.length === 0
        ? `http: all ${acceptedEvents} acknowledged events are in log exactly once`
        : `http: WRONG: ${problems.join("; ")}`,
    );
    const sorted = latencies.sort((a, b) => a - b);
    return {
      ...settings,
      requests: latencies.length,
      acceptedEvents,
      acceptedPerSecond: acceptedEvents / postedSeconds,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      refused,
      drainSeconds,
      refusedButStored,
      ...cpu,
      problems,
    };
  } finally {
    await runner.stop(10_000);
    Deno.env.delete(KEYS_VARIABLE);
  }
}

interface CpuSnapshot {
  runner?: number;
  own?: number;
  machine?: { busy: number; total: number };
}

async function cpuSnapshot(runnerPid: number): Promise<CpuSnapshot> {
  return {
    runner: await processCpuSeconds(runnerPid),
    own: await processCpuSeconds(Deno.pid),
    machine: await machineCpu(),
  };
}

function cpuShares(before: CpuSnapshot, after: CpuSnapshot, seconds: number) {
  const percent = (a?: number, b?: number) =>
    a === undefined || b === undefined ? undefined : ((b - a) / seconds) * 100;
  return {
    runnerCpuPercent: percent(before.runner, after.runner),
    clientsCpuPercent: percent(before.own, after.own),
    machineBusyPercent: before.machine === undefined || after.machine === undefined
      ? undefined
      : ((after.machine.busy - before.machine.busy) /
        (after.machine.total - before.machine.total)) * 100,
  };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitUntilServing(url: string, lines: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the runner did not serve ${url} within ${timeoutMs} ms:\n${lines.join("\n")}`);
}

/** Waits until the group has committed every message the topic holds. */
async function waitForPipeline(
  kafka: Kafka,
  group: string,
  topic: string,
  lines: string[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let last = -1;
    let lastChange = performance.now();
    while (true) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const total = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
      const committed = await committedCount(admin, group, topic);
      if (committed >= total) return;
      if (committed !== last) {
        last = committed;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > 120_000) {
        throw new Error(
          `the runner committed nothing for 120 s (${committed}/${total}):\n` +
            lines.slice(-15).join("\n"),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
