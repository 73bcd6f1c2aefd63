/**
 * Schema changes on a Cassandra cluster whose nodes may not agree yet: a node that has not
 * heard of a keyspace or table another coordinator just created answers "doesn't exist", or
 * lists no column for it (seen with runners starting at once on a three-node cluster). The core
 * schema and the `cassandra` sink's tables both wait here, up to the same settle time.
 *
 * @module
 */
import type cassandra from "cassandra-driver";

/** How long schema work may wait for the cluster to agree on the schema, ms. */
export const SCHEMA_SETTLE_MS = 30_000;

/**
 * Runs one schema statement, tried again while the node answers that a keyspace or table does
 * not exist yet, until the nodes agree on the schema or `deadline` passes. Never sent to a
 * second coordinator (concurrent creates of one table on two coordinators can disagree).
 *
 * @param client The session.
 * @param statement The CQL statement.
 * @param deadline When to give up, ms since epoch.
 * @throws The statement's error when it is another one, or past `deadline`.
 *
 * @example
 * ```ts ignore
 * await executeSchemaStatement(client, "CREATE TABLE IF NOT EXISTS ...", Date.now() + SCHEMA_SETTLE_MS);
 * ```
 */
export async function executeSchemaStatement(
  client: cassandra.Client,
  statement: string,
  deadline: number,
): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      await client.execute(statement, [], { isIdempotent: false });
      return;
    } catch (error) {
      if (!schemaNotYetKnown(error) || Date.now() > deadline) throw error;
      await schemaAgreement(client, deadline);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
    }
  }
}

/**
 * True for the answer of a node that does not know a keyspace or table yet.
 *
 * @param error What a statement failed with.
 * @returns Whether it is "doesn't exist" (or "unconfigured table").
 *
 * @example
 * ```ts
 * import { schemaNotYetKnown } from "./schema_settle.ts";
 * console.assert(schemaNotYetKnown(new Error("Keyspace 'ks' doesn't exist")));
 * ```
 */
export function schemaNotYetKnown(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /(Keyspace|Table) '?[^ ]+'? (does not|doesn't) exist|unconfigured table/i.test(message);
}

/**
 * Waits until every node reports the same schema version, or `deadline`.
 *
 * @param client The session (its `metadata` is asked).
 * @param deadline When to stop waiting, ms since epoch.
 *
 * @example
 * ```ts ignore
 * await schemaAgreement(client, Date.now() + 5_000);
 * ```
 */
export async function schemaAgreement(
  client: Pick<cassandra.Client, "metadata">,
  deadline: number,
): Promise<void> {
  const metadata = client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
  while (Date.now() < deadline) {
    if (await metadata.checkSchemaAgreement().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
