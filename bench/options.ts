/**
 * Command-line options of `deno task bench`.
 *
 * @module
 */
import { parseArgs } from "cli";
import { errorText } from "../lib/errors.ts";

/** What one bench run measures, read from the command line. */
export interface BenchOptions {
  /** Events loaded for the throughput, batch, ceiling and baseline figures. */
  events: number;
  /** Events of the high-cardinality scenario (default `events`). */
  highCardinalityEvents: number;
  /** Every size the throughput and memory figures are measured at (includes `events`). */
  scales: number[];
  /** Events per second produced during the freshness measurement. */
  rate: number;
  /** How long the freshness load lasts, seconds. */
  freshnessSeconds: number;
  /** Skip the raw consume/insert/scan ceilings and the naive baseline. */
  skipCeilings: boolean;
  /** Where the JSON report goes. */
  out: string;
  /** HTTP ingest scenario: run it (`with`), skip it, or run only it. */
  http: "with" | "skip" | "only";
  /** Concurrent HTTP clients. */
  httpClients: number;
  /** How long the HTTP clients post, seconds. */
  httpSeconds: number;
  /** Events per HTTP request. */
  httpBatch: number;
  /** Lines of the temporary log file the `file` source reads for its rate. */
  fileLines: number;
  /** Run only the long chaos run (`--events` events, every fault, on private servers). */
  chaosOnly: boolean;
  /** Seconds the chaos run's feed takes. */
  chaosSeconds: number;
}

/** Usage text of `deno task bench`. */
export const BENCH_USAGE = `usage: deno task bench [options]

Measures the pipeline on the running Kafka and Cassandra, each part on its own fresh keyspace,
topics and consumer group (all dropped at the end).

  --events N              events loaded for throughput, batch, ceilings (default 1000000)
  --scales N,N,...        also measure throughput and runner memory at these sizes
  --rate N                events/s during the freshness measurement (default 5000)
  --freshness-seconds S   how long the freshness load lasts (default 20)
  --high-cardinality-events N
                          events of the high-cardinality scenario (default --events), e.g.
                          5000000 for its memory at 5M while the rest runs at --events; its
                          rate is compared with the default run of the same count when
                          --scales has one (else with --events)
  --skip-ceilings         skip the raw Kafka/Cassandra ceilings and the naive baseline
  --http-only             run only the HTTP ingest scenario
  --skip-http             skip the HTTP ingest scenario
  --http-clients N        concurrent HTTP clients (default 50)
  --http-seconds S        how long they post (default 30)
  --http-batch N          events per request (default 100)
  --file-lines N          lines of the nginx_timed file the file source reads into Kafka for
                          its lines/s (default 200000)
  --chaos-only            run only the long chaos run: --events events, 3 runners, 10 SIGKILLs,
                          a rebalance storm, broker and Cassandra restarts, a 30 s freeze, on
                          the chaos job's private Kafka and Cassandra (see deno task chaos)
  --chaos-seconds S       seconds the chaos run's feed takes (default: events / 2000)
  --out FILE              JSON report (default bench/results.json; with --http-only
                          bench/results_http.json; with --chaos-only bench/results_chaos.json)
  --help                  show this help`;

/** A command-line mistake; the message names the flag, what was found and what is expected. */
export class BenchUsageError extends Error {
  /** @param message What was wrong. */
  constructor(message: string) {
    super(message);
    this.name = "BenchUsageError";
  }
}

/**
 * Reads the bench options.
 *
 * @param args Command-line arguments (without the script).
 * @returns The options, or `"help"` when `--help` was given.
 * @throws {BenchUsageError} When a flag is unknown or its value out of range.
 *
 * @example
 * ```ts
 * import { parseBenchArgs } from "./options.ts";
 * const options = parseBenchArgs(["--events", "100000", "--scales", "50000"]);
 * console.assert(options !== "help" && options.scales.join() === "50000,100000");
 * ```
 */
export function parseBenchArgs(args: string[]): BenchOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        events: { type: "string", default: "1000000" },
        scales: { type: "string" },
        "high-cardinality-events": { type: "string" },
        rate: { type: "string", default: "5000" },
        "freshness-seconds": { type: "string", default: "20" },
        "skip-ceilings": { type: "boolean", default: false },
        "http-only": { type: "boolean", default: false },
        "skip-http": { type: "boolean", default: false },
        "http-clients": { type: "string", default: "50" },
        "http-seconds": { type: "string", default: "30" },
        "http-batch": { type: "string", default: "100" },
        "file-lines": { type: "string", default: "200000" },
        "chaos-only": { type: "boolean", default: false },
        "chaos-seconds": { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new BenchUsageError(errorText(error));
  }
  if (values.help) return "help";
  if (values["chaos-only"] && values["http-only"]) {
    throw new BenchUsageError("--chaos-only and --http-only contradict each other; give one");
  }
  if (values["http-only"] && values["skip-http"]) {
    throw new BenchUsageError("--http-only and --skip-http contradict each other; give one");
  }
  const events = count("events", values.events);
  const scales = values.scales === undefined
    ? []
    : values.scales.split(",").map((part: string) => count("scales", part.trim()));
  return {
    events,
    highCardinalityEvents: values["high-cardinality-events"] === undefined
      ? events
      : count("high-cardinality-events", values["high-cardinality-events"]),
    scales: [...new Set([...scales, events])].sort((a, b) => a - b),
    rate: count("rate", values.rate),
    freshnessSeconds: count("freshness-seconds", values["freshness-seconds"]),
    skipCeilings: values["skip-ceilings"],
    out: values.out ??
      (values["http-only"]
        ? "bench/results_http.json"
        : values["chaos-only"]
        ? "bench/results_chaos.json"
        : "bench/results.json"),
    http: values["http-only"] ? "only" : values["skip-http"] ? "skip" : "with",
    httpClients: count("http-clients", values["http-clients"]),
    httpSeconds: count("http-seconds", values["http-seconds"]),
    httpBatch: count("http-batch", values["http-batch"]),
    fileLines: count("file-lines", values["file-lines"]),
    chaosOnly: values["chaos-only"],
    chaosSeconds: values["chaos-seconds"] === undefined
      ? Math.max(60, Math.round(events / 2000))
      : count("chaos-seconds", values["chaos-seconds"]),
  };
}

function count(flag: string, text: string): number {
  const value = Number(text.replaceAll("_", ""));
  if (text.trim() === "" || !Number.isInteger(value) || value < 1) {
    throw new BenchUsageError(
      `--${flag}: expected a whole number ≥ 1, found ${JSON.stringify(text)}`,
    );
  }
  return value;
}
