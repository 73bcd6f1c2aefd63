/**
 * In-memory stand-ins for the processor's collaborators, for unit tests of its concurrency:
 * every call can be held at a gate or made to fail, so a test can fire a rebalance or a fault
 * at exactly the await it wants.
 *
 * @module
 */
import type {
  Aggregation,
  RawMessage,
  Sink,
  SourceBatch,
  SourcePosition,
  SourceRunner,
  WindowResult,
} from "../contracts.ts";
import type { LogWriter } from "../log_store.ts";
import type { StateKey, StateStore, StoredPartitionState, StoredState } from "./state_store.ts";
import { stateKeyString } from "./state_store.ts";

/** A point where a fake call waits until the test opens it. */
export interface Gate {
  /** Resolves when a call reached the gate. */
  reached: Promise<void>;
  /** Lets the waiting call go on. */
  open(): void;
}

/** Controls of one fake operation: hold the next call at a gate, or fail the next calls. */
export class FaultPoint {
  #gates: Array<{ reached: () => void; opened: Promise<void> }> = [];
  #failures: Error[] = [];
  /** Calls made so far. */
  calls = 0;

  /** Holds the next call until the returned gate opens. */
  holdNext(): Gate {
    let reached!: () => void;
    let open!: () => void;
    const reachedPromise = new Promise<void>((resolve) => reached = resolve);
    const opened = new Promise<void>((resolve) => open = resolve);
    this.#gates.push({ reached, opened });
    return { reached: reachedPromise, open };
  }

  /** Fails the next `times` calls with `error`. */
  failNext(error: Error, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push(error);
  }

  /** Runs one call through the fault point. */
  async pass(): Promise<void> {
    this.calls++;
    const gate = this.#gates.shift();
    if (gate !== undefined) {
      gate.reached();
      await gate.opened;
    }
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
  }
}

/** An in-memory `aggregate_state`: the row with the higher applied offset wins, as in Cassandra. */
export function fakeStateStore(): StateStore & {
  rows: Map<string, StoredPartitionState & { key: StateKey }>;
  load$: FaultPoint;
  save$: FaultPoint;
} {
  const rows = new Map<string, StoredPartitionState & { key: StateKey }>();
  const load$ = new FaultPoint();
  const save$ = new FaultPoint();
  const inWindow = (aggregation: string, windowKey: string) =>
    [...rows.values()].filter((row) =>
      row.key.aggregation === aggregation && row.key.windowKey === windowKey
    );
  return {
    rows,
    load$,
    save$,
    async load(keys) {
      await load$.pass();
      const found = new Map<string, StoredState>();
      for (const key of keys) {
        const row = rows.get(stateKeyString(key));
        if (row !== undefined) {
          found.set(stateKeyString(key), {
            state: row.state,
            records: row.records,
            appliedOffset: row.appliedOffset,
          });
        }
      }
      return found;
    },
    async save(saved) {
      await save$.pass();
      for (const { key, value } of saved) {
        const existing = rows.get(stateKeyString(key));
        if (existing !== undefined && existing.appliedOffset > value.appliedOffset) continue;
        rows.set(stateKeyString(key), {
          ...value,
          key,
          stream: key.stream,
          partition: key.partition,
        });
      }
    },
    readWindow: (aggregation, windowKey) => Promise.resolve(inWindow(aggregation, windowKey)),
    readWindowHeads: (aggregation, windowKey) =>
      Promise.resolve(
        inWindow(aggregation, windowKey).map(({ stream, partition, records, appliedOffset }) => ({
          stream,
          partition,
          records,
          appliedOffset,
        })),
      ),
  };
}

/** An in-memory `log` table: record ids written. */
export function fakeLogWriter(): LogWriter & { ids: Set<string>; write$: FaultPoint } {
  const ids = new Set<string>();
  const write$ = new FaultPoint();
  return {
    ids,
    write$,
    async write(records) {
      await write$.pass();
      for (const record of records) ids.add(record.id);
    },
  };
}

/** A source that records what the processor commits and dead-letters. */
export function fakeSource(): SourceRunner & {
  commits: SourcePosition[][];
  rejected: number[];
  commit$: FaultPoint;
} {
  const commits: SourcePosition[][] = [];
  const rejected: number[] = [];
  const commit$ = new FaultPoint();
  return {
    commits,
    rejected,
    commit$,
    run: () => Promise.resolve(),
    async commit(positions) {
      await commit$.pass();
      commits.push(positions);
    },
    reject(_batch, rejections) {
      for (const rejection of rejections) rejected.push(rejection.message.offset);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

/** A sink that keeps the last result written per window. */
export function fakeSink(): Sink & { latest: Map<string, WindowResult>; write$: FaultPoint } {
  const latest = new Map<string, WindowResult>();
  const write$ = new FaultPoint();
  return {
    latest,
    write$,
    prepare: () => Promise.resolve(),
    async write(results) {
      await write$.pass();
      for (const result of results) {
        latest.set(`${result.aggregation}/${result.window.key}`, result);
      }
    },
    close: () => Promise.resolve(),
  };
}

/** Counts records per window: the smallest aggregation whose results show every lost or extra count. */
export const countRecords: Aggregation<{ n: number }> = {
  granularity: "day",
  shape: { key: { name: "all", type: "text" }, values: [{ name: "n", type: "bigint" }] },
  start: () => ({ n: 0 }),
  add: (state) => {
    state.n++;
    return state;
  },
  merge: (into, other) => {
    into.n += other.n;
    return into;
  },
  finish: (state) => [{ key: "all", values: { n: state.n } }],
};

/** A valid JSON log message of 2026-11-20 (or of `timestamp`). */
export function logMessage(
  offset: number,
  timestamp = "2026-11-20T10:00:00Z",
  producedAt?: number,
): RawMessage {
  const value = new TextEncoder().encode(JSON.stringify({
    timestamp,
    request_uri: `/page/${offset % 7}`,
    status: 200,
    body_bytes_sent: 100,
    request_time: 0.01,
    http_referrer: "-",
    http_user_agent: "test",
  }));
  return { offset, value, producedAt: producedAt ?? Date.parse("2026-11-20T12:00:00Z") };
}

/** A batch of valid messages at `offsets` of `partition` in stream `RAWLOG`. */
export function batchOf(partition: number, offsets: number[]): SourceBatch {
  return { stream: "RAWLOG", partition, messages: offsets.map((offset) => logMessage(offset)) };
}

/** Offsets from..to inclusive. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
