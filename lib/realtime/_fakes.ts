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
import type { Append, ChangelogStore, Checkpoint } from "./changelog_store.ts";
import { chunksOf, decodeEntry, walkChain } from "./changelog_store.ts";
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

/** One stored chunk of a changelog entry. */
interface FakeChunk {
  seq: number;
  chunk: number;
  prev: number;
  chunks: number;
  data: Uint8Array;
}

/**
 * An in-memory changelog store with the real one's rules: claims raise the epoch, a checkpoint
 * moves only when the writer's epoch is the stored one, entries are read by walking the chain.
 * `chunk$` is passed before each chunk is written and `move$` before the checkpoints move, so a
 * test can crash a write between chunks or between the chunks and the move.
 */
export function fakeChangelogStore(chunkBytes = 64): ChangelogStore & {
  rows: Map<string, Checkpoint>;
  chunks: Map<string, FakeChunk[]>;
  claim$: FaultPoint;
  chunk$: FaultPoint;
  move$: FaultPoint;
  read$: FaultPoint;
} {
  const rows = new Map<string, Checkpoint>();
  const chunks = new Map<string, FakeChunk[]>();
  const claim$ = new FaultPoint();
  const chunk$ = new FaultPoint();
  const move$ = new FaultPoint();
  const read$ = new FaultPoint();
  const id = (stream: string, partition: number) => `${stream}/${partition}`;
  return {
    rows,
    chunks,
    claim$,
    chunk$,
    move$,
    read$,
    checkpoints(stream) {
      const found = new Map<number, Checkpoint>();
      for (const [key, row] of rows) {
        const at = key.lastIndexOf("/");
        if (key.slice(0, at) === stream) found.set(Number(key.slice(at + 1)), { ...row });
      }
      return Promise.resolve(found);
    },
    streams() {
      return Promise.resolve([
        ...new Set([...rows.keys()].map((key) => key.slice(0, key.lastIndexOf("/")))),
      ]);
    },
    async claim(stream, partition) {
      await claim$.pass();
      const stored = rows.get(id(stream, partition)) ??
        { epoch: 0, snapshotSeq: -1, lastSeq: -1, logBytes: 0, snapshotBytes: 0 };
      const taken = { ...stored, epoch: stored.epoch + 1 };
      rows.set(id(stream, partition), taken);
      return { ...taken };
    },
    async read(stream, partition, checkpoint, afterSeq) {
      await read$.pass();
      if (checkpoint.lastSeq === -1 || checkpoint.lastSeq === afterSeq) {
        return { entries: [], bytes: 0 };
      }
      const stored = chunks.get(id(stream, partition)) ?? [];
      const from = afterSeq >= checkpoint.snapshotSeq ? afterSeq : -1;
      const chain = walkChain(stored, checkpoint.lastSeq, from);
      return {
        entries: chain.map(({ data }) => decodeEntry(data)),
        bytes: chain.reduce((sum, { data }) => sum + data.length, 0),
      };
    },
    async append(stream, appends: readonly Append[]) {
      for (const append of appends) {
        const parts = chunksOf(append.data, chunkBytes);
        for (const [chunk, data] of parts.entries()) {
          await chunk$.pass();
          const list = chunks.get(id(stream, append.partition)) ?? [];
          chunks.set(id(stream, append.partition), list);
          const row = {
            seq: append.seq,
            chunk,
            prev: append.prev,
            chunks: parts.length,
            data: data.slice(),
          };
          const at = list.findIndex((old) => old.seq === row.seq && old.chunk === chunk);
          if (at >= 0) list[at] = row;
          else list.push(row);
        }
      }
      await move$.pass();
      const fenced = new Set<number>();
      for (const append of appends) {
        const stored = rows.get(id(stream, append.partition));
        if (stored?.epoch !== append.checkpoint.epoch) fenced.add(append.partition);
      }
      for (const append of appends) {
        if (!fenced.has(append.partition)) {
          rows.set(id(stream, append.partition), { ...append.checkpoint });
        }
      }
      return fenced;
    },
    dropBefore(stream, partition, seq) {
      const list = chunks.get(id(stream, partition)) ?? [];
      chunks.set(id(stream, partition), list.filter((row) => row.seq >= seq));
      return Promise.resolve();
    },
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

/**
 * A processor on fresh fakes running one day-window aggregation named `pages` into sink `s`
 * (by default {@linkcode visitsPerPage}), with the fakes and options it was made from.
 */
export function pagesProcessor(
  aggregation: Aggregation = visitsPerPage,
  overrides: Partial<ProcessorOptions> = {},
) {
  const changelog = fakeChangelogStore();
  const source = fakeSource();
  const sink = fakeSink();
  const options: ProcessorOptions = {
    source,
    aggregations: [{ name: "pages", aggregation, window: DAY, sinks: [{ name: "s", sink }] }],
    cutter: windowCutter("UTC"),
    logWriter: fakeLogWriter(),
    changelog,
    log: () => {},
    ...overrides,
  };
  return { changelog, source, sink, options, processor: createProcessor(options) };
}

/** Visits per page as `sink` shows them for 2026-11-20 (the `pages` aggregation). */
export function publishedVisits(sink: ReturnType<typeof fakeSink>): Record<string, unknown> {
  const rows = sink.latest.get("pages/2026-11-20")?.rows ?? [];
  return Object.fromEntries(rows.map((row) => [row.key, row.values.visits]));
}
