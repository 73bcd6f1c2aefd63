/**
 * The partitions whose state this process holds, and their changelogs: taking a partition
 * (claim its epoch, then restore or keep its state), checkpointing the owned ones at a flush,
 * and following the partitions others own so results can merge them.
 *
 * Ideas taken from Kafka Streams and Flink: one durable truth per partition (the changelog, as
 * Kafka Streams' changelog topic), any number of caches rebuilt from it (the state in memory,
 * whether owned or followed, as a standby replica), a snapshot when the entries since the last
 * one outweigh it (Flink's incremental checkpoints compacted into a full one), and exactness
 * from one applied offset per partition, written with the state it covers.
 *
 * Invariants (unit tests in `checkpoint_test.ts` and `processor_test.ts`):
 * - **Entries before commits.** An owned partition's entry is written, and its checkpoint row
 *   moved, before the offsets it covers are committed (the processor commits after `write`).
 * - **Fencing.** Every take raises the partition's epoch; an entry counts only when the
 *   checkpoint row moves, which is conditional on the writer's epoch, so an owner that lost the
 *   partition cannot add an entry the new owner reads. A fenced partition leaves `owned`.
 * - **Kept across rebalances.** A partition this process took again, with nothing written by
 *   anyone in between (the epoch it held is the one just raised, and its last entry is the
 *   chain's end), keeps its state, including changes not yet checkpointed: the records they
 *   cover are above the offset and were applied exactly once here.
 * - **Followed as written.** A followed partition's state is the chain up to its `lastSeq`:
 *   entries are applied whole and in order, never local changes.
 * - **Sequence numbers are never reused**, not even after a failed write: a retry writes the
 *   changes again under a new number, so chunks of two attempts are never mixed.
 *
 * @module
 */
import type { ChangelogStore, Checkpoint } from "./changelog_store.ts";
import { CHUNK_BYTES, encodeEntry, EPOCH_SPAN } from "./changelog_store.ts";
import {
  applyEntry,
  dropState,
  emptyPartition,
  evictClosed as evictClosedOf,
  keyCount,
  type PartitionState,
  removeWindow,
  spillIdle,
  takeEntry,
  untakeEntry,
  windowId,
} from "./partition_state.ts";
import type { PartOfWindow } from "./window_result.ts";
import type { Append } from "./changelog_store.ts";
import type { SpillStore } from "./spill.ts";

/** A partition this process owns. */
export interface OwnedPartition {
  /** Its state. */
  state: PartitionState;
  /** Its checkpoint row as this process last wrote or took it (its epoch is this owner's). */
  checkpoint: Checkpoint;
  /** Entries written in this epoch (the next one's number). */
  written: number;
}

/** A partition another process owns, followed through its changelog. */
export interface FollowedPartition {
  /** Its state as of `lastSeq`. */
  state: PartitionState;
  /** The last entry applied (-1: none). */
  lastSeq: number;
}

/** A partition taken, and the changelog bytes read to restore it (0: its state was kept). */
export interface Taken {
  /** The partition. */
  owned: OwnedPartition;
  /** Bytes read. */
  restoredBytes: number;
}

/** What a checkpoint wrote. */
export interface CheckpointSummary {
  /** Entries written that count (not fenced). */
  entries: number;
  /** Snapshots among them. */
  snapshots: number;
  /** Bytes written. */
  bytes: number;
  /** Largest entry, bytes. */
  largestEntryBytes: number;
  /** Cassandra rows written: each entry's chunks and each partition's checkpoint row. */
  rows: number;
  /** Partitions found taken by another owner (dropped from `owned`). */
  fenced: string[];
}

/** The partitions a processor holds and their changelogs. */
export interface Checkpoints {
  /** The changelog store. */
  store: ChangelogStore;
  /** Owned partitions, by {@linkcode partitionId}. */
  owned: Map<string, OwnedPartition>;
  /** Followed partitions, by id. */
  followed: Map<string, FollowedPartition>;
  /** Takes a partition: claims it and restores (or keeps) its state. */
  take(stream: string, partition: number): Promise<Taken>;
  /**
   * Writes an entry for every owned partition that changed (a snapshot when the entries since
   * the last one outweigh it). What an entry takes is taken synchronously when called; a write
   * that fails puts it back (the next call writes it again) and throws.
   */
  write(): Promise<CheckpointSummary>;
  /** Brings followed partitions of `streams` up to their checkpoints. Returns bytes read. */
  follow(streams: Iterable<string>): Promise<number>;
  /** Every partition's state of a window, owned or followed. */
  partsOf(aggregation: string, windowKey: string): PartOfWindow[];
  /**
   * Removes the windows closed by the lowest watermark of every partition held, but those
   * `keep` names (a result still due or owed).
   */
  evictClosed(keep: (windowId: string) => boolean): void;
  /** Windows and state keys held, over every partition owned or followed. */
  size(): { windows: number; keys: number };
}

/** An entry to append, with the partition it belongs to. */
interface PendingAppend {
  id: string;
  held: OwnedPartition;
  append: Append;
}

/**
 * Takes an entry of every owned partition that changed (a snapshot when the entries since the
 * last one outweigh it), encoded, by stream. Synchronous, so at most one partition that has a
 * snapshot is snapshotted again per flush ({@linkcode snapshotTurn}): partitions grow alike,
 * and their snapshots falling in one flush stalled the runner for all of them at once (4.6 s
 * for three at 2M events over 1M pages); a partition whose turn waits writes entries meanwhile.
 */
function takeEntries(owned: ReadonlyMap<string, OwnedPartition>) {
  const byStream = new Map<string, PendingAppend[]>();
  const taken = new Map<string, ReturnType<typeof takeEntry>>();
  const summary: CheckpointSummary = {
    entries: 0,
    snapshots: 0,
    bytes: 0,
    largestEntryBytes: 0,
    rows: 0,
    fenced: [],
  };
  const turn = snapshotTurn(owned);
  for (const [id, held] of owned) {
    if (!held.state.dirty) continue;
    const { checkpoint } = held;
    const snapshot = checkpoint.snapshotSeq === -1 || id === turn;
    const entry = takeEntry(held.state, snapshot);
    taken.set(id, entry);
    const data = encodeEntry(entry);
    const seq = checkpoint.epoch * EPOCH_SPAN + held.written++;
    const append: Append = {
      partition: held.state.partition,
      seq,
      prev: snapshot ? -1 : checkpoint.lastSeq,
      data,
      checkpoint: snapshot
        ? { ...checkpoint, snapshotSeq: seq, lastSeq: seq, logBytes: 0, snapshotBytes: data.length }
        : { ...checkpoint, lastSeq: seq, logBytes: checkpoint.logBytes + data.length },
    };
    let list = byStream.get(held.state.stream);
    if (list === undefined) byStream.set(held.state.stream, list = []);
    list.push({ id, held, append });
    summary.entries++;
    if (snapshot) summary.snapshots++;
    summary.bytes += data.length;
    summary.largestEntryBytes = Math.max(summary.largestEntryBytes, data.length);
    summary.rows += Math.max(1, Math.ceil(data.length / CHUNK_BYTES)) + 1;
  }
  return { byStream, taken, summary };
}

/**
 * The partition whose turn it is to be snapshotted again: of those that changed and whose
 * entries since their snapshot outweigh it, the one they outweigh by the most bytes (so one
 * whose snapshot is small cannot take every turn: the others' excess grows at each flush).
 */
export function snapshotTurn(owned: ReadonlyMap<string, OwnedPartition>): string | undefined {
  let turn: string | undefined, most = 0;
  for (const [id, { state, checkpoint }] of owned) {
    const excess = checkpoint.logBytes - checkpoint.snapshotBytes;
    if (state.dirty && checkpoint.snapshotSeq !== -1 && excess > most) [turn, most] = [id, excess];
  }
  return turn;
}

/** Brings `from` (or an empty state) up to `checkpoint` by reading its changelog. */
async function restore(
  store: ChangelogStore,
  stream: string,
  partition: number,
  checkpoint: Checkpoint,
  from: FollowedPartition | undefined,
  spill: SpillStore | undefined,
): Promise<{ state: PartitionState; bytes: number }> {
  const state = from?.state ?? emptyPartition(stream, partition, spill);
  const { entries, bytes } = await store.read(
    stream,
    partition,
    checkpoint,
    from?.lastSeq ?? -1,
  );
  for (const entry of entries) applyEntry(state, entry);
  return { state, bytes };
}

/**
 * The entries of a followed partition after `after`, up to `checkpoint` (or a fresher one: the
 * owner may write a snapshot and drop the entries before it between the two reads, seen in the
 * 1M-event chaos run, and the chain of a fresh checkpoint then holds).
 */
async function readNewEntries(
  store: ChangelogStore,
  stream: string,
  partition: number,
  checkpoint: Checkpoint,
  after: number,
) {
  let current = checkpoint;
  for (let attempt = 1;; attempt++) {
    try {
      return { read: await store.read(stream, partition, current, after), current };
    } catch (error) {
      const fresh = attempt < 3 ? (await store.checkpoints(stream)).get(partition) : undefined;
      if (fresh === undefined) throw error;
      current = fresh;
    }
  }
}

/** The changelog stream of a source's input stream: `<source>:<stream>`, or the stream alone. */
export function changelogStream(source: string | undefined, stream: string): string {
  return source === undefined ? stream : `${source}:${stream}`;
}

/** `stream/partition`. */
export function partitionId(stream: string, partition: number): string {
  return `${stream}/${partition}`;
}

/**
 * Creates the partition holder of one processor; the idle keys of what it holds spill to
 * `spill` when given (a spill that fails leaves them in memory and is told to `onSpillError`).
 */
export function checkpoints(
  store: ChangelogStore,
  spill?: SpillStore,
  onSpillError?: (error: unknown) => void,
): Checkpoints {
  const owned = new Map<string, OwnedPartition>();
  const followed = new Map<string, FollowedPartition>();

  async function take(stream: string, partition: number): Promise<Taken> {
    const id = partitionId(stream, partition);
    const checkpoint = await store.claim(stream, partition);
    const held = owned.get(id);
    if (
      held !== undefined && held.checkpoint.epoch === checkpoint.epoch - 1 &&
      held.checkpoint.lastSeq === checkpoint.lastSeq
    ) {
      held.checkpoint = checkpoint;
      held.written = 0;
      return { owned: held, restoredBytes: 0 };
    }
    // Someone else wrote since (or this process never held it): the changelog is the truth.
    if (held !== undefined) dropState(held.state);
    owned.delete(id);
    const replica = followed.get(id);
    followed.delete(id);
    const { state, bytes } = await restore(store, stream, partition, checkpoint, replica, spill);
    const taken: OwnedPartition = { state, checkpoint, written: 0 };
    owned.set(id, taken);
    return { owned: taken, restoredBytes: bytes };
  }

  async function write(): Promise<CheckpointSummary> {
    // One synchronous step: idle keys spilled, every entry taken and encoded before anything
    // changes the state.
    try {
      for (const [, state] of held()) spillIdle(state);
    } catch (error) {
      // The local cache failed (a full disk): keys stay in memory, state is whole.
      onSpillError?.(error);
    }
    const { byStream, taken, summary } = takeEntries(owned);
    const results = await Promise.allSettled([...byStream].map(async ([stream, list]) => {
      const fenced = await store.append(stream, list.map((item) => item.append));
      for (const { id, held, append } of list) {
        if (fenced.has(append.partition)) {
          if (owned.get(id) === held) {
            owned.delete(id);
            dropState(held.state);
          }
          summary.fenced.push(id);
          summary.entries--;
          continue;
        }
        const before = held.checkpoint;
        held.checkpoint = append.checkpoint;
        if (append.prev === -1 && before.snapshotSeq !== -1) {
          // Entries before the new snapshot are no longer read; failing to drop them only
          // leaves them until the next snapshot.
          await store.dropBefore(stream, append.partition, append.seq).catch(() => {});
        }
      }
      return list;
    }));
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) {
      // Put back what the failed streams' entries took (their checkpoints did not move).
      for (const [index, [, list]] of [...byStream].entries()) {
        if (results[index]!.status === "fulfilled") continue;
        for (const { id, held } of list) {
          if (owned.get(id) === held) untakeEntry(held.state, taken.get(id)!);
        }
      }
      throw (failed as PromiseRejectedResult).reason;
    }
    return summary;
  }

  async function follow(streams: Iterable<string>): Promise<number> {
    let bytes = 0;
    for (const stream of streams) {
      const rows = await store.checkpoints(stream);
      await Promise.all([...rows].map(async ([partition, checkpoint]) => {
        const id = partitionId(stream, partition);
        const held = owned.get(id);
        if (held !== undefined) {
          if (held.checkpoint.epoch >= checkpoint.epoch) return;
          // Taken by another owner since: what this process holds of it is no longer the truth.
          owned.delete(id);
          dropState(held.state);
        }
        const replica = followed.get(id);
        if (replica !== undefined && replica.lastSeq === checkpoint.lastSeq) return;
        const { read, current } = await readNewEntries(
          store,
          stream,
          partition,
          checkpoint,
          replica?.lastSeq ?? -1,
        );
        const state = replica?.state ?? emptyPartition(stream, partition, spill);
        for (const entry of read.entries) applyEntry(state, entry);
        bytes += read.bytes;
        followed.set(id, { state, lastSeq: current.lastSeq });
      }));
    }
    return bytes;
  }

  function* held(): Iterable<[string, PartitionState]> {
    for (const [id, { state }] of owned) yield [id, state];
    for (const [id, { state }] of followed) yield [id, state];
  }

  function partsOf(aggregation: string, windowKey: string): PartOfWindow[] {
    const wanted = windowId(aggregation, windowKey);
    const parts: PartOfWindow[] = [];
    for (const [id, state] of held()) {
      const window = state.windows.get(wanted);
      if (window !== undefined) parts.push({ id, window });
    }
    return parts;
  }

  function evictClosed(keep: (windowId: string) => boolean): void {
    let watermark = Infinity;
    for (const [, state] of held()) watermark = Math.min(watermark, state.watermark);
    if (!Number.isFinite(watermark)) return;
    for (const { state } of owned.values()) evictClosedOf(state, watermark, keep);
    // A followed partition's evictions are its owner's to write; here they only free memory.
    for (const { state } of followed.values()) {
      for (const [id, window] of state.windows) {
        if (window.closesAt <= watermark && !keep(id)) removeWindow(state, id);
      }
    }
  }

  function size(): { windows: number; keys: number } {
    let windows = 0, keys = 0;
    for (const [, state] of held()) {
      windows += state.windows.size;
      keys += keyCount(state);
    }
    return { windows, keys };
  }

  return { store, owned, followed, take, write, follow, partsOf, evictClosed, size };
}
