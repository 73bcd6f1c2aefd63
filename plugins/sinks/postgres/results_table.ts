/**
 * How the `postgres` sink lays out one aggregation's results: a table of rows and a table of
 * windows, both made from the aggregation's result shape, with every identifier quoted and every
 * value a parameter.
 *
 * The windows table holds each window's version (the SDK's `resultVersion`: the records a result
 * covers, then a hash of its rows). A write first upserts the window's version with
 * `ON CONFLICT ... DO UPDATE ... WHERE stored < new`; only when that wins are the window's rows
 * replaced. The upsert also locks the window's row until commit, so two writers of one window
 * take turns, and the result covering the most records stays, whatever the order of arrival:
 * the same rule as the cassandra sink's write timestamps, so both keep the same rows.
 *
 * @module
 */
import { keyColumns, type ResultColumn, type SinkBinding } from "../../../lib/sdk/mod.ts";

/** A column of a PostgreSQL table, as `information_schema.columns` names its type. */
export interface PgColumn {
  /** Column name (lower snake case; quoted in every statement). */
  name: string;
  /** Type as `information_schema.columns.data_type` spells it. */
  type: string;
}

/** The two tables of one aggregation and the statements that use them. */
export interface ResultsTable {
  /** The aggregation bound to the table. */
  binding: SinkBinding;
  /** Schema holding both tables. */
  schema: string;
  /** The rows table (`<prefix><aggregation>`). */
  table: string;
  /** The windows table (`<table>_windows`). */
  windowsTable: string;
  /** Rows table columns, in CREATE TABLE order. */
  columns: PgColumn[];
  /** Its primary key: the window start, then the key columns. */
  primaryKey: string[];
  /** Windows table columns. */
  windowColumns: PgColumn[];
  /** `CREATE TABLE IF NOT EXISTS` of both tables. */
  create: string[];
}

/** Column names the sink itself uses; a result column may not take them. */
export const RESERVED_COLUMNS = [
  "window_start",
  "window_end",
  "window_records",
  "computed_at",
  "window_version",
  "row_count",
];

const PG_TYPES: Record<ResultColumn["type"], string> = {
  text: "text",
  int: "integer",
  bigint: "bigint",
  double: "double precision",
};

/** Lower snake case, at most 63 bytes (PostgreSQL's identifier limit). */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Quotes an identifier for SQL (`"name"`, inner quotes doubled).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { quoteIdent } from "./results_table.ts";
 * assert.equal(quoteIdent('we"ird'), '"we""ird"');
 * ```
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`. */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/**
 * The tables of one aggregation.
 *
 * @param schema Schema holding them.
 * @param prefix Prefix of the table name (the `table_prefix` option).
 * @param binding The aggregation.
 * @returns Its layout.
 * @throws When a result column or the table name cannot be a PostgreSQL identifier here.
 */
export function resultsTable(schema: string, prefix: string, binding: SinkBinding): ResultsTable {
  const keys = keyColumns(binding.shape);
  const values = binding.shape.values;
  for (const column of [...keys, ...values]) {
    if (!IDENTIFIER.test(column.name) || RESERVED_COLUMNS.includes(column.name)) {
      throw new Error(
        `aggregation ${binding.aggregation} declares result column ${
          JSON.stringify(column.name)
        }, which a postgres table cannot hold: expected lower snake case (at most 63 ` +
          `characters) other than ${RESERVED_COLUMNS.join(", ")}; rename it in the plugin's shape`,
      );
    }
  }
  const table = `${prefix}${binding.aggregation}`;
  const windowsTable = `${table}_windows`;
  if (!IDENTIFIER.test(windowsTable)) {
    throw new Error(
      `postgres sink: table ${JSON.stringify(windowsTable)} of aggregation ` +
        `${binding.aggregation} is longer than PostgreSQL's 63 characters; shorten ` +
        "options.table_prefix or the aggregation's name",
    );
  }
  const columns: PgColumn[] = [
    { name: "window_start", type: "timestamp with time zone" },
    { name: "window_end", type: "timestamp with time zone" },
    ...keys.map((column) => ({ name: column.name, type: PG_TYPES[column.type] })),
    ...values.map((column) => ({ name: column.name, type: PG_TYPES[column.type] })),
    { name: "window_records", type: "bigint" },
    { name: "computed_at", type: "timestamp with time zone" },
  ];
  const primaryKey = ["window_start", ...keys.map((column) => column.name)];
  const windowColumns: PgColumn[] = [
    { name: "window_start", type: "timestamp with time zone" },
    { name: "window_end", type: "timestamp with time zone" },
    { name: "window_records", type: "bigint" },
    { name: "computed_at", type: "timestamp with time zone" },
    { name: "window_version", type: "bigint" },
    { name: "row_count", type: "integer" },
  ];
  const notNull = new Set([...primaryKey, "window_end", "window_records", "computed_at"]);
  const definition = (list: PgColumn[], key: string[], required: (name: string) => boolean) =>
    `${
      list.map((column) =>
        `${quoteIdent(column.name)} ${column.type}${required(column.name) ? " NOT NULL" : ""}`
      ).join(", ")
    }, PRIMARY KEY (${key.map(quoteIdent).join(", ")})`;
  return {
    binding,
    schema,
    table,
    windowsTable,
    columns,
    primaryKey,
    windowColumns,
    create: [
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, table)} (${
        definition(columns, primaryKey, (name) => notNull.has(name))
      })`,
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, windowsTable)} (${
        definition(windowColumns, ["window_start"], () => true)
      })`,
    ],
  };
}

/**
 * One line describing a table's shape, for the error naming an existing table of another shape:
 * `name type, ...; primary key (a, b)`.
 */
export function describeShape(columns: PgColumn[], primaryKey: string[]): string {
  return `${columns.map((column) => `${column.name} ${column.type}`).join(", ")}; primary key (${
    primaryKey.join(", ")
  })`;
}
