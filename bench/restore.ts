/**
 * How long taking a partition whose state holds `keys` keys takes: one partition's window of
 * `keys` pages (a count and a small sketch-like list each, as per-page aggregations keep) is
 * written as a snapshot to the changelog on the running Cassandra, in a keyspace of its own; then
 * a fresh holder takes the partition (claim, read, decode, apply), timed.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import { applyCoreSchema } from "../lib/runtime/cassandra.ts";
import type { CassandraSettings } from "../lib/config/pipeline.ts";
import { changelogStore } from "../lib/realtime/changelog_store.ts";
import { checkpoints } from "../lib/realtime/checkpoint.ts";
import { WindowValues } from "../lib/realtime/spill.ts";

/** What a restore measurement found. */
export interface RestoreResult {
  /** Keys in the partition. */
  keys: number;
  /** Encoded snapshot size, bytes. */
  bytes: number;
  /** Seconds the take (claim, read, decode, apply) took. */
  seconds: number;
  /** Keys the restored state held (must equal `keys`). */
  restoredKeys: number;
}

/**
 * Writes a snapshot of `keys` keys and times taking the partition back.
 *
 * @param client A session (the keyspace is created and dropped here).
 * @param settings Cassandra settings of the bench (replication of the keyspace).
 * @param keyspace A fresh keyspace name.
 * @param keys Keys in the partition.
 */
export async function measureRestore(
  client: cassandra.Client,
  settings: CassandraSettings,
  keyspace: string,
  keys: number,
): Promise<RestoreResult> {
  await applyCoreSchema(client, { ...settings, keyspace }, "log");
  try {
    const store = changelogStore(client, keyspace);
    const writer = checkpoints(store);
    const { owned } = await writer.take("BENCH", 0);
    const values = new WindowValues();
    for (let i = 0; i < keys; i++) values.set(`/page/${i}`, [1 + (i % 7), [i % 4096, 3]]);
    owned.state.windows.set("pages\u00002026-11-20", {
      aggregation: "pages",
      windowKey: "2026-11-20",
      closesAt: Infinity,
      records: keys,
      values,
      changed: new Set(),
      recordsChanged: true,
      changedSinceResult: new Set(),
    });
    owned.state.offset = keys - 1;
    owned.state.dirty = true;
    const written = await writer.write();
    const started = performance.now();
    const reader = checkpoints(store);
    const { owned: taken } = await reader.take("BENCH", 0);
    const seconds = (performance.now() - started) / 1000;
    let restoredKeys = 0;
    for (const window of taken.state.windows.values()) restoredKeys += window.values.size;
    return { keys, bytes: written.bytes, seconds, restoredKeys };
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  }
}
