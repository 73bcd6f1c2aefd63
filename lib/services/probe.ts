/**
 * Readiness probes: does a Kafka broker answer a metadata request, does Cassandra answer CQL,
 * does PostgreSQL answer SQL?
 *
 * @module
 */
import { Kafka, logLevel } from "kafkajs";
import cassandra from "cassandra-driver";
// @ts-types="@types/pg"
import pg from "pg";
import { hideTimeoutNegativeWarning } from "../runtime/kafka.ts";
import { errorText } from "../errors.ts";

/** Outcome of one probe. */
export type ProbeResult = { ok: true; detail: string } | { ok: false; error: string };

/** Asks the brokers for cluster metadata; ok when a broker answers. */
export async function probeKafka(brokers: string[]): Promise<ProbeResult> {
  hideTimeoutNegativeWarning();
  const admin = new Kafka({
    brokers,
    clientId: "web-analytics-probe",
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      ok: true,
      detail: `${cluster.brokers.length} broker(s), cluster ${cluster.clusterId}`,
    };
  } catch (error) {
    return { ok: false, error: errorText(error, { firstLine: true }) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Runs `SELECT release_version FROM system.local`; ok when Cassandra answers. */
export async function probeCassandra(
  contactPoints: string[],
  localDataCenter = "datacenter1",
): Promise<ProbeResult> {
  const client = new cassandra.Client({
    contactPoints,
    localDataCenter,
    socketOptions: { connectTimeout: 2000, readTimeout: 5000 },
    policies: {
      reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000),
    },
  });
  try {
    await client.connect();
    const result = await client.execute("SELECT release_version FROM system.local");
    return { ok: true, detail: `Cassandra ${result.first()?.get("release_version") ?? "?"}` };
  } catch (error) {
    return { ok: false, error: errorText(error, { firstLine: true }) };
  } finally {
    await client.shutdown().catch(() => {});
  }
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export async function portAnswers(port: number, hostname = "127.0.0.1"): Promise<boolean> {
  try {
    const connection = await Deno.connect({ hostname, port });
    connection.close();
    return true;
  } catch {
    return false;
  }
}

/** Runs `SHOW server_version` at `url`; ok when PostgreSQL answers. */
export async function probePostgres(url: string): Promise<ProbeResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  // A connection reset arriving after the answer must not end the process.
  client.on("error", () => {});
  try {
    await client.connect();
    const result = await client.query("SHOW server_version");
    return { ok: true, detail: `PostgreSQL ${result.rows[0]?.server_version ?? "?"}` };
  } catch (error) {
    return { ok: false, error: errorText(error, { firstLine: true }) };
  } finally {
    await client.end().catch(() => {});
  }
}
