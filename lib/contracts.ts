/**
 * The plugin contract: what a source, a transform, an aggregation and a sink module must export.
 *
 * A plugin module's default export is one {@linkcode PluginDefinition}. The same definition
 * drives option validation, `deno task run --check`, `deno task plugins` and the plugin
 * reference in docs/plugins.md, so docs never drift from code. `lib/` only ever talks to these types.
 *
 * @module
 */
import type { z } from "zod";
import type { Kafka } from "kafkajs";
import type { Client as CassandraClient } from "cassandra-driver";
import type { LogRecord, SourcedRecord } from "./records.ts";
import type { WindowSpec } from "./window_size.ts";

/** The four kinds of plugin. */
export type PluginKind = "source" | "transform" | "aggregation" | "sink" | "notifier";

/** Fields every plugin definition carries: its identity, docs and options schema. */
export interface PluginBase<K extends PluginKind, O> {
  /** Which role the plugin plays. */
  kind: K;
  /** Name used as `plugin:` in pipeline.yaml; lower_snake_case. */
  name: string;
  /** One line saying what it does. */
  summary: string;
  /** Longer explanation shown by `deno task plugins`. */
  description?: string;
  /**
   * Schema of the `options:` block. Use a strict zod object whose fields carry
   * `.describe()` text, defaults and `.meta({ examples: [...] })`.
   */
  options: z.ZodType<O>;
  /** A complete, valid `options:` block used in docs. */
  example: Record<string, unknown>;
}

/** Services and settings the runtime hands to plugins when it starts them. */
export interface RuntimeContext {
  /** Kafka client built from the `kafka:` block. */
  kafka: Kafka;
  /** Connected Cassandra client built from the `cassandra:` block. */
  cassandra: CassandraClient;
  /** Keyspace holding every table (already validated as an identifier). */
  keyspace: string;
  /** IANA time zone in which windows are cut (e.g. `UTC`, `Europe/Paris`). */
  timeZone: string;
  /** Consumer group id for real-time sources. */
  consumerGroup: string;
  /** Print an operator-facing line. */
  log: (message: string) => void;
}

/** A Kafka topic a plugin needs; the runner creates it when missing. */
export interface TopicSpec {
  /** Topic name (validated). */
  topic: string;
  /** Partition count used when the topic is created. */
  partitions: number;
}

// ---------------------------------------------------------------------------
// Sources

/** One message as read from a source, before parsing. */
export interface RawMessage {
  /** Position within its partition. */
  offset: number;
  /** Message bytes (JSON log object or combined-format line); null for a tombstone. */
  value: Uint8Array | null;
  /** Time the message was produced, ms since epoch, when the source knows it. */
  producedAt?: number;
  /**
   * Time given to a JSON record that carries none (no `timestamp` or `event_time`), when the
   * source is configured to supply one (the `kafka` source's `message_time_fallback`); it must
   * be the same on every delivery of the message.
   */
  fallbackTime?: number;
}

/** A run of consecutive messages from one partition of one stream. */
export interface SourceBatch {
  /** Stream identity (Kafka topic or generator name); part of every record id. */
  stream: string;
  /** Partition within the stream. */
  partition: number;
  /** Messages in offset order. */
  messages: RawMessage[];
  /** Messages still waiting in this partition after this batch, when the source knows. */
  lag?: number;
  /**
   * Offset after the partition's last message (Kafka's high watermark), when the source knows;
   * lets the runtime recognise a deleted and recreated topic.
   */
  endOffset?: number;
}

/** A message the runtime could not accept, with the reason. */
export interface Rejection {
  /** The original message, bytes untouched. */
  message: RawMessage;
  /** What was wrong, e.g. `status: expected an integer 100..599, found "abc"`. */
  reason: string;
}

/** Where processing of one partition has durably reached. */
export interface SourcePosition {
  /** Stream identity. */
  stream: string;
  /** Partition within the stream. */
  partition: number;
  /** Offset of the next message to read (last processed + 1). */
  nextOffset: number;
}

/** Callbacks the runtime hands to a running source. */
export interface SourceHandlers {
  /** Processes one batch; resolves once the records are applied (not yet durable). */
  onBatch: (batch: SourceBatch) => Promise<void>;
  /** Called when the partitions this process owns change (e.g. a consumer-group rebalance). */
  onReassigned: () => void;
  /**
   * Called when the source crashed (its reading loop failed) and would restart. The runtime
   * logs and counts it, and answers whether to restart: false once the failure has persisted,
   * and `run` should then reject with `error`. Sources that cannot restart need not call it.
   */
  onFailure?: (error: unknown) => boolean;
}

/** What the server knows of an HTTP request beyond the request itself. */
export interface HttpRequestInfo {
  /** The client's address (no port). */
  remoteAddr: string;
}

/** An HTTP endpoint a plugin serves on the runner's one HTTP server (see `http:`). */
export interface HttpRoute {
  /** HTTP method. */
  method: "GET" | "POST" | "OPTIONS";
  /** Exact path, e.g. `/api/events`. */
  path: string;
  /**
   * Served without the dashboard token even when the server listens beyond loopback, because
   * the route authenticates on its own (e.g. ingest API keys) or is meant for public pages
   * (e.g. a tracker script).
   */
  public?: boolean;
  /** Answers one request. */
  handle(request: Request, info: HttpRequestInfo): Response | Promise<Response>;
}

/** A started source. */
export interface SourceRunner {
  /** Endpoints this source serves (e.g. an HTTP ingest source); mounted by the runtime. */
  routes?: HttpRoute[];
  /** Reads until `signal` aborts or the input ends; rejects on a fatal error. */
  run(handlers: SourceHandlers, signal: AbortSignal): Promise<void>;
  /**
   * Acknowledges positions whose effects are durable (Kafka: commits offsets). Called by the
   * runtime only after the log rows and aggregate state they cover are written.
   */
  commit(positions: SourcePosition[]): Promise<void>;
  /**
   * Sends rejected messages of a batch to the dead-letter destination; resolves once they are
   * durably stored there. Sources without one log them instead.
   */
  reject(batch: SourceBatch, rejections: Rejection[]): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
  /**
   * Input partitions this process currently owns, or undefined while it has none assigned yet
   * (e.g. before a Kafka consumer joined its group). `/ready` uses it; sources without
   * assignments leave it out.
   */
  assignment?(): number | undefined;
}

/** Definition exported by a source plugin module. */
export interface SourcePlugin<O = unknown> extends PluginBase<"source", O> {
  /** Topics this source reads or writes, created at start when missing. */
  topics?: (options: O) => TopicSpec[];
  /**
   * True when, with these options, the source feeds a Kafka topic rather than the pipeline
   * (a traffic simulator); aggregations may not read such a source directly.
   */
  feedsTopic?: (options: O) => string | undefined;
  /** Starts the source. */
  open(options: O, context: RuntimeContext): Promise<SourceRunner>;
}

// ---------------------------------------------------------------------------
// Transforms

/**
 * What a transform does with one record: the record to go on with (the same object changed,
 * or a new one), or undefined to drop it (a filter). Throwing sends the record's message to
 * the dead-letter topic with the error's message as the reason.
 */
export type RecordTransform = (record: LogRecord) => LogRecord | undefined;

/** What the runtime hands to a transform when it opens it. */
export interface TransformContext {
  /** Print an operator-facing line (e.g. which database version a lookup uses). */
  log: (message: string) => void;
}

/**
 * Definition exported by a transform plugin module. Transforms run once per record, in the
 * order of `transforms:`, after parsing and before the record is written to `log`, so real
 * time, batch and replays all see the same enriched record.
 */
export interface TransformPlugin<O = unknown> extends PluginBase<"transform", O> {
  /**
   * Prepares the transform (loads a database, compiles conditions). Rejecting stops the start;
   * the error must say what is missing and what to do.
   */
  open(options: O, context: TransformContext): RecordTransform | Promise<RecordTransform>;
}

// ---------------------------------------------------------------------------
// Aggregations

/** A Cassandra-compatible scalar column type for result rows. */
export type ColumnType = "text" | "int" | "bigint" | "double";

/** A column of a result row. */
export interface ResultColumn {
  /** Column name (an identifier). */
  name: string;
  /** Column type. */
  type: ColumnType;
}

/** Shape of the rows an aggregation produces for one window. */
export interface ResultShape {
  /**
   * The column, or columns in order, that identify a row within a window (e.g. `page_url`;
   * `[product_id, action]` for a composite key). Read it with `keyColumns(shape)`.
   */
  key: ResultColumn | readonly ResultColumn[];
  /** The value columns (e.g. `visits`, `rank`). */
  values: ResultColumn[];
}

/** The value of one key column. */
export type KeyValue = string | number;

/** One result row for one window. */
export interface ResultRow {
  /** Value of the key column, or the values of the key columns in shape order. */
  key: KeyValue | readonly KeyValue[];
  /** Values of the value columns, by name. */
  values: Record<string, string | number>;
}

/**
 * An aggregation built from validated options. It is pure and mergeable: the real-time loop
 * and the batch job run the very same functions, so their results agree by construction.
 * State must be JSON-serializable (plain objects, arrays, strings, numbers).
 */
export interface Aggregation<S = unknown> {
  /** Shape of finished rows. */
  shape: ResultShape;
  /** A new, empty partial result. */
  start(): S;
  /** Adds one record; may mutate and return `state`. */
  add(state: S, record: LogRecord): S;
  /**
   * Combines two partial results of the same window; may mutate and return `into`.
   *
   * `other` is read only: merge must not change it, keep any part of it (an object or array
   * inside `other` must not end up inside the result), or return it. The runtime never hands
   * live state as `other`, and the SDK's `assertAggregationLaws` checks all three.
   */
  merge(into: S, other: S): S;
  /** Final rows for a window (e.g. the top N pages). Must be deterministic; only reads `state`. */
  finish(state: S): ResultRow[];
  /**
   * The same aggregation in keyed form, when its state is a map from a state key (a page, a
   * status code) to a small value. With it, the real-time loop stores one row per key and
   * rewrites only the keys that changed, so a flush costs what changed, not what the window
   * holds. Build both forms at once with the SDK's `keyedAggregation`, which guarantees they
   * agree; without it, the whole state is stored as one value.
   */
  keyed?: KeyedState;
  /**
   * Optional: how a finished window is kept so that windows merge later exactly as one bigger
   * window would (a range of days, a week of hours). The runtime stores the summary beside each
   * window's rows, and the results API merges the summaries of a range; see
   * {@linkcode MergeableResult}.
   */
  mergeable?: MergeableResult;
}

/**
 * What a range of windows merges to: rows as one window over the range would give them (or as
 * close as the summaries allow, with the bound), and the range's headline figures.
 */
export interface RangeAnswer {
  /** Rows over the range, in the shape of the aggregation's rows. */
  rows: ResultRow[];
  /**
   * True when the rows are exactly those of one window over the range; false when a ranked
   * list was cut (see `errorBound`), a figure is an estimate's (a sketch's, see
   * `relativeError`), or the windows count what crosses their edges in each (sessions).
   */
  exact: boolean;
  /**
   * For a ranked list that is not exact: how much any key's count, shown or not, may be below
   * its true count (at most the sum of what the windows cut). Absent when exact or when only a
   * sketch's error applies.
   */
  errorBound?: number;
  /**
   * For a sketch's estimate: its relative standard error (0.0081 for 0.81%), so 99.7% of
   * answers are within three of it.
   */
  relativeError?: number;
  /**
   * Headline figures of the range, by metric name: `pageviews`, `visitors`, `sessions`,
   * `bounce_rate` (0..1), `visit_duration_s`, `requests`, `errors`, ... as the plugin knows them.
   */
  totals: Record<string, number>;
}

/**
 * The mergeable part of an aggregation. A window's summary is plain JSON (it is stored) and
 * holds what merging needs: counts per key for a ranked list (the K best, K well above the rows
 * shown, with the bound of what was cut), a sketch's registers, quantile bins, sums.
 *
 * The law (`assertAggregationLaws` checks it): for windows w1..wn of one aggregation,
 * `finishRange(mergeSummaries(...toSummary(wi)))` gives the rows of one window holding every
 * record of w1..wn whenever it says `exact`, a sketch's estimate exactly that of one window's
 * summary; merging is commutative and associative and leaves its `other` unchanged.
 *
 * @typeParam P The summary.
 * @typeParam M The keyed summary ({@linkcode KeyedSummary}) that `fromKeyed` reads.
 */
export interface MergeableResult<P = unknown, M = unknown> {
  /**
   * The summary of a finished window from its keyed values (those of the keyed form; an
   * aggregation without one has its whole state under the key `""`). Only reads `values`.
   */
  toSummary(values: ReadonlyMap<string, unknown>): P;
  /**
   * Optional: the same summary as `toSummary` over the keys a keyed summary
   * ({@linkcode KeyedState.summary}) was updated with, made from that summary alone. Real time
   * keeps the keyed summary up to date with the changed keys, so with this a window's summary
   * costs what it holds (a ranked list's K best, a sketch), not a pass over every key of the
   * window at every result. Only reads `keyed`; the summary returned shares nothing with it
   * (it is stored while `keyed` keeps changing). The conformance check asserts both equal.
   */
  fromKeyed?(keyed: M): P;
  /** An empty summary: the identity of `mergeSummaries`. */
  emptySummary(): P;
  /** Merges `other` into `into` (may mutate and return `into`; `other` is read only). */
  mergeSummaries(into: P, other: P): P;
  /** The rows and headline figures of a merged summary. */
  finishRange(summary: P): RangeAnswer;
}

/**
 * The keyed form of an aggregation: a window's state is a map from state key to value; each
 * record adds to the value of at most one key, and to the total key when there is one. Values
 * must be JSON-serializable and small (one Cassandra row each).
 */
export interface KeyedState<V = unknown, M = unknown> {
  /** The state key `record` adds to, or undefined when the aggregation skips it. */
  keyOf(record: LogRecord): string | undefined;
  /**
   * Optional: a key that every record counted under a key also adds to, so the window's total
   * is a value like any other key's (e.g. the sketch of every request, beside one per page).
   * A summary then reads the total as it is lent, instead of adding up every key's part, which
   * needs `previous` (and real time to keep every key of the window in memory). `keyOf` must
   * never return it; the conformance check asserts so.
   */
  totalKey?: string;
  /** A new, empty value. */
  start(): V;
  /** Adds one record to the value of its key; may mutate and return `value`. */
  add(value: V, record: LogRecord): V;
  /** Combines two values of one key; `other` is read only, as in {@linkcode Aggregation.merge}. */
  merge(into: V, other: V): V;
  /**
   * Final rows from the values of every key of a window. Must be deterministic, and must only
   * read `values` (they are kept and merged into again after it returns).
   */
  finish(values: ReadonlyMap<string, V>): ResultRow[];
  /**
   * Optional: the same rows as `finish`, from a summary of the window that real time keeps and
   * updates with the changed keys only, so a result costs what changed since the last one, not
   * every key of the window. Worth it when `finish` does real work per key (estimates a sketch,
   * merges every value into a total); see {@linkcode KeyedSummary} for its law.
   */
  summary?: KeyedSummary<V, M>;
}

/**
 * A window's summary from which a keyed aggregation finishes without reading every key: real
 * time starts one per window, updates it with each key whose merged value changed since the
 * last result, and finishes from it. It lives in memory only (never stored), so any value will
 * do, a `Map` included.
 *
 * The law (`assertAggregationLaws` checks it): take any sequence of updates in which
 * - between two updates of a key, its value only grows: the newer value is the older one
 *   merged (the keyed `merge`) with more;
 * - keys come in any order, and a key may be updated again with the value it already had;
 * - `previous` is the value lent at the key's last update (undefined at its first, and always
 *   without {@linkcode KeyedSummary.usesPrevious});
 *
 * then `finish(summary)`, at any point, gives exactly the rows of {@linkcode KeyedState.finish}
 * over every key updated so far with its latest value (and so those of the whole-state
 * {@linkcode Aggregation.finish}). So a summary may merge a grown value over the one it merged
 * before when that merge is idempotent (a HyperLogLog's register-wise max: merging a grown
 * sketch again is exact), may keep a ranking of scores that only grow (a top N by count), and
 * where merge adds (counts, sums) takes out the key's part in `previous` before adding its part
 * in `value`. Real time starts a new summary, updated with every key, each time a value might
 * not have grown (the partitions of the window changed).
 *
 * `value` and `previous` are lent to `update`: it must neither change them nor keep them or
 * any part of them. A lent value may be the partition state itself, which later records change
 * in place (`add` may mutate), so a kept object could change under the summary: copy or
 * derive what it needs (an estimate, a count; or merge `value` into a value of the summary's
 * own with the keyed `merge`, which reads its `other` only).
 *
 * `previous` is given only to a summary that says it uses it ({@linkcode usesPrevious}): real
 * time then keeps a copy of every key's merged value to lend again, which doubles the window's
 * memory. Others
 * always get undefined; a summary that needs a little of the old value (a count) is better off
 * keeping that little itself, by key, and one that adds every key into a total is better off
 * with a total key ({@linkcode KeyedState.totalKey}) holding that total as a value.
 *
 * @typeParam V A key's value.
 * @typeParam M The summary.
 */
export interface KeyedSummary<V = unknown, M = unknown> {
  /**
   * True when `update` reads `previous` (which costs a copy of every key's merged value); when
   * absent, `previous` is always undefined.
   */
  usesPrevious?: boolean;
  /** A new summary, of no key. */
  start(): M;
  /**
   * Records that `key`'s merged value is now `value`, and was `previous` at its last update
   * (both read only and lent, see above); may mutate and return `summary`.
   */
  update(summary: M, key: string, value: V, previous: V | undefined): M;
  /**
   * The window's rows: exactly `KeyedState.finish` over the keys updated so far, each with its
   * latest value. Deterministic; it may be called any number of times between updates, and what
   * it returns must not depend on how often it was.
   */
  finish(summary: M): ResultRow[];
}

/**
 * How the dashboard draws an aggregation's results: `bar` (one window's rows, e.g. a top N),
 * `line` or `area` (each key over the windows of a range, stacked for `area`), `donut` (one
 * window's shares).
 */
export type ChartKind = "bar" | "line" | "area" | "donut";

/** The cards of the overview page an aggregation can feed. */
export const OVERVIEW_CARDS = [
  "top_pages",
  "entry_pages",
  "referrers",
  "campaigns",
  "devices",
  "browsers",
  "operating_systems",
  "countries",
  "errors",
  "latency",
] as const;

/** A card of the overview page, and which value column of the range rows it shows. */
export interface OverviewCard {
  /** Which card. */
  card: typeof OVERVIEW_CARDS[number];
  /** The value column shown beside each key (e.g. `visits`, `count`, `p90_ms`). */
  column: string;
}

/** Definition exported by an aggregation plugin module. */
export interface AggregationPlugin<O = unknown, S = unknown> extends PluginBase<"aggregation", O> {
  /** The chart the dashboard should draw (default `bar`). */
  chart?: ChartKind;
  /**
   * Which card of the overview page the aggregation feeds with these options, if any (e.g.
   * a `breakdown` of `browser` feeds `browsers`). See {@linkcode OverviewCard}.
   */
  card?: (options: O) => OverviewCard | undefined;
  /** Builds the aggregation. */
  create(options: O): Aggregation<S>;
}

// ---------------------------------------------------------------------------
// Sinks

/**
 * A time window in the pipeline's time zone: a tumbling window of the aggregation's
 * `window:` size (`5m`, `1h`, `1d`, `1w`, ...) or the one all-time window (`none`).
 */
export interface Window {
  /**
   * Stable key, the local start: `YYYY-MM-DD` for days and weeks (a Monday), `YYYY-MM-DDTHH`
   * for hours, `YYYY-MM-DDTHH:MM` for minutes, `all` for `none`.
   */
  key: string;
  /** The size as written in pipeline.yaml: `5m`, `1h`, `1d`, `1w` or `none`. */
  size: string;
  /** Local date of the window start, `YYYY-MM-DD` (`1970-01-01` for `none`). */
  date: string;
  /** Local hour 0..23 of the start, for windows sized in hours. */
  hour?: number;
  /** Local wall-clock start, as ms on a UTC axis (`Date.UTC` of the local date and time). */
  localStart: number;
  /** First instant of the window, ms since epoch. */
  start: number;
  /** End (exclusive), ms since epoch. */
  end: number;
}

/** The finished result of one aggregation for one window, handed to its sinks. */
export interface WindowResult {
  /** Aggregation name from pipeline.yaml. */
  aggregation: string;
  /** The window (its `size` is the aggregation's `window:`). */
  window: Window;
  /** Shape of `rows`. */
  shape: ResultShape;
  /** Finished rows (e.g. exactly the current top N). */
  rows: ResultRow[];
  /**
   * Number of input records this result covers. It only grows as more records of the window
   * are counted, so sinks use it to let the more complete result win.
   */
  records: number;
  /** When it was computed, ms since epoch. */
  computedAt: number;
  /**
   * The window's mergeable summary ({@linkcode MergeableResult.toSummary}), when its
   * aggregation has one; sinks that can keep it store it beside the rows.
   */
  summary?: unknown;
}

/** What a sink learns at start about each aggregation that writes to it. */
export interface SinkBinding {
  /** Aggregation name. */
  aggregation: string;
  /** The aggregation's `window:` size. */
  window: WindowSpec;
  /** Row shape. */
  shape: ResultShape;
}

/** A window result as a sink reads it back. */
export interface StoredResult {
  /** Window key: `YYYY-MM-DD` for a day, `YYYY-MM-DDTHH` for an hour. */
  window: string;
  /** Number of input records the result covers. */
  records: number;
  /** When it was computed, ms since epoch, when the sink keeps it. */
  computedAt?: number;
  /** The stored rows. */
  rows: ResultRow[];
  /** The window's mergeable summary, when the sink keeps one and the result had one. */
  summary?: unknown;
}

/** A started sink. Writing the same result twice must change nothing. */
export interface Sink {
  /** Creates tables or topics for the bound aggregations when missing. */
  prepare(bindings: SinkBinding[]): Promise<void>;
  /** Writes results idempotently. */
  write(results: WindowResult[]): Promise<void>;
  /**
   * Optional, for sinks that keep raw records (an events table, an archive): takes the valid
   * records of one input batch, the ones the runtime writes to `log` (one partition of one
   * stream, in offset order). The runtime calls it beside the `log` write of the batch, before
   * the batch counts and so before its offsets can be committed, and treats a failure as it
   * treats a failed `log` write; the batch is then read again. So it must be idempotent by
   * record id (a replay hands the same records, maybe cut into other batches), and resolve
   * only once the records are durable.
   */
  writeRecords?(records: readonly SourcedRecord[]): Promise<void>;
  /** Reads back the stored result of a window, when the sink can (used by reconcile). */
  read?(binding: SinkBinding, window: Window): Promise<ResultRow[] | undefined>;
  /**
   * Reads back every stored window result of the days `from`..`to` (local dates `YYYY-MM-DD`,
   * both included), when the sink can (used by the results API and dashboard). Windows come in
   * time order; rows in the sink's stored order.
   */
  readRange?(binding: SinkBinding, from: string, to: string): Promise<StoredResult[]>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Definition exported by a sink plugin module. */
export interface SinkPlugin<O = unknown> extends PluginBase<"sink", O> {
  /** Topics this sink writes, created at start when missing. */
  topics?: (options: O) => TopicSpec[];
  /** Cassandra tables this sink owns, for `--check` output. */
  tables?: (options: O) => string[];
  /**
   * PostgreSQL connection URLs this sink uses. `deno task run` and `services up` start a local
   * PostgreSQL when one names this machine (127.0.0.1, localhost) and nothing answers there.
   */
  postgresUrls?: (options: O) => string[];
  /** Starts the sink. */
  open(options: O, context: RuntimeContext): Promise<Sink>;
}

// ---------------------------------------------------------------------------
// Notifiers

/** One alert transition (firing or resolved), as a notifier receives it. */
export interface AlertNotification {
  /**
   * Stable id of this transition (`<rule>/<series>/<fired at>/<event>`): a receiver that sees it
   * twice (a crash between sending and recording the send) can drop the copy.
   */
  id: string;
  /** The transition. */
  event: "firing" | "resolved";
  /** Rule name from pipeline.yaml. */
  rule: string;
  /** The series within the rule: the source of a metric rule, else the rule name. */
  series: string;
  /** `critical`, `warning` or `info`. */
  severity: string;
  /** The rule's labels. */
  labels: Record<string, string>;
  /** The value judged at the transition (a ratio for `change`, a score for `anomaly`). */
  value: number;
  /** One line for people: what crossed which limit, e.g. for Slack's `text`. */
  text: string;
  /** When it started firing, ms since epoch. */
  firedAt: number;
  /** When it resolved, ms since epoch (resolved only). */
  resolvedAt?: number;
}

/** A started notifier. */
export interface Notifier {
  /**
   * Delivers one notification; resolves once the receiver took it, rejects (saying why) when it
   * did not. The runtime retries with back-off, so one attempt is enough here.
   */
  send(notification: AlertNotification): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Definition exported by a notifier plugin module. */
export interface NotifierPlugin<O = unknown> extends PluginBase<"notifier", O> {
  /** Topics this notifier writes, created at start when missing. */
  topics?: (options: O) => TopicSpec[];
  /** Starts the notifier. */
  open(options: O, context: RuntimeContext): Promise<Notifier>;
}

/** Any plugin definition. */
export type PluginDefinition =
  // deno-lint-ignore no-explicit-any
  | SourcePlugin<any>
  // deno-lint-ignore no-explicit-any
  | TransformPlugin<any>
  // deno-lint-ignore no-explicit-any
  | AggregationPlugin<any, any>
  // deno-lint-ignore no-explicit-any
  | SinkPlugin<any>
  // deno-lint-ignore no-explicit-any
  | NotifierPlugin<any>;
