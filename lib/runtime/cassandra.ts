/**
 * Cassandra connection and schema: builds the client from pipeline settings and applies `cql/`.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import type { CassandraSettings, Replication } from "../config/pipeline.ts";
import { isCqlIdentifier } from "../config/identifiers.ts";
import { executeSchemaStatement, SCHEMA_SETTLE_MS } from "../schema_settle.ts";

/** The folder holding the `.cql` files, found from this module so any working directory works. */
const CQL_DIR = new URL("../../cql/", import.meta.url);

/**
 * Longest wait between attempts to reconnect to a node that went down, ms. The driver's default
 * grows to ten minutes: after a 10 s Cassandra restart its next attempt came 9 s after the node
 * answered again, and results stayed stale that long (issue 15 bounds recovery at 5 s). An
 * attempt is one TCP connection to a port that refuses it, so trying often costs nothing.
 */
export const MAX_RECONNECT_DELAY_MS = 300;

/** How the client reconnects to a node that went down: at once, then every 300 ms at most. */
export function reconnectionPolicy(): cassandra.policies.reconnection.ReconnectionPolicy {
  return new cassandra.policies.reconnection.ExponentialReconnectionPolicy(
    100,
    MAX_RECONNECT_DELAY_MS,
    true,
  );
}

/**
 * How long a query waits for its coordinator before the same query also goes to the next node,
 * ms. A node frozen in a garbage-collection pause (or SIGSTOPped by the chaos run) otherwise
 * holds every query it coordinates until the 30 s read timeout: batches stall, the consumer
 * misses its heartbeats and is evicted from its group. On one node there is no next node, so
 * nothing changes there. Every data statement of the runtime is idempotent (fixed values, write
 * timestamps that make the more complete row win), so a second execution cannot count twice;
 * schema statements are marked not idempotent and never sent twice.
 */
export const SPECULATIVE_DELAY_MS = 2_000;

/** Builds (does not connect) a client for the given settings. */
export function createCassandraClient(settings: CassandraSettings): cassandra.Client {
  return new cassandra.Client({
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
    policies: {
      reconnection: reconnectionPolicy(),
      speculativeExecution: new cassandra.policies.speculativeExecution
        .ConstantSpeculativeExecutionPolicy(SPECULATIVE_DELAY_MS, 1),
    },
    pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 2 } },
    socketOptions: { readTimeout: 30_000 },
    queryOptions: { prepare: true, consistency: consistencyOf(settings), isIdempotent: true },
  });
}

/** The driver's code of the pipeline's consistency level (reads and writes alike). */
export function consistencyOf(settings: CassandraSettings): number {
  const levels = cassandra.types.consistencies;
  switch (settings.consistency ?? "local_quorum") {
    case "one":
      return levels.one;
    case "local_one":
      return levels.localOne;
    case "quorum":
      return levels.quorum;
    case "local_quorum":
      return levels.localQuorum;
    case "each_quorum":
      return levels.eachQuorum;
    case "all":
      return levels.all;
  }
}

/** Renders a replication setting as a CQL map literal. */
function replicationCql(replication: Replication): string {
  if (replication.class === "SimpleStrategy") {
    return `{'class': 'SimpleStrategy', 'replication_factor': ${
      Math.trunc(replication.replication_factor)
    }}`;
  }
  const dcs = Object.entries(replication.datacenters).map(([dc, factor]) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(dc)) throw new Error(`invalid data center name "${dc}"`);
    return `'${dc}': ${Math.trunc(factor)}`;
  });
  return `{'class': 'NetworkTopologyStrategy', ${dcs.join(", ")}}`;
}

/** The statements of a `.cql` file with placeholders substituted, comments removed. */
export async function schemaStatements(
  file: string,
  values: Record<string, string>,
): Promise<string[]> {
  for (const [name, value] of Object.entries(values)) {
    if (name !== "replication" && !isCqlIdentifier(value)) {
      throw new Error(`${name} "${value}" is not a valid CQL identifier`);
    }
  }
  const text = await Deno.readTextFile(new URL(file, CQL_DIR));
  const withoutComments = text.split("\n").filter((line) => !line.trim().startsWith("--")).join(
    "\n",
  );
  const substituted = withoutComments.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`cql/${file}: no value for placeholder ${match}`);
    return value;
  });
  return substituted.split(";").map((statement) => statement.trim()).filter((s) => s.length > 0);
}

/** Creates the keyspace and core tables when missing. */
export async function applyCoreSchema(
  client: cassandra.Client,
  settings: CassandraSettings,
  logTable: string,
): Promise<void> {
  const statements = await schemaStatements("schema.cql", {
    keyspace: settings.keyspace,
    replication: replicationCql(settings.replication),
    log_table: logTable,
  });
  const deadline = Date.now() + SCHEMA_SETTLE_MS;
  for (const statement of statements) await executeSchemaStatement(client, statement, deadline);
}
