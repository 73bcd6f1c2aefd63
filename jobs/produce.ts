/**
 * `deno task produce`: feeds simulated traffic (web-server logs, e-commerce or clickstream
 * events) into a Kafka topic, so the pipeline has something to read. Same seed and options,
 * same messages.
 *
 * @module
 */
import { parseArgs } from "cli";
import { Kafka, logLevel } from "kafkajs";
import { hideTimeoutNegativeWarning } from "../lib/runtime/kafka.ts";
import { TOPIC_NAME } from "../lib/config/identifiers.ts";
import { formatDuration, parseDuration } from "../lib/parse/duration.ts";
import { parseIsoDateTime } from "../lib/parse/time.ts";
import { produceTraffic, type ProduceTrafficOptions } from "../lib/traffic/producer.ts";
import { SHOP_MODEL_DEFAULTS, TRAFFIC_MODES, type TrafficMode } from "../lib/traffic/mod.ts";
import { errorText } from "../lib/errors.ts";
import {
  type Incident,
  INCIDENT_KINDS,
  type IncidentKind,
  parseIncidentStart,
} from "../lib/traffic/incident.ts";

const USAGE = `usage: deno task produce [options]

Sends simulated web-shop traffic to a Kafka topic: web-server logs (JSON objects and
combined-format lines), e-commerce log events, or click-tracker events.

  --mode MODE        weblog, ecommerce or clickstream (default weblog)
  --topic NAME       destination topic, created with --partitions when missing (default RAWLOG)
  --rate N           events per second; 0 = as fast as the broker takes them (default 1000)
  --count N          events to send (default: rate x duration)
  --duration D       how long to send, e.g. 60s, 5m (default 60s; with --count, a time limit)
  --seed N           random seed; the same seed gives the same messages (default: random)
  --start TIME       first timestamp, ISO-8601 e.g. 2026-11-20T00:00:00Z (default: now - span)
  --span D           time span the timestamps cover, e.g. 1h, 3d (default 1h)
  --malformed SHARE  share of malformed messages, 0..1 (default 0.01)
  --late SHARE       share of events stamped 1-48 h late, 0..1 (default 0.02)
  --combined SHARE   share of combined-format lines among valid events, 0..1 (default 0.2;
                     weblog)
  --pages N          distinct URIs on the simulated site (default 3000; weblog)
  --products N       products in the catalogue (default 500; ecommerce, clickstream)
  --users N          distinct visitors (default 5000; ecommerce, clickstream)
  --bot-share S      share of events from the one scraping bot (default 0.05; ecommerce,
                     clickstream)
  --campaign-share S share of visits from a utm campaign (default 0.25; ecommerce, clickstream)
  --cart-share S     chance a product view adds to cart (default 0.2; ecommerce, clickstream)
  --payment-failure-share S
                     share of payments that fail (default 0.08; ecommerce, clickstream)
  --incident KIND    stage an incident (weblog): error-spike (2 in 5 requests fail with 5xx),
                     traffic-drop (4 in 5 requests never arrive) or bot-surge (3 in 5 requests
                     from one scraping bot); without --start, events then carry the current
                     time, and the run lasts until 3 minutes after the incident
  --at WHEN          when it starts: +2m (after now, or after --start) or an ISO-8601 time
                     (default +1m)
  --for D            how long it lasts, e.g. 5m (default 5m)
  --partitions N     partitions of a newly created topic (default 6)
  --batch N          messages per produce request (default 5000)
  --brokers LIST     comma-separated host:port (default $KAFKA_BROKERS or 127.0.0.1:9092)
  --help             show this help`;

/** A command-line mistake; its message says which flag, what was found and what is expected. */
export class UsageError extends Error {
  /** @param message What was wrong. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Everything a produce run needs, read from the command line. */
export interface ProduceCommand {
  /** Destination topic. */
  topic: string;
  /** Bootstrap brokers. */
  brokers: string[];
  /** Stop after this long (ms): set when both --count and --duration are given. */
  durationMs?: number;
  /** Traffic and pacing options for {@linkcode produceTraffic}. */
  traffic: ProduceTrafficOptions;
}

/** Reads a number flag, checking its range. */
function numberFlag(
  flag: string,
  text: string,
  expected: string,
  test: (value: number) => boolean,
): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || !test(value)) {
    throw new UsageError(`--${flag}: expected ${expected}, found ${JSON.stringify(text)}`);
  }
  return value;
}

/** Reads a share flag (0..1). */
function shareFlag(flag: string, text: string): number {
  return numberFlag(flag, text, "a share between 0 and 1 (e.g. 0.02)", (v) => v >= 0 && v <= 1);
}

/** Reads a duration flag. */
function durationFlag(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(
      `--${flag}: expected a duration like 90s, 5m, 1h or 3d, found ${JSON.stringify(text)}`,
    );
  }
  return ms;
}

/** Reads `--start`: an ISO date-time with zone, or a date (midnight UTC). */
function startFlag(text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? parseIsoDateTime(text + "T00:00:00Z")
    : parseIsoDateTime(text);
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--start: expected an ISO-8601 date-time with a zone like 2026-11-20T00:00:00Z, found ${
        JSON.stringify(text)
      }`,
    );
  }
  return ms;
}

/** Flag values as given: strings, checked by `parseProduceArgs`. */
interface Flags {
  mode: string;
  topic: string;
  rate: string;
  count?: string;
  duration?: string;
  seed?: string;
  start?: string;
  span: string;
  malformed: string;
  late: string;
  combined: string;
  pages: string;
  products: string;
  users: string;
  "bot-share": string;
  "campaign-share": string;
  "cart-share": string;
  "payment-failure-share": string;
  partitions: string;
  batch: string;
  brokers?: string;
  incident?: string;
  at: string;
  for: string;
  help: boolean;
}

/** Splits the command line into flag values. */
function readFlags(args: string[]): Flags {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        mode: { type: "string", default: "weblog" },
        topic: { type: "string", default: "RAWLOG" },
        rate: { type: "string", default: "1000" },
        count: { type: "string" },
        duration: { type: "string" },
        seed: { type: "string" },
        start: { type: "string" },
        span: { type: "string", default: "1h" },
        malformed: { type: "string", default: "0.01" },
        late: { type: "string", default: "0.02" },
        combined: { type: "string", default: "0.2" },
        pages: { type: "string", default: "3000" },
        products: { type: "string", default: "500" },
        users: { type: "string", default: "5000" },
        "bot-share": { type: "string", default: String(SHOP_MODEL_DEFAULTS.botShare) },
        "campaign-share": { type: "string", default: String(SHOP_MODEL_DEFAULTS.campaignShare) },
        "cart-share": { type: "string", default: String(SHOP_MODEL_DEFAULTS.cartShare) },
        "payment-failure-share": {
          type: "string",
          default: String(SHOP_MODEL_DEFAULTS.paymentFailureShare),
        },
        partitions: { type: "string", default: "6" },
        batch: { type: "string", default: "5000" },
        brokers: { type: "string" },
        incident: { type: "string" },
        at: { type: "string", default: "+1m" },
        for: { type: "string", default: "5m" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values as Flags;
  } catch (error) {
    throw new UsageError(errorText(error));
  }
}

/**
 * Reads the command line.
 *
 * @param args Arguments after the task name.
 * @param now Current time (ms), for the default start.
 * @param env Environment lookup, for `KAFKA_BROKERS`.
 * @returns The command, or undefined when `--help` was asked for.
 * @throws {UsageError} Naming the flag, the value found and what is expected.
 *
 * @example
 * ```ts
 * import { parseProduceArgs } from "./produce.ts";
 * const command = parseProduceArgs(["--count", "10", "--seed", "1"], Date.now(), () => undefined);
 * console.assert(command?.traffic.count === 10);
 * ```
 */
export function parseProduceArgs(
  args: string[],
  now: number,
  env: (name: string) => string | undefined,
): ProduceCommand | undefined {
  const values = readFlags(args);
  if (values.help) return undefined;

  if (!(TRAFFIC_MODES as readonly string[]).includes(values.mode)) {
    throw new UsageError(
      `--mode: expected one of ${TRAFFIC_MODES.join(", ")}, found ${JSON.stringify(values.mode)}`,
    );
  }
  if (!TOPIC_NAME.test(values.topic)) {
    throw new UsageError(
      `--topic: expected a Kafka topic name (1-249 of A-Z a-z 0-9 . _ -), found ${
        JSON.stringify(values.topic)
      }`,
    );
  }
  const rate = numberFlag("rate", values.rate, "events per second ≥ 0", (v) => v >= 0);
  const spanMs = durationFlag("span", values.span);
  const staged = incidentFlags(values, now);
  // A staged incident without --start runs in real time, long enough to watch it resolve.
  const realTime = staged !== undefined && values.start === undefined;
  const durationMs = values.duration === undefined
    ? realTime ? staged.to - now + 180_000 : undefined
    : durationFlag("duration", values.duration);
  if (realTime && rate === 0) {
    throw new UsageError("--rate: a staged incident in real time needs a rate > 0, e.g. 200");
  }
  let count: number;
  if (values.count !== undefined) {
    count = numberFlag(
      "count",
      values.count,
      "a whole number ≥ 1",
      (v) => Number.isInteger(v) && v >= 1,
    );
  } else if (rate > 0) {
    count = Math.max(1, Math.round((rate * (durationMs ?? 60_000)) / 1000));
  } else {
    throw new UsageError(
      "--count: needed with --rate 0 (as fast as possible), since the timestamps are spread " +
        "over --span by event number; e.g. --rate 0 --count 1000000",
    );
  }
  const start = values.start === undefined
    ? realTime ? now : now - spanMs
    : startFlag(values.start);
  const incident = staged === undefined || values.start === undefined
    ? staged
    : { ...staged, from: staged.from - now + start, to: staged.to - now + start };
  if (start < Date.UTC(2000, 0, 1) || start + spanMs > now + 86_400_000) {
    throw new UsageError(
      `--start/--span: timestamps would run from ${new Date(start).toISOString()} to ${
        new Date(start + spanMs).toISOString()
      }; the pipeline only accepts times between 2000 and now + 1 day`,
    );
  }
  const brokerList = values.brokers ?? env("KAFKA_BROKERS") ?? "127.0.0.1:9092";
  const brokers = brokerList.split(",").map((broker) => broker.trim()).filter((b) => b !== "");
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new UsageError(
        `--brokers: expected host:port[,host:port...], found ${JSON.stringify(brokerList)}`,
      );
    }
  }
  if (brokers.length === 0) {
    throw new UsageError(`--brokers: expected host:port[,host:port...], found ""`);
  }

  return {
    topic: values.topic,
    brokers,
    durationMs: values.count === undefined ? undefined : durationMs,
    traffic: {
      mode: values.mode as TrafficMode,
      products: numberFlag(
        "products",
        values.products,
        "a whole number ≥ 1",
        (v) => Number.isInteger(v) && v >= 1,
      ),
      users: numberFlag(
        "users",
        values.users,
        "a whole number ≥ 1",
        (v) => Number.isInteger(v) && v >= 1,
      ),
      model: {
        botShare: shareFlag("bot-share", values["bot-share"]),
        campaignShare: shareFlag("campaign-share", values["campaign-share"]),
        cartShare: shareFlag("cart-share", values["cart-share"]),
        paymentFailureShare: shareFlag("payment-failure-share", values["payment-failure-share"]),
      },
      seed: values.seed === undefined
        ? Math.floor(Math.random() * 2 ** 31)
        : numberFlag("seed", values.seed, "a whole number", Number.isSafeInteger),
      count,
      start,
      spanMs,
      malformedShare: shareFlag("malformed", values.malformed),
      lateShare: shareFlag("late", values.late),
      combinedShare: shareFlag("combined", values.combined),
      pages: numberFlag(
        "pages",
        values.pages,
        "a whole number ≥ 1",
        (v) => Number.isInteger(v) && v >= 1,
      ),
      rate: rate === 0 ? undefined : rate,
      ...(realTime ? { clock: Date.now } : {}),
      ...(incident === undefined ? {} : { incident }),
      partitions: numberFlag(
        "partitions",
        values.partitions,
        "a whole number 1..1000",
        (v) => Number.isInteger(v) && v >= 1 && v <= 1000,
      ),
      batchSize: numberFlag(
        "batch",
        values.batch,
        "a whole number 1..100000",
        (v) => Number.isInteger(v) && v >= 1 && v <= 100_000,
      ),
    },
  };
}

/**
 * Reads `--incident`, `--at` and `--for`; undefined without `--incident`. A relative `--at` is
 * taken from `now` here (the caller moves it to `--start` when one is given).
 */
function incidentFlags(values: Flags, now: number): Incident | undefined {
  if (values.incident === undefined) return undefined;
  if (!(INCIDENT_KINDS as readonly string[]).includes(values.incident)) {
    throw new UsageError(
      `--incident: expected one of ${INCIDENT_KINDS.join(", ")}, found ${
        JSON.stringify(values.incident)
      }`,
    );
  }
  if (values.mode !== "weblog") {
    throw new UsageError(
      `--incident: incidents are staged in weblog traffic; remove --mode ${values.mode}`,
    );
  }
  const from = parseIncidentStart(values.at, now);
  if (from === undefined) {
    throw new UsageError(
      `--at: expected +N followed by s, m or h (e.g. +2m) or an ISO-8601 time with a zone, ` +
        `found ${JSON.stringify(values.at)}`,
    );
  }
  return {
    kind: values.incident as IncidentKind,
    from,
    to: from + durationFlag("for", values.for),
  };
}

/** True when a kafkajs error means no broker could be reached. */
export function isUnreachable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) {
    if (
      /Connection|BrokerNotFound|NumberOfRetriesExceeded/.test(cause.name) ||
      /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|Connection (error|timeout)/i.test(cause.message)
    ) return true;
    // kafkajs keeps the last attempt's error on `originalError`.
    const original = (cause as { originalError?: unknown }).originalError;
    if (original instanceof Error && isUnreachable(original)) return true;
  }
  return false;
}

/** `12,345`. */
function thousands(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Prints progress once a second: one updating line on a terminal, plain lines otherwise. */
function progressPrinter(total: number) {
  const terminal = Deno.stdout.isTerminal();
  const encoder = new TextEncoder();
  const startedAt = performance.now();
  let sent = 0;
  let lastSent = 0;
  let lastAt = startedAt;
  const print = () => {
    const at = performance.now();
    const rate = ((sent - lastSent) * 1000) / Math.max(1, at - lastAt);
    lastSent = sent;
    lastAt = at;
    const percent = ((sent / total) * 100).toFixed(1);
    const line = `sent ${thousands(sent)} / ${thousands(total)} (${percent}%)  ` +
      `${thousands(rate)} events/s  ${formatDuration(at - startedAt)}`;
    if (terminal) Deno.stdout.writeSync(encoder.encode(`\r\x1b[K${line}`));
    else console.log(line);
  };
  const timer = setInterval(print, 1000);
  return {
    update(sentSoFar: number) {
      sent = sentSoFar;
    },
    stop() {
      clearInterval(timer);
      if (terminal) Deno.stdout.writeSync(encoder.encode("\r\x1b[K"));
    },
  };
}

/** Runs the command; returns the exit code. */
async function main(): Promise<number> {
  let command: ProduceCommand | undefined;
  try {
    command = parseProduceArgs(Deno.args, Date.now(), (name) => Deno.env.get(name));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`produce: ${error.message}\n(see deno task produce --help)`);
    return 2;
  }
  if (command === undefined) {
    console.log(USAGE);
    return 0;
  }
  const { topic, brokers, traffic, durationMs } = command;
  hideTimeoutNegativeWarning();
  const kafka = new Kafka({
    clientId: "traffic-producer",
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 3 },
  });

  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  // Without --count, the count already encodes the duration (rate x duration); the timer only
  // limits a run given both, and would otherwise also count the time spent connecting.
  const limit = durationMs === undefined ? undefined : setTimeout(() => stop.abort(), durationMs);
  console.log(
    `producing ${thousands(traffic.count)} ${traffic.mode} events to ${topic} at ${
      brokers.join(",")
    }` +
      ` (${traffic.rate === undefined ? "max rate" : `${thousands(traffic.rate)} events/s`},` +
      ` seed ${traffic.seed}, ` +
      (traffic.clock === undefined
        ? `timestamps ${new Date(traffic.start).toISOString()} + ${formatDuration(traffic.spanMs)})`
        : "timestamps: now)"),
  );
  if (traffic.incident !== undefined) {
    console.log(
      `staging ${traffic.incident.kind} from ${new Date(traffic.incident.from).toISOString()} ` +
        `to ${new Date(traffic.incident.to).toISOString()} (event time)`,
    );
  }
  const progress = progressPrinter(traffic.count);
  try {
    const { sent, elapsedMs } = await produceTraffic(kafka, topic, {
      ...traffic,
      signal: stop.signal,
      onProgress: progress.update,
    });
    progress.stop();
    const rate = (sent * 1000) / Math.max(1, elapsedMs);
    console.log(
      `${stop.signal.aborted ? "stopped: " : ""}sent ${thousands(sent)} events to ${topic} in ` +
        `${formatDuration(elapsedMs)} (${thousands(rate)} events/s, seed ${traffic.seed})`,
    );
    return 0;
  } catch (error) {
    progress.stop();
    if (isUnreachable(error)) {
      console.error(
        `produce: cannot reach Kafka at ${brokers.join(",")} (${
          errorText(error)
        }).\nStart the local services with \`deno task services up\`, or point --brokers ` +
          `(or KAFKA_BROKERS) at a running broker.`,
      );
      return 1;
    }
    console.error(`produce: ${errorText(error)}`);
    return 1;
  } finally {
    clearTimeout(limit);
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) Deno.exit(await main());
