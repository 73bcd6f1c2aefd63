/**
 * Upgrading a keyspace that holds the per-key state tables of earlier versions (`state_heads`,
 * `state_keys`) and no changelog yet: the open windows those tables held are rebuilt from `log`
 * (every record of their span, applied per input partition in offset order, as the processor
 * would), and each partition's state is written as the first snapshot of its changelog before
 * real time resumes. Records already in `log` then count once: Kafka re-delivers from the
 * committed offsets, and the snapshot covers every logged offset. The old tables are left for
 * the user to drop, with a line saying how.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import type { Aggregation } from "../contracts.ts";
import { bucketsBetween, readLog } from "../log_read.ts";
import type { ChangelogStore } from "./changelog_store.ts";
import { changelogStream, checkpoints } from "./checkpoint.ts";
import { type AppliedAggregation, applyRecords } from "./apply_records.ts";
import { keyedFormOf } from "./keyed_form.ts";
import type { TimedRecord } from "./parse_batch.ts";

/** What the upgrade needs. */
export interface UpgradeOptions {
  /** Cassandra session. */
  client: cassandra.Client;
  /** The pipeline's keyspace. */
  keyspace: string;
  /** The `log` table's name. */
  logTable: string;
  /** Where the changelogs go. */
  changelog: ChangelogStore;
  /** The pipeline's window cutter. */
  cutter: WindowCutter;
  /** `runtime.allowed_lateness`, ms. */
  allowedLatenessMs: number;
  /** Every aggregation of the pipeline, with the source it reads. */
  aggregations: ReadonlyArray<
    { name: string; source: string; aggregation: Aggregation; window: WindowSpec }
  >;
  /** Operator-facing log line. */
  log: (line: string) => void;
}

/** What an upgrade did (undefined: nothing to upgrade). */
export interface Upgraded {
  /** Input partitions whose state was rebuilt. */
  partitions: number;
  /** Log records applied. */
  records: number;
}

/** Rebuilds the open windows of the old state tables from `log`, once. */
export async function upgradeState(options: UpgradeOptions): Promise<Upgraded | undefined> {
  const { client, keyspace } = options;
  const old = await client.execute(
    `SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?`,
    [keyspace, "state_heads"],
    { prepare: true },
  );
  if (old.rowLength === 0) return undefined;
  const dropHint = `drop them when you no longer need them: DROP TABLE ${keyspace}.state_heads; ` +
    `DROP TABLE ${keyspace}.state_keys;`;
  const started = await client.execute(
    `SELECT stream FROM ${keyspace}.state_checkpoints LIMIT 1`,
  );
  if (started.rowLength > 0) {
    options.log(`the state tables of an earlier version are no longer used; ${dropHint}`);
    return undefined;
  }
  const heads = await client.execute(
    `SELECT aggregation, window_key, stream FROM ${keyspace}.state_heads`,
    [],
    { fetchSize: 100_000 },
  );
  const byName = new Map(options.aggregations.map((entry) => [entry.name, entry]));
  // By input stream, by source reading it: the aggregations to rebuild.
  const aggregationsOf = new Map<string, Map<string, Map<string, AppliedAggregation>>>();
  let start = Infinity, end = -Infinity;
  const allTime = new Set<string>();
  for (const row of heads.rows) {
    const entry = byName.get(row.get("aggregation") as string);
    if (entry === undefined) continue;
    // An all-time window spans the whole log: batch recomputes it (see the line below).
    if (entry.window.unit === "none") {
      allTime.add(entry.name);
      continue;
    }
    const stream = row.get("stream") as string;
    let sources = aggregationsOf.get(stream);
    if (sources === undefined) aggregationsOf.set(stream, sources = new Map());
    let applied = sources.get(entry.source);
    if (applied === undefined) sources.set(entry.source, applied = new Map());
    applied.set(entry.name, {
      name: entry.name,
      keyed: keyedFormOf(entry.aggregation),
      window: entry.window,
    });
    const window = options.cutter.windowFromKey(row.get("window_key") as string, entry.window);
    start = Math.min(start, window.start);
    end = Math.max(end, window.end);
  }
  if (aggregationsOf.size === 0 || !Number.isFinite(start)) {
    options.log(`no open window in the state tables of an earlier version; ${dropHint}`);
    return undefined;
  }
  // Every logged record of the open windows' span, by input partition.
  const byPartition = new Map<string, TimedRecord[]>();
  const records = await readLog(
    client,
    keyspace,
    options.logTable,
    bucketsBetween(start, end),
    (record, id) => {
      const at = id.lastIndexOf("/");
      const before = id.lastIndexOf("/", at - 1);
      const stream = id.slice(0, before);
      if (!aggregationsOf.has(stream)) return;
      const partition = Number(id.slice(before + 1, at));
      const offset = Number(id.slice(at + 1));
      const key = `${stream}/${partition}`;
      let list = byPartition.get(key);
      if (list === undefined) byPartition.set(key, list = []);
      list.push({ record, id, stream, partition, offset, messageTime: record.timestamp });
    },
  );
  const held = checkpoints(options.changelog);
  for (const list of byPartition.values()) {
    list.sort((a, b) => a.offset - b.offset);
    const { stream, partition } = list[0]!;
    // Each source keeps its partitions' changelogs apart (see `changelogStream`).
    for (const [source, applied] of aggregationsOf.get(stream)!) {
      const { owned } = await held.take(changelogStream(source, stream), partition);
      applyRecords(
        owned.state,
        list,
        [...applied.values()],
        options.cutter,
        options.allowedLatenessMs,
      );
    }
  }
  await held.write();
  options.log(
    `upgraded real-time state: rebuilt ${byPartition.size} input partitions' open windows from ` +
      `${options.logTable} (${records} records) as the first snapshots of their changelogs; ` +
      `the state tables of the earlier version are no longer used; ${dropHint}`,
  );
  if (allTime.size > 0) {
    options.log(
      `all-time windows (${[...allTime].join(", ")}) were not rebuilt: run \`deno task batch\` ` +
        `over the whole history to recompute them`,
    );
  }
  return { partitions: byPartition.size, records };
}
