/**
 * The `aggregate_state` table: per aggregation, window and input partition, the partial result
 * of every record up to `applied_offset`. Rows are written `USING TIMESTAMP applied_offset + 1`,
 * so whichever writer holds the more complete row wins, in any order of arrival.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import { forEachConcurrent } from "../concurrency.ts";

/** Identifies one partial-state row. */
export interface StateKey {
  /** Aggregation name. */
  aggregation: string;
  /** Window key. */
  windowKey: string;
  /** Input stream (topic). */
  stream: string;
  /** Input partition. */
  partition: number;
}

/** A partial-state row as stored. */
export interface StoredState {
  /** JSON text of the aggregation's state. */
  state: string;
  /** Records counted in it. */
  records: number;
  /** Highest input offset of the partition whose record, if in this window, is included. */
  appliedOffset: number;
}

/** A stored row together with the input partition it covers. */
export interface StoredPartitionState extends StoredState {
  /** Input stream. */
  stream: string;
  /** Input partition. */
  partition: number;
}

/** A stored row's partition, coverage and offset, without its state. */
export type StoredHead = Omit<StoredPartitionState, "state">;

/** Reads and writes partial-state rows. */
export interface StateStore {
  /** Loads rows; missing rows are absent from the map (keyed by {@linkcode stateKeyString}). */
  load(keys: readonly StateKey[]): Promise<Map<string, StoredState>>;
  /** Writes rows (last-write-wins by applied offset). */
  save(rows: ReadonlyArray<{ key: StateKey; value: StoredState }>): Promise<void>;
  /** Every partition's row of one aggregation window. */
  readWindow(aggregation: string, windowKey: string): Promise<StoredPartitionState[]>;
  /** Every partition's row of one aggregation window, without the state text. */
  readWindowHeads(aggregation: string, windowKey: string): Promise<StoredHead[]>;
}

/** A string form of a state key, for maps. */
export function stateKeyString(key: StateKey): string {
  return `${key.aggregation}\u0000${key.windowKey}\u0000${key.stream}\u0000${key.partition}`;
}

/** Creates a state store on `keyspace.aggregate_state`. */
export function stateStore(client: cassandra.Client, keyspace: string): StateStore {
  const table = `${keyspace}.aggregate_state`;
  const select = `SELECT state, records, applied_offset FROM ${table}
    WHERE aggregation = ? AND window_key = ? AND stream = ? AND partition = ?`;
  const insert = `INSERT INTO ${table}
    (aggregation, window_key, stream, partition, state, records, applied_offset)
    VALUES (?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`;
  const selectWindow = `SELECT stream, partition, state, records, applied_offset FROM ${table}
    WHERE aggregation = ? AND window_key = ?`;
  const selectHeads = `SELECT stream, partition, records, applied_offset FROM ${table}
    WHERE aggregation = ? AND window_key = ?`;
  return {
    async load(keys) {
      const found = new Map<string, StoredState>();
      await forEachConcurrent(keys, 64, async (key) => {
        const result = await client.execute(
          select,
          [key.aggregation, key.windowKey, key.stream, key.partition],
          { prepare: true },
        );
        const row = result.first();
        if (row !== null) found.set(stateKeyString(key), storedFromRow(row));
      });
      return found;
    },
    async save(rows) {
      await forEachConcurrent(rows, 32, ({ key, value }) =>
        client.execute(insert, [
          key.aggregation,
          key.windowKey,
          key.stream,
          key.partition,
          value.state,
          value.records,
          value.appliedOffset,
          value.appliedOffset + 1,
        ], { prepare: true }));
    },
    async readWindowHeads(aggregation, windowKey) {
      const result = await client.execute(selectHeads, [aggregation, windowKey], {
        prepare: true,
      });
      return result.rows.map((row) => ({
        stream: row.get("stream") as string,
        partition: row.get("partition") as number,
        records: Number(row.get("records")),
        appliedOffset: Number(row.get("applied_offset")),
      }));
    },
    async readWindow(aggregation, windowKey) {
      const result = await client.execute(selectWindow, [aggregation, windowKey], {
        prepare: true,
      });
      return result.rows.map((row) => ({
        ...storedFromRow(row),
        stream: row.get("stream") as string,
        partition: row.get("partition") as number,
      }));
    },
  };
}

function storedFromRow(row: cassandra.types.Row): StoredState {
  return {
    state: row.get("state") as string,
    records: Number(row.get("records")),
    appliedOffset: Number(row.get("applied_offset")),
  };
}
