/**
 * `http` source: events from browsers and backends over HTTP, written to a Kafka topic that a
 * `kafka` source reads, so exactly-once stays the Kafka path's job. A request is answered 202
 * only after Kafka acknowledged its events (idempotent producer, acks from all in-sync
 * replicas, every partition's answer checked), 503 with `Retry-After` when it did not.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Producer } from "kafkajs";
import {
  acknowledgedSender,
  ApiKeyListError,
  parseApiKeyFile,
  parseApiKeyVariable,
  partitionsOption,
  type SourcePlugin,
  type SourceRunner,
  type StoredApiKey,
  tokenBuckets,
  topicOption,
  z,
} from "../../lib/sdk/mod.ts";
import { ingestRoutes } from "./http/ingest_routes.ts";
import { groupedWriter } from "./http/grouped_writer.ts";

const ORIGIN =
  /^(\*|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?|https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A string matching `pattern`; the error says what was expected and what was found. */
function matching(pattern: RegExp, expected: string, format: string): z.ZodString {
  return z.string().check((context) => {
    if (!pattern.test(context.value)) {
      context.issues.push({
        code: "custom",
        message: `expected ${expected}, found ${JSON.stringify(context.value)}`,
        input: context.value,
      });
    }
  }).meta({ format });
}

const options = z.strictObject({
  topic: topicOption("RAWLOG", "Topic accepted events are written to; a `kafka` source reads it."),
  partitions: partitionsOption(6),
  api_keys_env: matching(ENV_NAME, "an environment variable name", "environment variable name")
    .default("INGEST_API_KEYS")
    .describe("Environment variable holding key entries NAME=sha256:HEX (comma separated).")
    .meta({ examples: ["INGEST_API_KEYS"] }),
  api_keys_file: z.string().min(1).optional()
    .describe("File of key entries, one NAME=sha256:HEX per line (relative to the working folder).")
    .meta({ examples: ["secrets/api_keys.txt"] }),
  allowed_keys: z.array(z.string().min(1)).min(1).optional()
    .describe("Names of the keys this source accepts (others get 403); default: every key.")
    .meta({ examples: [["shop-frontend", "backend"]] }),
  max_body_bytes: z.number().int().min(1024).max(64 * 1_048_576).default(1_048_576)
    .describe("Largest request body in bytes; larger ones get 413.")
    .meta({ examples: [1_048_576] }),
  max_items: z.number().int().min(1).max(100_000).default(1000)
    .describe("Most events in one request; more get 413.")
    .meta({ examples: [1000] }),
  rate_limit: z.number().gt(0).default(1000)
    .describe("Events per second each key may send on average; above it, 429 with Retry-After.")
    .meta({ examples: [1000] }),
  rate_burst: z.number().int().min(1).default(10_000)
    .describe("Events a key may send at once after being idle (the token bucket's size).")
    .meta({ examples: [10_000] }),
  cors_origins: z.array(
    matching(
      ORIGIN,
      "an origin like https://shop.example (scheme, host, port), or *",
      "origin or *",
    ),
  ).default([])
    .describe("Origins whose pages may post events from a browser (`*`: any); default none.")
    .meta({ examples: [["https://shop.example"]] }),
});

/** Validated `http` source options. */
export type HttpSourceOptions = z.output<typeof options>;

/**
 * Limits of one Kafka write. A broker takes at most `message.max.bytes` (1 MiB by default) per
 * partition in one produce request; a write of at most 512 KiB fits even if every message of it
 * lands in the same partition.
 */
const WRITE_LIMITS = { maxMessages: 10_000, maxBytes: 512 * 1024 };
/**
 * How long a request waits for a connection to Kafka before it is answered 503. Only the
 * connection is given up on (it goes on in the background); a write, once started, is always
 * awaited, since only its outcome says whether the events were acknowledged.
 */
const CONNECT_WAIT_MS = 3_000;

/** `promise`, or a rejection saying Kafka did not answer within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection to Kafka within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Reads the key store from the environment variable and the file; at least one key. */
async function loadKeys(settings: HttpSourceOptions): Promise<StoredApiKey[]> {
  const keys: StoredApiKey[] = [];
  const fromEnv = Deno.env.get(settings.api_keys_env);
  if (fromEnv !== undefined) keys.push(...parseApiKeyVariable(fromEnv, settings.api_keys_env));
  if (settings.api_keys_file !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(settings.api_keys_file);
    } catch (error) {
      throw new ApiKeyListError(
        `http source: cannot read api_keys_file ${JSON.stringify(settings.api_keys_file)} ` +
          `(${error instanceof Error ? error.message : error}); the path is relative to ` +
          `${Deno.cwd()}`,
      );
    }
    keys.push(...parseApiKeyFile(text, settings.api_keys_file));
  }
  const where = [settings.api_keys_env, settings.api_keys_file].filter(Boolean).join(" or ");
  if (keys.length === 0) {
    throw new ApiKeyListError(
      `http source: no API key in ${where}; create one with \`deno task api-key NAME\` and put ` +
        `its NAME=sha256:HEX entry there`,
    );
  }
  const names = new Set(keys.map((key) => key.name));
  if (names.size !== keys.length) {
    throw new ApiKeyListError(`http source: a key name appears in both ${where}; keep one`);
  }
  for (const name of settings.allowed_keys ?? []) {
    if (!names.has(name)) {
      throw new ApiKeyListError(
        `http source: allowed_keys names ${JSON.stringify(name)}, but ${where} has no such ` +
          `key (it has ${[...names].map((n) => JSON.stringify(n)).join(", ")})`,
      );
    }
  }
  return keys;
}

/** The `http` source plugin. */
const httpSource: SourcePlugin<HttpSourceOptions> = {
  kind: "source",
  name: "http",
  summary: "Accepts events over HTTP (POST /api/events) and writes them to a Kafka topic.",
  description: "JSON events (one, an array, or NDJSON) and combined-format lines (text/plain), " +
    "validated like the kafka source validates; the server fills event_id and event_time when " +
    "absent. A request is answered 202 only once Kafka acknowledged its events (idempotent " +
    "producer, all in-sync replicas), 503 with Retry-After when it did not. API keys (stored " +
    "as SHA-256, compared in constant time), a body limit, per-key rate limits and CORS protect " +
    "it; GET /t.js serves the browser tracker. A kafka source on the same topic feeds the " +
    "aggregations.",
  options,
  example: { topic: "RAWLOG", cors_origins: ["https://shop.example"], rate_limit: 500 },
  feedsTopic: (settings) => settings.topic,
  topics: (settings) => [{ topic: settings.topic, partitions: settings.partitions }],
  async open(settings, context): Promise<SourceRunner> {
    const keys = await loadKeys(settings);
    const producer: Producer = context.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    let connected: Promise<void> | undefined;
    const connect = () =>
      connected ??= producer.connect().catch((error) => {
        connected = undefined;
        throw error;
      });
    // Every partition's answer is checked (a kafkajs send can resolve without some).
    const topicSender = acknowledgedSender(context.kafka, producer, settings.topic);
    const writer = groupedWriter(async (messages) => {
      await within(connect(), CONNECT_WAIT_MS);
      await topicSender.send(messages.map((message) => ({
        key: message.key,
        value: Buffer.from(message.value),
      })));
    }, WRITE_LIMITS);
    const routes = ingestRoutes({
      keys,
      allowedKeys: settings.allowed_keys === undefined ? undefined : new Set(settings.allowed_keys),
      limiter: tokenBuckets({ ratePerSecond: settings.rate_limit, burst: settings.rate_burst }),
      maxBodyBytes: settings.max_body_bytes,
      maxItems: settings.max_items,
      cors: {
        origins: settings.cors_origins,
        methods: ["POST"],
        headers: ["content-type", "x-api-key", "authorization"],
        maxAgeSeconds: 600,
      },
      writer,
      now: () => Date.now(),
      log: context.log,
    });
    context.log(
      `http source: POST /api/events for ${keys.length} key(s) into Kafka topic ${settings.topic}`,
    );
    return {
      routes,
      run: (_handlers, signal) =>
        new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
        }),
      commit: () => Promise.resolve(),
      reject: () => Promise.resolve(),
      close: () => producer.disconnect(),
    };
  },
};

export default httpSource;
