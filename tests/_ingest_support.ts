/**
 * Support for tests of the `http` source: API keys in a test-owned environment variable, the
 * source opened against a Kafka client and served on a free port, a port nothing listens on,
 * and reading back exactly what a topic holds.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import httpSource, { type HttpSourceOptions } from "../plugins/sources/http.ts";
import { newApiKey } from "../lib/guards/api_keys.ts";
import { type RouteServer, serveRoutes } from "./_serve_routes.ts";
import type { RuntimeContext, SourceRunner } from "../lib/contracts.ts";
import { createKafka, ensureTopics } from "../lib/runtime/kafka.ts";
import { uniqueSuffix, waitFor } from "./_support.ts";

/** Keys made for one test, by name, and the variable their entries are in. */
export interface TestKeys {
  /** Environment variable holding the entries. */
  variable: string;
  /** Plain keys by name (what clients send). */
  keys: Record<string, string>;
}

/** Makes keys with these names and puts their entries in a new environment variable. */
export async function makeTestKeys(...names: string[]): Promise<TestKeys> {
  const variable = `TEST_INGEST_KEYS_${uniqueSuffix().toUpperCase()}`;
  const made = await Promise.all(names.map((name) => newApiKey(name)));
  Deno.env.set(variable, made.map((key) => key.entry).join(","));
  return { variable, keys: Object.fromEntries(names.map((name, i) => [name, made[i]!.key])) };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago and was let go). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** An `http` source served on a free port. */
export interface ServedSource {
  /** Base URL. */
  url: string;
  /** The started source. */
  runner: SourceRunner;
  /** Stops the server, then closes the source. */
  close(): Promise<void>;
}

/**
 * Opens the `http` source with `options` (validated by its own schema, as the loader does)
 * against Kafka at `brokers`, and serves its routes on a free port. The source never touches
 * Cassandra, so the context has no Cassandra client.
 */
export async function serveHttpSource(
  options: Record<string, unknown>,
  brokers: string[],
  log: (line: string) => void = () => {},
): Promise<ServedSource> {
  const settings: HttpSourceOptions = httpSource.options.parse(options);
  const kafka = createKafka({ brokers, clientId: "http-source-test" });
  const context = {
    kafka,
    keyspace: "unused",
    timeZone: "UTC",
    consumerGroup: "unused",
    log,
  } as Omit<RuntimeContext, "cassandra"> as RuntimeContext;
  const runner = await httpSource.open(settings, context);
  const server: RouteServer = await serveRoutes(runner.routes ?? [], { port: 0, log });
  return {
    url: server.url,
    runner,
    async close() {
      await server.shutdown();
      await runner.close();
    },
  };
}

/** Creates a test topic with `partitions` partitions. */
export async function createTopic(kafka: Kafka, topic: string, partitions = 3): Promise<void> {
  await ensureTopics(kafka, [{ topic, partitions }]);
}

/** Deletes test topics. */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((topic) => existing.has(topic));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
}

/** Number of messages a topic holds (sum of its partitions' high-water marks). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** A message read back from a topic. */
export interface ReadMessage {
  /** Key as text, or null. */
  key: string | null;
  /** Value as text. */
  value: string;
}

/** Reads every message a topic holds (as many as its high-water marks say); removes its group. */
export async function readTopic(kafka: Kafka, topic: string): Promise<ReadMessage[]> {
  const total = await topicSize(kafka, topic);
  const messages: ReadMessage[] = [];
  if (total === 0) return messages;
  const groupId = `read-${topic}-${uniqueSuffix()}`;
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        messages.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? "",
        });
        return Promise.resolve();
      },
    });
    await waitFor(
      `all ${total} messages of ${topic}`,
      () => messages.length >= total ? true : undefined,
    );
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
  return messages;
}

/** POSTs `body` to the source's events endpoint; returns status, headers and parsed JSON. */
export async function postEvents(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/api/events`, { method: "POST", body, headers });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

/** Default test Kafka client. */
export function testKafka(brokers: string[]): Kafka {
  return createKafka({ brokers, clientId: "http-source-test" });
}
