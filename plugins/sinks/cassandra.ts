/**
 * `cassandra` sink: keeps each window's current result in a table of its own, partitioned by
 * window (`date`, plus `hour` for hourly aggregations) and clustered by the result key.
 *
 * Every write of a window replaces its rows atomically (a single-partition batch: a partition
 * delete, then the new rows) with the Cassandra write timestamp set to the number of records
 * the result covers. So rewriting the same result changes nothing, rows that drop out of a
 * top N disappear, and a result computed from fewer records can never overwrite one computed
 * from more, whichever arrives last (real time and batch alike).
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import {
  cqlIdentifier,
  daysBetween,
  forEachConcurrent,
  type ResultRow,
  type Sink,
  type SinkBinding,
  type SinkPlugin,
  type StoredResult,
  type Window,
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

interface TableLayout {
  binding: SinkBinding;
  windowColumns: string[];
  insert: string;
  remove: string;
  select: string;
  /** Every window of one local date: one partition (daily) or 24 (hourly, `hour IN ...`). */
  selectDay: string;
}

/** The hours of a day, bound to `hour IN ?` so an hourly day is one query. */
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/** The `cassandra` sink plugin. */
const cassandraSink: SinkPlugin<CassandraSinkOptions> = {
  kind: "sink",
  name: "cassandra",
  summary: "Keeps each window's current result in a Cassandra table.",
  description: "Creates <table> with primary key ((date), <key>) for daily and ((date, hour), " +
    "<key>) for hourly aggregations, plus the aggregation's value columns, window_records " +
    "(static: records the result covers) and last_processed. `SELECT * FROM <table> WHERE " +
    "date = '2026-11-22'` shows exactly the current rows; for top_pages read them in `rank` " +
    "order. A result computed from more records always wins over one computed from fewer.",
  options,
  example: { table: "results" },
  tables: (settings) => [settings.table],
  open(settings, context) {
    const client = context.cassandra;
    const table = `${context.keyspace}.${settings.table}`;
    let layout: TableLayout | undefined;
    const sink: Sink = {
      async prepare(bindings) {
        if (bindings.length !== 1) {
          throw new Error(
            `cassandra sink table ${settings.table} must be fed by exactly one aggregation, ` +
              `found ${bindings.length}`,
          );
        }
        layout = tableLayout(table, bindings[0]!);
        await client.execute(createTableCql(table, bindings[0]!));
      },
      async write(results) {
        if (layout === undefined) throw new Error("cassandra sink written before prepare()");
        const current = layout;
        await forEachConcurrent(results, 16, (result) => writeResult(client, current, result));
      },
      async read(_binding, window) {
        if (layout === undefined) throw new Error("cassandra sink read before prepare()");
        const current = layout;
        const found = await client.execute(current.select, windowValues(current, window), {
          prepare: true,
        });
        if (found.rowLength === 0) return undefined;
        return found.rows.map((row): ResultRow => ({
          key: normalize(row.get(current.binding.shape.key.name)),
          values: Object.fromEntries(
            current.binding.shape.values.map((
              column,
            ) => [column.name, normalize(row.get(column.name))]),
          ),
        }));
      },
      async readRange(_binding, from, to) {
        if (layout === undefined) throw new Error("cassandra sink read before prepare()");
        const current = layout;
        const days = daysBetween(from, to);
        const perDay: StoredResult[][] = new Array(days.length);
        await forEachConcurrent(days.map((day, index) => ({ day, index })), 4, async (item) => {
          perDay[item.index] = await readDay(client, current, item.day);
        });
        return perDay.flat();
      },
      close: () => Promise.resolve(),
    };
    return Promise.resolve(sink);
  },
};

export default cassandraSink;

function createTableCql(table: string, binding: SinkBinding): string {
  const { key, values } = binding.shape;
  const windowColumns = binding.granularity === "hour" ? ["date date", "hour int"] : ["date date"];
  const partitionKey = binding.granularity === "hour" ? "(date, hour)" : "(date)";
  return `CREATE TABLE IF NOT EXISTS ${table} (
    ${windowColumns.join(", ")},
    ${key.name} ${key.type},
    ${values.map((column) => `${column.name} ${column.type}`).join(", ")},
    window_records bigint static,
    last_processed timestamp,
    PRIMARY KEY (${partitionKey}, ${key.name}))`;
}

function tableLayout(table: string, binding: SinkBinding): TableLayout {
  const windowColumns = binding.granularity === "hour" ? ["date", "hour"] : ["date"];
  const columns = [
    ...windowColumns,
    binding.shape.key.name,
    ...binding.shape.values.map((column) => column.name),
    "window_records",
    "last_processed",
  ];
  const where = windowColumns.map((column) => `${column} = ?`).join(" AND ");
  return {
    binding,
    windowColumns,
    insert: `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${
      columns.map(() => "?").join(", ")
    }) USING TIMESTAMP ?`,
    remove: `DELETE FROM ${table} USING TIMESTAMP ? WHERE ${where}`,
    select: `SELECT ${binding.shape.key.name}, ${
      binding.shape.values.map((column) => column.name).join(", ")
    } FROM ${table} WHERE ${where}`,
    selectDay: `SELECT ${columns.join(", ")} ` +
      `FROM ${table} WHERE date = ?${windowColumns.length === 2 ? " AND hour IN ?" : ""}`,
  };
}

/** Every stored window of one local date, hours in order, rows in clustering order. */
async function readDay(
  client: cassandra.Client,
  layout: TableLayout,
  day: string,
): Promise<StoredResult[]> {
  const hourly = layout.windowColumns.length === 2;
  const windows = new Map<string, StoredResult>();
  const { key, values } = layout.binding.shape;
  const params = hourly ? [day, HOURS] : [day];
  const addRow = (row: cassandra.types.Row) => {
    const hour = hourly ? Number(row.get("hour")) : undefined;
    const windowKey = hour === undefined ? day : `${day}T${String(hour).padStart(2, "0")}`;
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
    stored.rows.push({
      key: normalize(row.get(key.name)),
      values: Object.fromEntries(
        values.map((column) => [column.name, normalize(row.get(column.name))]),
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

function windowValues(layout: TableLayout, window: Window): unknown[] {
  return layout.windowColumns.length === 2 ? [window.date, window.hour] : [window.date];
}

async function writeResult(
  client: cassandra.Client,
  layout: TableLayout,
  result: WindowResult,
): Promise<void> {
  const version = result.records;
  const windowKey = windowValues(layout, result.window);
  const processedAt = new Date(result.computedAt);
  const queries = [
    { query: layout.remove, params: [version - 1, ...windowKey] },
    ...result.rows.map((row) => ({
      query: layout.insert,
      params: [
        ...windowKey,
        row.key,
        ...layout.binding.shape.values.map((column) => row.values[column.name]),
        result.records,
        processedAt,
        version,
      ],
    })),
  ];
  await client.batch(queries, { prepare: true, logged: false });
}

function normalize(value: unknown): string | number {
  if (typeof value === "string" || typeof value === "number") return value;
  return Number(value);
}
