/**
 * Real-time aggregate state in Cassandra, keyed so that a flush writes only what changed.
 *
 * - `state_heads`: per aggregation, window and input partition, how many records of that
 *   partition the window's state covers (`records`), up to `applied_offset`.
 * - `state_keys`: per aggregation, window and input partition, one row per state key (a page,
 *   a status code) with its value and the highest input offset that value covers.
 *
 * Every row is written `USING TIMESTAMP applied_offset + 1`, so whichever writer holds the more
 * complete row wins, in any order of arrival, and with a TTL that ends a day after its window
 * closed (`runtime.allowed_lateness` after its end), so state does not outlive its use. Heads and key rows cover their own offsets, so a
 * flush that is cut short after any subset of its writes stays exact on replay: a record is
 * counted in `records` when its offset is above the head's, and added to its key when its offset
 * is above that key's row.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import { forEachConcurrent } from "../concurrency.ts";

/** Identifies the state of one aggregation window from one input partition. */
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

/** A head as stored: coverage of one partition's state of a window. */
export interface StoredHead {
  /** Records of the partition counted in the window. */
  records: number;
  /** Highest input offset covered. */
  appliedOffset: number;
}

/** A head together with the input partition it covers. */
export interface PartitionHead extends StoredHead {
  /** Input stream. */
  stream: string;
  /** Input partition. */
  partition: number;
}

/** One state key's row. */
export interface StoredEntry {
  /** The state key (page, status code, ...). */
  stateKey: string;
  /** JSON text of the key's value. */
  value: string;
  /** Highest input offset of the partition whose record, if of this key, is included. */
  appliedOffset: number;
}

/** What a flush writes for one partition window: its head and its changed keys. */
export interface StateChange {
  /** Which partition window. */
  key: StateKey;
  /** Its head now. */
  head: StoredHead;
  /** The keys that changed since the last flush. */
  entries: StoredEntry[];
  /** When the rows may expire (ms since epoch; omitted or infinite: never). */
  expiresAt?: number;
}

/** What a save wrote. */
export interface SaveSummary {
  /** Cassandra writes (statements or batches). */
  writes: number;
  /** Rows written. */
  rows: number;
  /** Estimated size of the largest single write, in bytes. */
  largestWriteBytes: number;
}

/** Reads and writes real-time state. */
export interface StateStore {
  /** Loads heads; missing ones are absent from the map (keyed by {@linkcode stateKeyString}). */
  loadHeads(keys: readonly StateKey[]): Promise<Map<string, StoredHead>>;
  /**
   * The key rows of one partition window, read page by page: all of them, or with `above` only
   * those whose offset is above it (the rows written since a head at that offset was read).
   */
  loadEntries(key: StateKey, above?: number): Promise<StoredEntry[]>;
  /** The rows of the given state keys of one partition window (absent keys are left out). */
  loadKeys(key: StateKey, stateKeys: readonly string[]): Promise<StoredEntry[]>;
  /** Writes changed key rows, then heads (each row wins only where it is more complete). */
  save(changes: readonly StateChange[]): Promise<SaveSummary>;
  /** Every partition's head of one aggregation window. */
  readWindowHeads(aggregation: string, windowKey: string): Promise<PartitionHead[]>;
}

/** Largest estimated size of one write of key rows: far below any Cassandra limit. */
export const MAX_WRITE_BYTES = 64 * 1024;
/** Most key rows in one write. */
const MAX_ROWS_PER_WRITE = 200;
/** Estimated bytes per row besides its key and value (clustering, offset, timestamp). */
const ROW_OVERHEAD_BYTES = 48;

/** Expiries further away than this get no TTL at all (Cassandra 5 refuses expiries past 2038). */
const LONGEST_TTL_SECONDS = 366 * 86_400;

/**
 * The TTL, in seconds, that makes a row written at `writtenAt` expire at `expiresAt`: at least
 * 60 s (a row is never written already expired); 0 (no TTL) when it never expires or expires
 * more than a year later (Cassandra refuses expiries past 2038). Every row of a window gets the
 * same expiry, whenever it was written.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { ttlSeconds } from "./state_store.ts";
 * assert.equal(ttlSeconds(Infinity, 0), 0);
 * assert.equal(ttlSeconds(3_600_000, 0), 3600);
 * assert.equal(ttlSeconds(1_000, 5_000), 60);
 * assert.equal(ttlSeconds(100 * 365 * 86_400_000, 0), 0);
 * ```
 */
export function ttlSeconds(expiresAt: number | undefined, writtenAt: number): number {
  if (expiresAt === undefined || !Number.isFinite(expiresAt)) return 0;
  const seconds = Math.ceil((expiresAt - writtenAt) / 1000);
  return seconds > LONGEST_TTL_SECONDS ? 0 : Math.max(60, seconds);
}

/** A string form of a state key, for maps. */
export function stateKeyString(key: StateKey): string {
  return `${key.aggregation}\u0000${key.windowKey}\u0000${key.stream}\u0000${key.partition}`;
}

/**
 * Splits rows into writes of at most `maxBytes` (estimated) and {@linkcode MAX_ROWS_PER_WRITE}
 * rows; a single row larger than `maxBytes` goes alone.
 */
export function chunkEntries(
  entries: readonly StoredEntry[],
  maxBytes = MAX_WRITE_BYTES,
): Array<{ entries: StoredEntry[]; bytes: number }> {
  const chunks: Array<{ entries: StoredEntry[]; bytes: number }> = [];
  let current: StoredEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.stateKey.length * 3 + entry.value.length * 3 + ROW_OVERHEAD_BYTES;
    if (current.length > 0 && (bytes + size > maxBytes || current.length >= MAX_ROWS_PER_WRITE)) {
      chunks.push({ entries: current, bytes });
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push({ entries: current, bytes });
  return chunks;
}

/** Most state keys in one read by key (an `IN` list Cassandra answers from one partition). */
const KEYS_PER_READ = 100;

function entryOf(row: cassandra.types.Row): StoredEntry {
  return {
    stateKey: row.get("state_key") as string,
    value: row.get("value") as string,
    appliedOffset: Number(row.get("applied_offset")),
  };
}

/** Creates a state store on `keyspace.state_heads` and `keyspace.state_keys`. */
export function stateStore(client: cassandra.Client, keyspace: string): StateStore {
  const heads = `${keyspace}.state_heads`;
  const keys = `${keyspace}.state_keys`;
  const selectHead = `SELECT records, applied_offset FROM ${heads}
    WHERE aggregation = ? AND window_key = ? AND stream = ? AND partition = ?`;
  const selectHeads = `SELECT stream, partition, records, applied_offset FROM ${heads}
    WHERE aggregation = ? AND window_key = ?`;
  const insertHead = `INSERT INTO ${heads}
    (aggregation, window_key, stream, partition, records, applied_offset)
    VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?`;
  const selectEntries = `SELECT state_key, value, applied_offset FROM ${keys}
    WHERE aggregation = ? AND window_key = ? AND stream = ? AND partition = ?`;
  // Filtering inside one partition: Cassandra reads it but sends only the changed rows.
  const selectEntriesAbove = `${selectEntries} AND applied_offset > ? ALLOW FILTERING`;
  const selectKeys = `${selectEntries} AND state_key IN ?`;
  const insertEntry = `INSERT INTO ${keys}
    (aggregation, window_key, stream, partition, state_key, value, applied_offset)
    VALUES (?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?`;
  const partitionOf = (
    key: StateKey,
  ) => [key.aggregation, key.windowKey, key.stream, key.partition];
  return {
    async loadHeads(wanted) {
      const found = new Map<string, StoredHead>();
      await forEachConcurrent(wanted, 64, async (key) => {
        const row = (await client.execute(selectHead, partitionOf(key), { prepare: true })).first();
        if (row !== null) {
          found.set(stateKeyString(key), {
            records: Number(row.get("records")),
            appliedOffset: Number(row.get("applied_offset")),
          });
        }
      });
      return found;
    },
    async loadEntries(key, above) {
      const entries: StoredEntry[] = [];
      const [query, params] = above === undefined
        ? [selectEntries, partitionOf(key)]
        : [selectEntriesAbove, [...partitionOf(key), above]];
      let pageState: string | undefined;
      do {
        const page = await client.execute(query, params, {
          prepare: true,
          fetchSize: 5_000,
          pageState,
        });
        for (const row of page.rows) entries.push(entryOf(row));
        pageState = page.pageState ?? undefined;
      } while (pageState !== undefined);
      return entries;
    },
    async loadKeys(key, stateKeys) {
      const entries: StoredEntry[] = [];
      const lists: string[][] = [];
      for (let i = 0; i < stateKeys.length; i += KEYS_PER_READ) {
        lists.push(stateKeys.slice(i, i + KEYS_PER_READ));
      }
      await forEachConcurrent(lists, 8, async (list) => {
        const result = await client.execute(selectKeys, [...partitionOf(key), list], {
          prepare: true,
        });
        for (const row of result.rows) entries.push(entryOf(row));
      });
      return entries;
    },
    async save(changes) {
      const writes: Array<{ key: StateKey; entries: StoredEntry[]; ttl: number }> = [];
      const writtenAt = Date.now();
      const summary: SaveSummary = { writes: 0, rows: 0, largestWriteBytes: 0 };
      for (const change of changes) {
        for (const chunk of chunkEntries(change.entries)) {
          writes.push({
            key: change.key,
            entries: chunk.entries,
            ttl: ttlSeconds(change.expiresAt, writtenAt),
          });
          summary.largestWriteBytes = Math.max(summary.largestWriteBytes, chunk.bytes);
        }
      }
      // All rows of one write share a partition, so an unlogged batch is one mutation.
      await forEachConcurrent(writes, 32, ({ key, entries, ttl }) => {
        const statements = entries.map((entry) => ({
          query: insertEntry,
          params: [
            ...partitionOf(key),
            entry.stateKey,
            entry.value,
            entry.appliedOffset,
            entry.appliedOffset + 1,
            ttl,
          ],
        }));
        return statements.length === 1
          ? client.execute(statements[0]!.query, statements[0]!.params, { prepare: true })
          : client.batch(statements, { prepare: true, logged: false });
      });
      await forEachConcurrent(changes, 32, ({ key, head, expiresAt }) =>
        client.execute(
          insertHead,
          [
            ...partitionOf(key),
            head.records,
            head.appliedOffset,
            head.appliedOffset + 1,
            ttlSeconds(expiresAt, writtenAt),
          ],
          { prepare: true },
        ));
      summary.writes = writes.length + changes.length;
      summary.rows = writes.reduce((sum, write) => sum + write.entries.length, 0) + changes.length;
      return summary;
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
  };
}
