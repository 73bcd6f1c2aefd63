/**
 * `postgres` sink: each aggregation's results in PostgreSQL tables made from its result shape,
 * for BI tools (Metabase, Superset, Grafana, Power BI) that speak SQL.
 *
 * A result never replaces one covering more records (see `postgres/results_table.ts`), so
 * replays, slow processes and batch/real-time races end with the same rows as the cassandra
 * sink. A failed write throws; the runtime keeps the window and retries it with back-off, shows
 * the failure in the status line and counts it in `/metrics` (`sink_errors_total`).
 *
 * @module
 */
// @ts-types="@types/pg"
import type pg from "pg";
import {
  errorText,
  keyColumns,
  type ResultRow,
  type Sink,
  type SinkPlugin,
  z,
} from "../../lib/sdk/mod.ts";
import { createSchema, openPool, prepareTables } from "./postgres/connection.ts";
import {
  qualified,
  quoteIdent,
  type ResultsTable,
  resultsTable,
} from "./postgres/results_table.ts";
import { writeResults } from "./postgres/write_results.ts";
import { eventsTable } from "./postgres/events_table.ts";

const identifier = (what: string) =>
  z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, {
    error: (issue) =>
      `expected ${what}: lower case letters, digits and _, not starting with a digit, at most ` +
      `63 characters; found ${JSON.stringify(issue.input)}`,
  }).meta({ format: "PostgreSQL identifier, lower snake case" });

const options = z.strictObject({
  url: z.string().regex(/^postgres(ql)?:\/\/.+/, {
    error: (issue) =>
      `expected a PostgreSQL URL like postgres://user:password@host:5432/database, found ${
        JSON.stringify(issue.input)
      }`,
  }).meta({ format: "postgres:// URL" }).describe(
    "Connection URL, usually from the environment. A local PostgreSQL is started when it " +
      "names this machine (127.0.0.1, localhost) and nothing answers.",
  ).meta({ examples: ["${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"] }),
  schema: identifier("a schema name").default("public")
    .describe("Schema holding the tables; created when missing.")
    .meta({ examples: ["analytics"] }),
  table_prefix: z.string().regex(/^([a-z_][a-z0-9_]*)?$/, {
    error: (issue) =>
      `expected lower case letters, digits and _ (or nothing), found ${
        JSON.stringify(issue.input)
      }`,
  }).meta({ format: "lower snake case, or empty" }).default("").describe(
    "Prefix of the table names: each aggregation writes `<prefix><aggregation>` and " +
      "`<prefix><aggregation>_windows`.",
  ).meta({ examples: ["wa_"] }),
  tls: z.strictObject({
    mode: z.enum(["disable", "require", "verify-full"])
      .describe(
        "disable; require (encrypted, the certificate is not checked); verify-full (the " +
          "certificate must be valid for the host).",
      ),
    ca_file: z.string().min(1).optional()
      .describe("PEM file of the certificate authority to trust with verify-full."),
  }).optional().describe("TLS to the server; when left out, the URL's sslmode decides."),
  events: z.boolean().default(false).describe(
    "Also keep every valid record once in `<schema>.<events_table>`, partitioned by day, for " +
      "ad-hoc SQL (see docs/postgres.md).",
  ).meta({ examples: [true] }),
  events_table: identifier("a table name")
    .max(54, "expected at most 54 characters: a day's partition adds _YYYYMMDD to the name")
    .default("events")
    .describe("Table of the raw events, with events: true (its days: <events_table>_YYYYMMDD).")
    .meta({ examples: ["events"] }),
  batch_rows: z.number().int().min(1).max(10_000).default(500)
    .describe("Most rows in one INSERT statement.")
    .meta({ examples: [500] }),
});

/** Validated `postgres` sink options. */
export type PostgresSinkOptions = z.output<typeof options>;

/** The `postgres` sink plugin. */
const postgresSink: SinkPlugin<PostgresSinkOptions> = {
  kind: "sink",
  name: "postgres",
  summary: "Keeps each window's current result in PostgreSQL tables, for BI tools.",
  description: "Each aggregation writing here gets two tables in `schema`, created at start " +
    "when missing and checked otherwise (a table of another shape stops the start, naming " +
    "both shapes). `<table_prefix><aggregation>` holds the rows: window_start, window_end " +
    "(timestamptz; infinity for window: none), the aggregation's key columns, its value " +
    "columns, window_records (records the result covers) and computed_at, with primary key " +
    "(window_start, keys). `<table_prefix><aggregation>_windows` holds one row per window: " +
    "window_start, window_end, window_records, computed_at, window_version and row_count. A " +
    "result replaces a window's rows only when it covers more records than the stored one " +
    "(a conditional upsert on the window's version, the cassandra sink's rule), so replays, " +
    "slow processes and batch runs converge to the same rows as Cassandra. Writes are " +
    "batched in one transaction per flush and retried with back-off when they fail. With " +
    "events: true, every valid record is also kept once in `events_table` (primary key " +
    "record_id and timestamp, ON CONFLICT DO NOTHING), one partition per UTC day, the record's " +
    "fields as columns and props as jsonb.",
  options,
  example: { url: "postgres://postgres@127.0.0.1:5432/postgres", schema: "public" },
  postgresUrls: (settings) => [settings.url],
  async open(settings, context) {
    const pool = await openPool(settings.url, settings.tls, context.log);
    const tables = new Map<string, ResultsTable>();
    const events = settings.events
      ? eventsTable(pool, settings.schema, settings.events_table, settings.batch_rows)
      : undefined;
    const sink: Sink = {
      async prepare(bindings) {
        const layouts = bindings.map((binding) =>
          resultsTable(settings.schema, settings.table_prefix, binding)
        );
        try {
          if (events !== undefined) {
            await createSchema(pool, settings.schema);
            await events.prepare();
          }
          for (const layout of layouts) {
            await prepareTables(pool, layout);
            tables.set(layout.binding.aggregation, layout);
          }
        } catch (error) {
          throw new Error(
            `postgres sink at ${withoutPassword(settings.url)}: ${errorText(error)}` +
              ((error as { code?: string }).code === undefined
                ? ""
                : " (check options.url and options.tls, and that the server answers)"),
            { cause: error },
          );
        }
      },
      async write(results) {
        if (results.length === 0) return;
        const client = await pool.connect();
        try {
          await writeResults(client, tables, results, settings.batch_rows);
        } finally {
          client.release();
        }
      },
      async read(binding, window) {
        const layout = tables.get(binding.aggregation);
        if (layout === undefined) throw new Error("postgres sink read before prepare()");
        return await readWindow(pool, layout, window.start);
      },
      close: () => pool.end(),
      ...(events === undefined ? {} : { writeRecords: (records) => events.write(records) }),
    };
    return sink;
  },
};

export default postgresSink;

/** `url` with its password replaced by `***`, for messages. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(the url in options)";
  }
}

/** The stored rows of one window in key order, or undefined when none was written. */
async function readWindow(
  pool: pg.Pool,
  layout: ResultsTable,
  start: number,
): Promise<ResultRow[] | undefined> {
  const stored = await pool.query(
    `SELECT 1 FROM ${qualified(layout.schema, layout.windowsTable)} WHERE window_start = $1`,
    [new Date(start)],
  );
  if (stored.rowCount === 0) return undefined;
  const keys = keyColumns(layout.binding.shape);
  const values = layout.binding.shape.values;
  const found = await pool.query(
    `SELECT ${[...keys, ...values].map((column) => quoteIdent(column.name)).join(", ")} FROM ${
      qualified(layout.schema, layout.table)
    } WHERE window_start = $1 ORDER BY ${keys.map((column) => quoteIdent(column.name)).join(", ")}`,
    [new Date(start)],
  );
  const composite = Array.isArray(layout.binding.shape.key);
  const number = (column: { type: string }, value: unknown) =>
    column.type === "text" ? String(value) : Number(value);
  return found.rows.map((row): ResultRow => {
    const keyParts = keys.map((column) => number(column, row[column.name]));
    return {
      key: composite ? keyParts : keyParts[0]!,
      values: Object.fromEntries(
        values.map((column) => [column.name, number(column, row[column.name])]),
      ),
    };
  });
}
