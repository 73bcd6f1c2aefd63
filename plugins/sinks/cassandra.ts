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
  forEachConcurrent,
  type ResultRow,
  type Sink,
  type SinkBinding,
  type SinkPlugin,
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
}

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
  };
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
