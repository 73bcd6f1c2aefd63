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
import { keyedAggregation } from "../sdk/keyed.ts";
import type { MarkStore, StreamMark } from "./stream_marks.ts";
import type {
  PartitionHead,
  SaveSummary,
  StateChange,
  StateKey,
  StateStore,
  StoredEntry,
  StoredHead,
} from "./state_store.ts";
import { chunkEntries, stateKeyString } from "./state_store.ts";
import { windowSize, type WindowSpec } from "../window_size.ts";
import { windowCutter } from "../windows.ts";
import { createProcessor, type ProcessorOptions } from "./processor.ts";

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

/** A stored row with its write timestamp, as Cassandra keeps it. */
interface Versioned<T> {
  row: T;
  timestamp: number;
}

/** An in-memory state store: each row keeps the write with the highest timestamp, as Cassandra does. */
export function fakeStateStore(): StateStore & {
  heads: Map<string, Versioned<PartitionHead & { key: StateKey }>>;
  keys: Map<string, Map<string, Versioned<StoredEntry>>>;
  load$: FaultPoint;
  /** Reads of single keys (`loadKeys`). */
  keyLoad$: FaultPoint;
  /** Every read of single keys: which partition window, which keys. */
  keyReads: Array<{ key: string; stateKeys: string[] }>;
  save$: FaultPoint;
  /** Fails the save after this many of its rows were written (a flush cut short). */
  cutSaveAfterRows?: number;
  /** Every save's summary. */
  saves: SaveSummary[];
  /** The expiry each partition window's rows were last written with. */
  expiries: Map<string, number | undefined>;
  /** Every read of key rows: which partition window, above which offset. */
  entryReads: Array<{ key: string; above: number }>;
} {
  const entryReads: Array<{ key: string; above: number }> = [];
  const heads = new Map<string, Versioned<PartitionHead & { key: StateKey }>>();
  const keys = new Map<string, Map<string, Versioned<StoredEntry>>>();
  const load$ = new FaultPoint();
  const save$ = new FaultPoint();
  /** Reads of single keys (a partition window some of whose keys left memory). */
  const keyLoad$ = new FaultPoint();
  const keyReads: Array<{ key: string; stateKeys: string[] }> = [];
  const saves: SaveSummary[] = [];
  const expiries = new Map<string, number | undefined>();
  const store = {
    entryReads,
    expiries,
    heads,
    keys,
    load$,
    keyLoad$,
    keyReads,
    save$,
    saves,
    cutSaveAfterRows: undefined as number | undefined,
    async loadHeads(wanted: readonly StateKey[]) {
      await load$.pass();
      const found = new Map<string, StoredHead>();
      for (const key of wanted) {
        const head = heads.get(stateKeyString(key));
        if (head !== undefined) {
          found.set(stateKeyString(key), {
            records: head.row.records,
            appliedOffset: head.row.appliedOffset,
          });
        }
      }
      return found;
    },
    loadEntries(key: StateKey, above = -Infinity) {
      entryReads.push({ key: stateKeyString(key), above });
      return Promise.resolve(
        [...(keys.get(stateKeyString(key))?.values() ?? [])]
          .filter(({ row }) => row.appliedOffset > above)
          .map(({ row }) => ({ ...row })),
      );
    },
    async loadKeys(key: StateKey, stateKeys: readonly string[]) {
      await keyLoad$.pass();
      keyReads.push({ key: stateKeyString(key), stateKeys: [...stateKeys] });
      const partition = keys.get(stateKeyString(key));
      return stateKeys.flatMap((stateKey) => {
        const stored = partition?.get(stateKey);
        return stored === undefined ? [] : [{ ...stored.row }];
      });
    },
    async save(changes: readonly StateChange[]) {
      await save$.pass();
      let budget = store.cutSaveAfterRows ?? Infinity;
      store.cutSaveAfterRows = undefined;
      const cut = () => {
        if (budget-- <= 0) throw new Error("connection reset mid-save");
      };
      let rows = 0;
      let largestWriteBytes = 0;
      for (const change of changes) {
        const id = stateKeyString(change.key);
        let partition = keys.get(id);
        if (partition === undefined) keys.set(id, partition = new Map());
        for (const chunk of chunkEntries(change.entries)) {
          largestWriteBytes = Math.max(largestWriteBytes, chunk.bytes);
          for (const entry of chunk.entries) {
            cut();
            const existing = partition.get(entry.stateKey);
            if (existing === undefined || existing.timestamp <= entry.appliedOffset + 1) {
              partition.set(entry.stateKey, {
                row: { ...entry },
                timestamp: entry.appliedOffset + 1,
              });
            }
            rows++;
          }
        }
      }
      for (const { key, head, expiresAt } of changes) {
        cut();
        expiries.set(stateKeyString(key), expiresAt);
        const existing = heads.get(stateKeyString(key));
        if (existing === undefined || existing.timestamp <= head.appliedOffset + 1) {
          heads.set(stateKeyString(key), {
            row: { ...head, key, stream: key.stream, partition: key.partition },
            timestamp: head.appliedOffset + 1,
          });
        }
        rows++;
      }
      const summary = { writes: rows, rows, largestWriteBytes };
      saves.push(summary);
      return summary;
    },
    readWindowHeads(aggregation: string, windowKey: string) {
      return Promise.resolve(
        [...heads.values()]
          .filter(({ row }) =>
            row.key.aggregation === aggregation && row.key.windowKey === windowKey
          )
          .map(({ row }) => ({
            stream: row.stream,
            partition: row.partition,
            records: row.records,
            appliedOffset: row.appliedOffset,
          })),
      );
    },
  };
  return store;
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

/** Day windows, the size every fake aggregation here is bound with. */
export const DAY: WindowSpec = windowSize("1d");

/** Counts records per window: the smallest aggregation whose results show every lost or extra count. */
export const countRecords: Aggregation<{ n: number }> = {
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

/** Visits per page in keyed form: one state row per page. */
export const visitsPerPage: Aggregation = keyedAggregation<number>({
  shape: { key: { name: "page", type: "text" }, values: [{ name: "visits", type: "bigint" }] },
  keyOf: (record) => record.request_uri,
  start: () => 0,
  add: (visits) => visits + 1,
  merge: (into, other) => into + other,
  finish: (values) =>
    [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([page, visits]) => ({ key: page, values: { visits } })),
}) as Aggregation;

/** A batch of valid messages whose pages are `pageOf(offset)`. */
export function pagesBatch(
  partition: number,
  offsets: number[],
  pageOf: (offset: number) => string,
): SourceBatch {
  return {
    stream: "RAWLOG",
    partition,
    messages: offsets.map((offset) => {
      const message = logMessage(offset);
      const fields = JSON.parse(new TextDecoder().decode(message.value!));
      fields.request_uri = pageOf(offset);
      return { ...message, value: new TextEncoder().encode(JSON.stringify(fields)) };
    }),
  };
}

/** An in-memory mark store; a mark never moves back. */
export function fakeMarkStore(): MarkStore & { marks: Map<string, StreamMark> } {
  const marks = new Map<string, StreamMark>();
  return {
    marks,
    load: (stream, partition) => Promise.resolve(marks.get(`${stream}/${partition}`)),
    save(saved) {
      for (const mark of saved) {
        const id = `${mark.stream}/${mark.partition}`;
        if ((marks.get(id)?.committedOffset ?? -1) <= mark.committedOffset) marks.set(id, mark);
      }
      return Promise.resolve();
    },
  };
}

/**
 * A processor on fresh fakes running one day-window aggregation named `pages` into sink `s`
 * (by default {@linkcode visitsPerPage}), with the fakes and options it was made from.
 */
export function pagesProcessor(
  aggregation: Aggregation = visitsPerPage,
  overrides: Partial<ProcessorOptions> = {},
) {
  const states = fakeStateStore();
  const source = fakeSource();
  const sink = fakeSink();
  const options: ProcessorOptions = {
    source,
    aggregations: [{ name: "pages", aggregation, window: DAY, sinks: [{ name: "s", sink }] }],
    cutter: windowCutter("UTC"),
    logWriter: fakeLogWriter(),
    states,
    log: () => {},
    ...overrides,
  };
  return { states, source, sink, options, processor: createProcessor(options) };
}

/** Visits per page as `sink` shows them for 2026-11-20 (the `pages` aggregation). */
export function publishedVisits(sink: ReturnType<typeof fakeSink>): Record<string, unknown> {
  const rows = sink.latest.get("pages/2026-11-20")?.rows ?? [];
  return Object.fromEntries(rows.map((row) => [row.key, row.values.visits]));
}
