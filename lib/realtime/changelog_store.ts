/**
 * Real-time state in Cassandra as one changelog per input partition (Kafka Streams' changelog
 * topic, Flink's incremental checkpoint), in two tables:
 *
 * - `state_changelog`: the entries, each cut into chunks of at most {@linkcode CHUNK_BYTES}.
 *   An entry's sequence number is `epoch * 2^32 + n`, so no two owners ever write the same one;
 *   each entry names the one before it (`prev`, -1 for a snapshot, which needs none).
 * - `state_checkpoints`: per partition, the owner's epoch and the chain's ends (`snapshot_seq`,
 *   `last_seq`). An entry counts once `last_seq` names it, and `last_seq` moves only after every
 *   chunk is written, by a lightweight transaction on the owner's epoch.
 *
 * Fencing: a new owner raises the epoch (a lightweight transaction) before it writes. An owner
 * that lost the partition and wakes up later can still write chunks, but cannot move `last_seq`
 * (its epoch is not the stored one), so no reader follows the chain to them.
 *
 * A reader takes a partition's checkpoint row and walks the chain back from `last_seq` to the
 * entry it already applied, or to the snapshot: what it restores is the state at `last_seq`,
 * whatever failed attempts left beside it.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import { Buffer } from "node:buffer";
import { decode, encode } from "@msgpack/msgpack";
import { forEachConcurrent } from "../concurrency.ts";
import type { ChangelogEntry } from "./partition_state.ts";

/** Largest chunk of an entry, in bytes. */
export const CHUNK_BYTES = 1024 * 1024;

/** Entries of one epoch: the sequence number of entry `n` of epoch `e` is `e * EPOCH_SPAN + n`. */
export const EPOCH_SPAN = 2 ** 32;

/** A partition's checkpoint row. */
export interface Checkpoint {
  /** Epoch of the partition's owner. */
  epoch: number;
  /** First entry of the chain, a snapshot (-1: none yet). */
  snapshotSeq: number;
  /** Newest complete entry (-1: none yet). */
  lastSeq: number;
  /** Encoded bytes of the entries after the snapshot. */
  logBytes: number;
  /** Encoded bytes of the snapshot. */
  snapshotBytes: number;
}

/** One entry to append, encoded. */
export interface Append {
  /** Input partition. */
  partition: number;
  /** Its sequence number. */
  seq: number;
  /** The checkpoint after it (its epoch is the writer's). */
  checkpoint: Checkpoint;
  /** The entry before it on the chain (-1 for a snapshot). */
  prev: number;
  /** The encoded entry. */
  data: Uint8Array;
}

/** What a reader took from a changelog. */
export interface ReadEntries {
  /** Entries after the one asked for, oldest first; a snapshot first when the chain restarted. */
  entries: ChangelogEntry[];
  /** Bytes read. */
  bytes: number;
}

/** Reads and writes partition changelogs. */
export interface ChangelogStore {
  /** The checkpoint rows of every partition of `stream` that has one, by partition. */
  checkpoints(stream: string): Promise<Map<number, Checkpoint>>;
  /** Streams that have checkpoints. */
  streams(): Promise<string[]>;
  /**
   * Takes ownership of a partition: raises its epoch above the stored one (a lightweight
   * transaction, retried while others race) and returns the checkpoint as it was taken.
   */
  claim(stream: string, partition: number): Promise<Checkpoint>;
  /**
   * The entries after `afterSeq` up to `checkpoint.lastSeq`, or from the snapshot when
   * `afterSeq` is not on the chain since it (-1: from the snapshot).
   */
  read(stream: string, partition: number, checkpoint: Checkpoint, afterSeq: number): Promise<
    ReadEntries
  >;
  /**
   * Writes the entries' chunks, then moves each partition's checkpoint in one conditional
   * write on its epoch. Returns the partitions whose epoch was not the writer's (fenced: their
   * entries do not count); throws when the outcome is unknown.
   */
  append(stream: string, appends: readonly Append[]): Promise<Set<number>>;
  /** Removes a partition's entries below `seq` (older than its snapshot). */
  dropBefore(stream: string, partition: number, seq: number): Promise<void>;
}

/** Encodes an entry. */
export function encodeEntry(entry: ChangelogEntry): Uint8Array {
  return encode(entry, { ignoreUndefined: true });
}

/** Decodes an entry. */
export function decodeEntry(data: Uint8Array): ChangelogEntry {
  return decode(data) as ChangelogEntry;
}

/** Cuts `data` into chunks of at most `size` bytes (one empty chunk for no data). */
export function chunksOf(data: Uint8Array, size = CHUNK_BYTES): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return chunks.length === 0 ? [data] : chunks;
}

interface StoredChunk {
  seq: number;
  chunk: number;
  prev: number;
  chunks: number;
  data: Uint8Array;
}

/**
 * Walks the chain back from `lastSeq` over the chunks read and returns the entries after
 * `afterSeq` (or from the snapshot the chain starts at), oldest first, with their bytes.
 * Throws when an entry the checkpoint names is incomplete (it cannot be: `last_seq` moves only
 * after every chunk is written).
 */
export function walkChain(
  rows: readonly StoredChunk[],
  lastSeq: number,
  afterSeq: number,
): Array<{ seq: number; data: Uint8Array }> {
  const bySeq = new Map<number, StoredChunk[]>();
  for (const row of rows) {
    let chunks = bySeq.get(row.seq);
    if (chunks === undefined) bySeq.set(row.seq, chunks = []);
    chunks[row.chunk] = row;
  }
  const chain: Array<{ seq: number; data: Uint8Array }> = [];
  for (let seq = lastSeq; seq !== afterSeq && seq !== -1;) {
    const chunks = bySeq.get(seq);
    const first = chunks?.[0];
    if (first === undefined) throw new Error(`changelog entry ${seq} is missing`);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < first.chunks; i++) {
      const part = chunks![i];
      if (part === undefined || part.chunks !== first.chunks) {
        throw new Error(`changelog entry ${seq} lacks chunk ${i} of ${first.chunks}`);
      }
      parts.push(part.data);
    }
    chain.push({ seq, data: concat(parts) });
    seq = first.prev;
  }
  return chain.reverse();
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const data = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.length;
  }
  return data;
}

function checkpointOf(row: cassandra.types.Row): Checkpoint {
  const num = (name: string, otherwise: number) => {
    const value = row.get(name);
    return value === null || value === undefined ? otherwise : Number(value);
  };
  return {
    epoch: num("epoch", 0),
    snapshotSeq: num("snapshot_seq", -1),
    lastSeq: num("last_seq", -1),
    logBytes: num("log_bytes", 0),
    snapshotBytes: num("snapshot_bytes", 0),
  };
}

/** Chunks read per page: a few MiB. */
const CHUNKS_PER_PAGE = 4;

const COLUMNS = "epoch, snapshot_seq, last_seq, log_bytes, snapshot_bytes";
/**
 * How long a changelog statement waits for Cassandra before it fails, ms. The session's 30 s
 * read timeout would hold a flush that long after a frozen node wakes up (a lightweight
 * transaction queued during the freeze gets no answer; seen in the chaos run): failing sooner
 * lets the next flush, every interval, go through as soon as the node answers again.
 */
const TIMEOUT_MS = 5_000;
/** A chunk write (up to 1 MiB) gets longer. */
const CHUNK_TIMEOUT_MS = 15_000;
/** Prepared, with the changelog's timeout. */
const PREPARED = { prepare: true, readTimeout: TIMEOUT_MS };
/** LOCAL_SERIAL: a read that sees every lightweight transaction applied in the data center. */
const SERIAL = { ...PREPARED, consistency: 9 };

/** The two tables of a keyspace. */
interface Tables {
  client: cassandra.Client;
  checkpoints: string;
  changelog: string;
}

/** One attempt to raise a partition's epoch; undefined when another claim raced it. */
async function claimOnce(
  { client, checkpoints }: Tables,
  stream: string,
  partition: number,
): Promise<Checkpoint | undefined> {
  const row = (await client.execute(
    `SELECT ${COLUMNS} FROM ${checkpoints} WHERE stream = ? AND partition = ?`,
    [stream, partition],
    SERIAL,
  )).first();
  if (row === null) {
    const inserted = await client.execute(
      `INSERT INTO ${checkpoints} (stream, partition, epoch, snapshot_seq, last_seq,
        log_bytes, snapshot_bytes) VALUES (?, ?, 1, -1, -1, 0, 0) IF NOT EXISTS`,
      [stream, partition],
      PREPARED,
    );
    return inserted.wasApplied()
      ? { epoch: 1, snapshotSeq: -1, lastSeq: -1, logBytes: 0, snapshotBytes: 0 }
      : undefined;
  }
  const stored = checkpointOf(row);
  // The chain's end is part of the condition: what is returned is what was taken.
  const taken = await client.execute(
    `UPDATE ${checkpoints} SET epoch = ? WHERE stream = ? AND partition = ?
      IF epoch = ? AND last_seq = ?`,
    [stored.epoch + 1, stream, partition, stored.epoch, stored.lastSeq],
    PREPARED,
  );
  return taken.wasApplied() ? { ...stored, epoch: stored.epoch + 1 } : undefined;
}

/** The chunks of a partition's entries numbered `from..to`, page by page. */
async function readChunks(
  { client, changelog }: Tables,
  stream: string,
  partition: number,
  from: number,
  to: number,
): Promise<StoredChunk[]> {
  const rows: StoredChunk[] = [];
  let pageState: string | undefined;
  do {
    const page = await client.execute(
      `SELECT seq, chunk, prev, chunks, data FROM ${changelog}
        WHERE stream = ? AND partition = ? AND seq >= ? AND seq <= ?`,
      [stream, partition, from, to],
      { ...PREPARED, readTimeout: CHUNK_TIMEOUT_MS, fetchSize: CHUNKS_PER_PAGE, pageState },
    );
    for (const row of page.rows) {
      rows.push({
        seq: Number(row.get("seq")),
        chunk: row.get("chunk") as number,
        prev: Number(row.get("prev")),
        chunks: row.get("chunks") as number,
        data: new Uint8Array(row.get("data") as Uint8Array),
      });
    }
    pageState = page.pageState ?? undefined;
  } while (pageState !== undefined);
  return rows;
}

/**
 * Moves each partition's checkpoint row, conditional on the writer's epoch, in one batch per
 * round; a partition whose stored epoch is another's is fenced and the rest written again.
 */
async function moveCheckpoints(
  { client, checkpoints }: Tables,
  stream: string,
  appends: readonly Append[],
): Promise<Set<number>> {
  const fenced = new Set<number>();
  let pending = [...appends];
  while (pending.length > 0) {
    const statements = pending.map(({ partition, checkpoint }) => ({
      query: `UPDATE ${checkpoints}
        SET snapshot_seq = ?, last_seq = ?, log_bytes = ?, snapshot_bytes = ?
        WHERE stream = ? AND partition = ? IF epoch = ?`,
      params: [
        checkpoint.snapshotSeq,
        checkpoint.lastSeq,
        checkpoint.logBytes,
        checkpoint.snapshotBytes,
        stream,
        partition,
        checkpoint.epoch,
      ],
    }));
    const result = statements.length === 1
      ? await client.execute(statements[0]!.query, statements[0]!.params, PREPARED)
      : await client.batch(statements, PREPARED);
    if (result.wasApplied()) break;
    // Not applied: the epochs now stored tell which partitions another owner took.
    const stored = await client.execute(
      `SELECT partition, epoch FROM ${checkpoints} WHERE stream = ?`,
      [stream],
      SERIAL,
    );
    const epochs = new Map(
      stored.rows.map((row) => [row.get("partition") as number, row.get("epoch") as number]),
    );
    for (const append of pending) {
      if (epochs.get(append.partition) !== append.checkpoint.epoch) fenced.add(append.partition);
    }
    const before = pending.length;
    pending = pending.filter((append) => !fenced.has(append.partition));
    if (pending.length === before) {
      throw new Error(`moving the checkpoints of ${stream} was refused for no fenced partition`);
    }
  }
  return fenced;
}

/** Creates a changelog store on `keyspace.state_checkpoints` and `keyspace.state_changelog`. */
export function changelogStore(client: cassandra.Client, keyspace: string): ChangelogStore {
  const tables: Tables = {
    client,
    checkpoints: `${keyspace}.state_checkpoints`,
    changelog: `${keyspace}.state_changelog`,
  };
  const insertChunk = `INSERT INTO ${tables.changelog}
    (stream, partition, seq, chunk, prev, chunks, data) VALUES (?, ?, ?, ?, ?, ?, ?)`;
  return {
    async checkpoints(stream) {
      const result = await client.execute(
        `SELECT partition, ${COLUMNS} FROM ${tables.checkpoints} WHERE stream = ?`,
        [stream],
        PREPARED,
      );
      return new Map(result.rows.map((row) => [row.get("partition") as number, checkpointOf(row)]));
    },
    async streams() {
      const result = await client.execute(`SELECT DISTINCT stream FROM ${tables.checkpoints}`);
      return result.rows.map((row) => row.get("stream") as string);
    },
    async claim(stream, partition) {
      for (let attempt = 1;; attempt++) {
        const taken = await claimOnce(tables, stream, partition);
        if (taken !== undefined) return taken;
        if (attempt >= 20) {
          throw new Error(`could not take partition ${stream}/${partition}: others keep taking it`);
        }
      }
    },
    async read(stream, partition, checkpoint, afterSeq) {
      if (checkpoint.lastSeq === -1 || checkpoint.lastSeq === afterSeq) {
        return { entries: [], bytes: 0 };
      }
      let chain: Array<{ seq: number; data: Uint8Array }> | undefined;
      if (afterSeq >= checkpoint.snapshotSeq) {
        const rows = await readChunks(tables, stream, partition, afterSeq + 1, checkpoint.lastSeq);
        try {
          chain = walkChain(rows, checkpoint.lastSeq, afterSeq);
        } catch {
          // `afterSeq` is not on the chain (an entry whose write seemed to fail did count and
          // was superseded): read from the snapshot instead.
        }
      }
      if (chain === undefined || (chain.length > 0 && chain[0]!.seq <= afterSeq)) {
        const rows = await readChunks(
          tables,
          stream,
          partition,
          checkpoint.snapshotSeq,
          checkpoint.lastSeq,
        );
        chain = walkChain(rows, checkpoint.lastSeq, -1);
      }
      let bytes = 0;
      const entries = chain.map(({ data }) => {
        bytes += data.length;
        return decodeEntry(data);
      });
      return { entries, bytes };
    },
    async append(stream, appends) {
      const writes = appends.flatMap((append) => {
        const chunks = chunksOf(append.data);
        return chunks.map((data, chunk) => [
          stream,
          append.partition,
          append.seq,
          chunk,
          append.prev,
          chunks.length,
          Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        ]);
      });
      await forEachConcurrent(
        writes,
        8,
        (params) =>
          client.execute(insertChunk, params, { prepare: true, readTimeout: CHUNK_TIMEOUT_MS }),
      );
      return await moveCheckpoints(tables, stream, appends);
    },
    async dropBefore(stream, partition, seq) {
      await client.execute(
        `DELETE FROM ${tables.changelog} WHERE stream = ? AND partition = ? AND seq < ?`,
        [stream, partition, seq],
        PREPARED,
      );
    },
  };
}
