/**
 * Shared helpers for integration tests: unique names, clients for the local services, and
 * waiting on conditions instead of sleeping.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { CassandraSettings, KafkaSettings } from "../lib/config/pipeline.ts";
import { createCassandraClient } from "../lib/runtime/cassandra.ts";
import { cassandraContactPoints, kafkaBrokers } from "../lib/services/settings.ts";

/** A short unique suffix so each test run uses its own topics, groups and keyspaces. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Kafka settings pointing at the services the test task made sure answer. */
export function testKafkaSettings(): KafkaSettings {
  return { brokers: kafkaBrokers(), clientId: "web-analytics-test" };
}

/** Cassandra settings for a test-owned keyspace. */
export function testCassandraSettings(keyspace: string): CassandraSettings {
  return {
    contactPoints: cassandraContactPoints(),
    localDataCenter: "datacenter1",
    keyspace,
    replication: { class: "SimpleStrategy", replication_factor: 1 },
  };
}

/** A connected Cassandra client for tests. */
export async function connectTestCassandra(keyspace: string): Promise<cassandra.Client> {
  const client = createCassandraClient(testCassandraSettings(keyspace));
  await client.connect();
  return client;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
}
