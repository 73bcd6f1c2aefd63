/**
 * `cassandra` sink: keeps each window's current result in a table of its own, laid out by the
 * aggregation's `window:` size (see {@linkcode tableLayout}) and clustered by the result key
 * column(s).
 *
 * Every write of a window replaces its rows atomically (a single-partition batch: a delete of
 * the window, then the new rows) with the Cassandra write timestamp set to the result's
 * version (the SDK's `resultVersion`): the number of records it covers, then a hash of its
 * rows. So rewriting the same result changes nothing, rows that drop out of a top N disappear,
 * a result computed from fewer records can never overwrite one computed from more, whichever
 * arrives last (real time and batch alike), and of two different results covering as many
 * records (two processes each ahead on a different partition) one replaces the other whole
 * instead of their rows mixing.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import {
  ALL_TIME_KEY,
  cqlIdentifier,
  daysBetween,
  executeSchemaStatement,
  forEachConcurrent,
  isCqlIdentifier,
  keyColumns,
  keyValues,
  type ResultColumn,
  type ResultRow,
  resultVersion,
  SCHEMA_SETTLE_MS,
  schemaAgreement,
  type Sink,
  type SinkBinding,
  type SinkPlugin,
  type StoredResult,
  type Window,
  type WindowCutter,
  windowCutter,
  type WindowResult,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  table: cqlIdentifier()
    .describe("Table holding the results, in the pipeline's keyspace; created when missing.")
    .meta({ examples: ["results"] }),
});

/** Validated `cassandra` sink options. */
export type CassandraSinkOptions = z.output<typeof options>;

/** A column of the result table and its role in the primary key. */
interface TableColumn {
  name: string;
  type: string;
  kind: "partition_key" | "clustering" | "static" | "regular";
}

/** How one aggregation's results are laid out in its table. */
export interface TableLayout {
  /** The aggregation bound to the table. */
  binding: SinkBinding;
  /** Every column, in CREATE TABLE order. */
  columns: TableColumn[];
  /** The columns naming a window (its partition, plus `window_start` for sub-day sizes). */
  windowColumns: string[];
  /** The values of `windowColumns` for a window. */
  windowValues(window: Window): unknown[];
  /** `CREATE TABLE IF NOT EXISTS` of the table. */
  create: string;
  /** Inserts one row, `USING TIMESTAMP` the records its result covers. */
  insert: string;
  /** Deletes one window's rows (its partition, or its `window_start` prefix). */
  remove: string;
  /** Reads one window's key and value columns. */
  select: string;
  /** Every window of one local date: one partition (daily) or 24 (hourly, `hour IN ...`). */
  selectDay: string;
}

/** The hours of a day, bound to `hour IN ?` so an hourly day is one query. */
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/** Names the sink itself uses; a result column may not take them. */
const RESERVED = [
  "date",
  "hour",
  "window_start",
  "window_end",
  "window_key",
  "window_records",
  "window_summary",
  "last_processed",
];

/** The `cassandra` sink plugin. */
const cassandraSink: SinkPlugin<CassandraSinkOptions> = {
  kind: "sink",
  name: "cassandra",
  summary: "Keeps each window's current result in a Cassandra table.",
  description: "Creates <table> shaped by the aggregation's window: ((date), <keys>) for 1d " +
    "and ((date, hour), <keys>) for 1h, as before windows had other sizes; ((date), " +
    "window_start, <keys>) plus window_end for every other size (date is the local date the " +
    "window starts on, the Monday for 1w); ((window_key), <keys>) with window_key 'all' for " +
    "window: none. <keys> are the aggregation's key columns (one or several), followed by its " +
    "value columns, window_records (records the result covers) and last_processed. `SELECT * " +
    "FROM <table> WHERE date = '2026-11-22'` shows exactly the current rows of that day's " +
    "windows; for top_pages read them in `rank` order. A result computed from more records " +
    "always wins over one computed from fewer. An existing table of another shape is an error " +
    "at start, naming both shapes.",
  options,
  example: { table: "results" },
  tables: (settings) => [settings.table],
  open(settings, context) {
    const client = context.cassandra;
    let layout: TableLayout | undefined;
    const sink: Sink = {
      async prepare(bindings) {
        if (bindings.length !== 1) {
          throw new Error(
            `cassandra sink table ${settings.table} must be fed by exactly one aggregation, ` +
              `found ${bindings.length}`,
          );
        }
        const planned = tableLayout(context.keyspace, settings.table, bindings[0]!);
        // A node may not know the keyspace yet on a cluster: tried again until the nodes agree.
        await executeSchemaStatement(client, planned.create, Date.now() + SCHEMA_SETTLE_MS);
        await checkExistingShape(client, context.keyspace, settings.table, planned);
        layout = planned;
      },
      async write(results) {
        if (layout === undefined) throw new Error("cassandra sink written before prepare()");
        const current = layout;
        await forEachConcurrent(results, 16, (result) => writeResult(client, current, result));
      },
      async read(_binding, window) {
        if (layout === undefined) throw new Error("cassandra sink read before prepare()");
        const current = layout;
        const found = await client.execute(current.select, current.windowValues(window), {
          prepare: true,
        });
        if (found.rowLength === 0) return undefined;
        const keys = keyColumns(current.binding.shape);
        const composite = Array.isArray(current.binding.shape.key);
        return found.rows.map((row): ResultRow => {
          const values = keys.map((column) => normalize(row.get(column.name)));
          return {
            key: composite ? values : values[0]!,
            values: Object.fromEntries(
              current.binding.shape.values.map((column) => [
                column.name,
                normalize(row.get(column.name)),
              ]),
            ),
          };
        });
      },
      async readRange(_binding, from, to) {
        if (layout === undefined) throw new Error("cassandra sink read before prepare()");
        const current = layout;
        const cutter = windowCutter(context.timeZone);
        if (current.binding.window.size === "none") {
          return readDay(client, current, ALL_TIME_KEY, cutter);
        }
        const days = daysBetween(from, to);
        const perDay: StoredResult[][] = new Array(days.length);
        await forEachConcurrent(days.map((day, index) => ({ day, index })), 4, async (item) => {
          perDay[item.index] = await readDay(client, current, item.day, cutter);
        });
        return perDay.flat();
      },
      close: () => Promise.resolve(),
    };
    return Promise.resolve(sink);
  },
};

export default cassandraSink;

/**
 * The table layout for an aggregation, by window size:
 * - `1d`: `((date), keys)`, `window_records` static (today's shape, unchanged);
 * - `1h`: `((date, hour), keys)`, `window_records` static (unchanged);
 * - `none`: `((window_key), keys)`, `window_key = 'all'`, `window_records` static;
 * - any other size: `((date), window_start, keys)` with `window_end`, `window_records` per row
 *   (several windows share a day's partition; one window is a clustering prefix).
 *
 * @throws When a key or value column is not a CQL identifier or takes a name the sink uses.
 */
export function tableLayout(keyspace: string, table: string, binding: SinkBinding): TableLayout {
  const keys = keyColumns(binding.shape);
  const values = binding.shape.values;
  for (const column of [...keys, ...values]) checkColumn(column, binding);
  const size = binding.window.size;
  const columns: TableColumn[] = [];
  let windowColumns: string[];
  let windowValues: (window: Window) => unknown[];
  let recordsKind: TableColumn["kind"] = "static";
  if (size === "1d") {
    columns.push({ name: "date", type: "date", kind: "partition_key" });
    windowColumns = ["date"];
    windowValues = (window) => [window.date];
  } else if (size === "1h") {
    columns.push({ name: "date", type: "date", kind: "partition_key" });
    columns.push({ name: "hour", type: "int", kind: "partition_key" });
    windowColumns = ["date", "hour"];
    windowValues = (window) => [window.date, window.hour];
  } else if (size === "none") {
    columns.push({ name: "window_key", type: "text", kind: "partition_key" });
    windowColumns = ["window_key"];
    windowValues = (window) => [window.key];
  } else {
    columns.push({ name: "date", type: "date", kind: "partition_key" });
    columns.push({ name: "window_start", type: "timestamp", kind: "clustering" });
    columns.push({ name: "window_end", type: "timestamp", kind: "regular" });
    windowColumns = ["date", "window_start"];
    windowValues = (window) => [window.date, new Date(window.start)];
    recordsKind = "regular";
  }
  for (const column of keys) columns.push({ ...column, kind: "clustering" });
  for (const column of values) columns.push({ ...column, kind: "regular" });
  columns.push({ name: "window_records", type: "bigint", kind: recordsKind });
  // The window's mergeable summary (JSON), written with its first row only: it can be large.
  columns.push({ name: "window_summary", type: "text", kind: recordsKind });
  columns.push({ name: "last_processed", type: "timestamp", kind: "regular" });

  const name = `${keyspace}.${table}`;
  const partition = columns.filter((c) => c.kind === "partition_key").map((c) => c.name);
  const clustering = columns.filter((c) => c.kind === "clustering").map((c) => c.name);
  const written = columns.map((c) => c.name);
  const where = windowColumns.map((column) => `${column} = ?`).join(" AND ");
  return {
    binding,
    columns,
    windowColumns,
    windowValues,
    create: `CREATE TABLE IF NOT EXISTS ${name} (${
      columns.map((c) => `${c.name} ${c.type}${c.kind === "static" ? " static" : ""}`).join(", ")
    }, PRIMARY KEY ((${partition.join(", ")})${
      clustering.length > 0 ? `, ${clustering.join(", ")}` : ""
    }))`,
    insert: `INSERT INTO ${name} (${written.join(", ")}) VALUES (${
      written.map(() => "?").join(", ")
    }) USING TIMESTAMP ?`,
    remove: `DELETE FROM ${name} USING TIMESTAMP ? WHERE ${where}`,
    select: `SELECT ${
      [...keys, ...values].map((c) => c.name).join(", ")
    } FROM ${name} WHERE ${where}`,
    selectDay: `SELECT ${written.join(", ")} FROM ${name} WHERE ${
      size === "none" ? "window_key = ?" : `date = ?${size === "1h" ? " AND hour IN ?" : ""}`
    }`,
  };
}

/**
 * Every stored window of one local date (for `window: none`, the one all-time window), in
 * window order, rows in clustering order.
 */
async function readDay(
  client: cassandra.Client,
  layout: TableLayout,
  day: string,
  cutter: WindowCutter,
): Promise<StoredResult[]> {
  const { binding } = layout;
  const size = binding.window.size;
  const windows = new Map<string, StoredResult>();
  const keys = keyColumns(binding.shape);
  const composite = Array.isArray(binding.shape.key);
  const params = size === "none" ? [ALL_TIME_KEY] : size === "1h" ? [day, HOURS] : [day];
  const windowKeyOf = (row: cassandra.types.Row): string => {
    if (size === "none") return ALL_TIME_KEY;
    if (size === "1d") return day;
    if (size === "1h") return `${day}T${String(row.get("hour")).padStart(2, "0")}`;
    return cutter.windowOf((row.get("window_start") as Date).getTime(), binding.window).key;
  };
  const addRow = (row: cassandra.types.Row) => {
    const windowKey = windowKeyOf(row);
    let stored = windows.get(windowKey);
    if (stored === undefined) {
      const processed = row.get("last_processed") as Date | null;
      stored = {
        window: windowKey,
        records: Number(row.get("window_records")),
        ...(processed === null ? {} : { computedAt: processed.getTime() }),
        rows: [],
      };
      windows.set(windowKey, stored);
    }
    const summary = row.get("window_summary") as string | null;
    if (summary !== null && stored.summary === undefined) stored.summary = JSON.parse(summary);
    const keyParts = keys.map((column) => normalize(row.get(column.name)));
    stored.rows.push({
      key: composite ? keyParts : keyParts[0]!,
      values: Object.fromEntries(
        binding.shape.values.map((column) => [column.name, normalize(row.get(column.name))]),
      ),
    });
  };
  await new Promise<void>((resolve, reject) => {
    client.eachRow(
      layout.selectDay,
      params,
      { prepare: true, autoPage: true, fetchSize: 5000 },
      (_index, row) => addRow(row),
      (error) => (error ? reject(error) : resolve()),
    );
  });
  return [...windows.values()].sort((a, b) => (a.window < b.window ? -1 : 1));
}

function checkColumn(column: ResultColumn, binding: SinkBinding): void {
  if (!isCqlIdentifier(column.name) || RESERVED.includes(column.name)) {
    throw new Error(
      `aggregation ${binding.aggregation} declares result column ${JSON.stringify(column.name)}, ` +
        `which a cassandra table cannot hold: expected a CQL identifier other than ` +
        `${RESERVED.join(", ")}; rename it in the plugin's shape`,
    );
  }
}

/** What {@linkcode existingColumns} uses of a Cassandra client. */
export type ColumnsClient = Pick<cassandra.Client, "execute" | "metadata">;

/**
 * The columns of `keyspace.table` as `system_schema` lists them, asked again until they show.
 *
 * Right after `CREATE TABLE IF NOT EXISTS`, the node a read goes to may not have heard of a
 * table another coordinator created (another runner starting at the same moment, on a
 * cluster): it lists no column. A table has at least one column, so none means "not yet": the
 * read is tried again once the nodes agree on the schema (and `pauseMs` later), until `settleMs`
 * passed (then: none).
 *
 * @param client The session.
 * @param keyspace The keyspace.
 * @param table The table, created just before.
 * @param timing How long to keep asking and how long to pause between asks, ms.
 * @returns Each column's name and kind; empty when no node listed any in time.
 *
 * @example
 * ```ts ignore
 * const columns = await existingColumns(client, "web_analytics", "results");
 * ```
 */
export async function existingColumns(
  client: ColumnsClient,
  keyspace: string,
  table: string,
  { settleMs = SCHEMA_SETTLE_MS, pauseMs = 250 }: { settleMs?: number; pauseMs?: number } = {},
): Promise<{ name: string; kind: string }[]> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const found = await client.execute(
      "SELECT column_name, kind FROM system_schema.columns " +
        "WHERE keyspace_name = ? AND table_name = ?",
      [keyspace, table],
      { prepare: true },
    );
    if (found.rowLength > 0 || Date.now() >= deadline) {
      return found.rows.map((row) => ({
        name: row.get("column_name") as string,
        kind: row.get("kind") as string,
      }));
    }
    await schemaAgreement(client, deadline);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/**
 * Fails start-up when the table already exists with other columns than the layout needs; a
 * table made before windows kept summaries gets its `window_summary` column added.
 */
async function checkExistingShape(
  client: cassandra.Client,
  keyspace: string,
  table: string,
  layout: TableLayout,
): Promise<void> {
  const describe = (columns: { name: string; kind: string }[]) =>
    columns.map((c) => `${c.name}${c.kind === "regular" ? "" : ` (${c.kind})`}`).sort().join(", ");
  const columns = await existingColumns(client, keyspace, table);
  if (columns.length === 0) {
    throw new Error(
      `Cassandra table ${keyspace}.${table} was created, but no node listed its columns within ` +
        `${SCHEMA_SETTLE_MS / 1000} s: the cluster's nodes do not agree on the schema. Check ` +
        `that every node is up (nodetool describecluster shows their schema versions), then ` +
        `start again.`,
    );
  }
  const existing = describe(columns);
  const wanted = describe(layout.columns);
  const summaryColumn = layout.columns.find((column) => column.name === "window_summary")!;
  const older = describe(layout.columns.filter((column) => column !== summaryColumn));
  if (existing === older) {
    // Schema: never sent to a second coordinator (see the runtime's speculative executions).
    await client.execute(
      `ALTER TABLE ${keyspace}.${table} ADD window_summary text${
        summaryColumn.kind === "static" ? " static" : ""
      }`,
      [],
      { isIdempotent: false },
    );
    return;
  }
  if (existing !== wanted) {
    throw new Error(
      `Cassandra table ${keyspace}.${table} already exists with columns ${existing}, but ` +
        `aggregation ${layout.binding.aggregation} (window: ${layout.binding.window.size}) ` +
        `needs ${wanted}. Point its cassandra sink at a new table (options.table), or drop the ` +
        `old table if its results can be recomputed (deno task batch).`,
    );
  }
}

async function writeResult(
  client: cassandra.Client,
  layout: TableLayout,
  result: WindowResult,
): Promise<void> {
  const version = resultVersion(result);
  const windowKey = layout.windowValues(result.window);
  const processedAt = new Date(result.computedAt);
  const windowed = layout.windowColumns.includes("window_start");
  const queries = [
    { query: layout.remove, params: [version - 1, ...windowKey] },
    ...result.rows.map((row, index) => ({
      query: layout.insert,
      params: [
        ...windowKey,
        ...(windowed ? [new Date(result.window.end)] : []),
        ...keyValues(row),
        ...layout.binding.shape.values.map((column) => row.values[column.name]),
        result.records,
        index === 0 && result.summary !== undefined ? JSON.stringify(result.summary) : UNSET,
        processedAt,
        version,
      ],
    })),
  ];
  await client.batch(queries, { prepare: true, logged: false });
}

/**
 * A bound value left unset: the driver sends `undefined` as unset (`useUndefinedAsUnset`, on by
 * default), so rows after the first write no summary cell, not a null (a tombstone).
 */
const UNSET = undefined;

function normalize(value: unknown): string | number {
  if (typeof value === "string" || typeof value === "number") return value;
  return Number(value);
}
