/**
 * Acknowledging input: the positions a processor's batches made durable, which of them a flush
 * may commit, the commit itself, and the lag figures that follow from them.
 *
 * Invariant: a position is recorded in the same synchronous step that applies its batch, and
 * `due` is taken in the same synchronous step that takes the checkpoint entries, so a
 * committed position is always covered by a written entry (see `processor.ts`).
 *
 * @module
 */
import type { SourceBatch, SourcePosition, SourceRunner } from "../contracts.ts";
import { errorText } from "../errors.ts";

/** A position a flush may commit, with its partition id. */
export type DuePosition = readonly [id: string, position: SourcePosition];

/** What a commit did. */
export interface Committed {
  /** Positions acknowledged. */
  positions: number;
  /** Duration of the commit, ms, when one was made. */
  ms?: number;
}

/** Positions, commits and lag of one processor. */
export interface Commits {
  /** Notes a batch's end offset and waiting count as it arrives (before anything can block). */
  seen(id: string, batch: SourceBatch): void;
  /** Records the position after a batch whose records are applied. */
  applied(id: string, batch: SourceBatch): void;
  /** Positions not yet committed, of the partitions `mayCommit` accepts. */
  due(mayCommit: (id: string) => boolean): DuePosition[];
  /**
   * Commits `positions`; a failed commit is counted and logged (the
   * records are re-delivered and recognised), never thrown. `stillCurrent` tells whether the
   * generation that took the positions is still the current one when the commit ends.
   */
  commit(positions: readonly DuePosition[], stillCurrent: () => boolean): Promise<Committed>;
  /** Forgets every partition (after a reassignment). */
  reset(): void;
  /** Lag by `stream/partition`: end offset minus committed offset. */
  lag(): Record<string, number>;
  /** Messages the source said wait unread, over every partition. */
  waiting(): number;
  /** Commits that failed so far. */
  failures(): number;
}

/** Creates the commit keeping of a processor reading `source`. */
export function commits(
  source: SourceRunner,
  now: () => number,
  log: (line: string) => void,
): Commits {
  const durable = new Map<string, SourcePosition>();
  const committed = new Map<string, number>();
  const sourceLag = new Map<string, number>();
  const waitingBy = new Map<string, number>();
  // Until this process commits a partition, its committed offset is where the group's stood
  // when the partition came: the first offset this generation was given.
  const endOffsets = new Map<string, number>();
  const firstOffsets = new Map<string, number>();
  let failed = 0;

  return {
    seen(id, batch) {
      if (batch.endOffset !== undefined) {
        endOffsets.set(id, batch.endOffset);
        if (!firstOffsets.has(id)) firstOffsets.set(id, batch.messages[0]!.offset);
      }
    },
    applied(id, batch) {
      const last = batch.messages[batch.messages.length - 1]!;
      durable.set(id, {
        stream: batch.stream,
        partition: batch.partition,
        nextOffset: last.offset + 1,
      });
      if (batch.lag !== undefined) {
        waitingBy.set(id, batch.lag);
        if (batch.endOffset === undefined) sourceLag.set(id, batch.lag);
      }
    },
    due(mayCommit) {
      return [...durable].filter(([id, position]) =>
        mayCommit(id) && committed.get(id) !== position.nextOffset
      ).map(([id, position]) => [id, position] as const);
    },
    async commit(positions, stillCurrent) {
      if (positions.length === 0) return { positions: 0 };
      try {
        const started = now();
        await source.commit(positions.map(([, position]) => position));
        const ms = now() - started;
        if (stillCurrent()) {
          for (const [id, position] of positions) committed.set(id, position.nextOffset);
        }
        return { positions: positions.length, ms };
      } catch (error) {
        // Harmless for correctness: the positions are re-delivered and recognised as
        // duplicates. Counted, and logged, because replay grows while commits fail.
        failed++;
        log(`could not acknowledge input positions (will be re-delivered): ${errorText(error)}`);
        return { positions: 0 };
      }
    },
    reset() {
      for (const map of [durable, committed, sourceLag, waitingBy, endOffsets]) {
        map.clear();
      }
      firstOffsets.clear();
    },
    lag() {
      const byName: Record<string, number> = {};
      for (const [id, lag] of sourceLag) byName[id] = lag;
      for (const [id, end] of endOffsets) {
        const from = committed.get(id) ?? firstOffsets.get(id) ?? end;
        byName[id] = Math.max(0, end - from);
      }
      return byName;
    },
    waiting: () => [...waitingBy.values()].reduce((total, count) => total + count, 0),
    failures: () => failed,
  };
}
