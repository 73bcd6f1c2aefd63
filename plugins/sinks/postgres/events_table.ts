/**
 * The `postgres` sink's raw events table (`events: true`): every valid record once, the record's
 * fields as columns and `props` as `jsonb`, in a table partitioned by UTC day, so ad-hoc SQL
 * works and old days can be dropped a partition at a time.
 *
 * PostgreSQL requires a partitioned table's primary key to hold the partition column, so the key
 * is `(record_id, timestamp)`; a record id always comes with the same time (the same message
 * parses the same way), so it identifies a row alone all the same, and `ON CONFLICT DO NOTHING`
 * keeps a replayed record from counting twice.
 *
 * @module
 */
// @ts-types="@types/pg"
import type pg from "pg";
import { EVENT_TEXT_FIELDS, type SourcedRecord } from "../../../lib/sdk/mod.ts";
import { describeShape, type PgColumn, qualified, quoteIdent } from "./results_table.ts";

/** PostgreSQL's limit of parameters in one statement. */
const MAX_PARAMETERS = 65_535;

/** The events table's columns, in order. */
export const EVENT_COLUMNS: readonly PgColumn[] = [
  { name: "record_id", type: "text" },
  { name: "timestamp", type: "timestamp with time zone" },
  { name: "request_uri", type: "text" },
  { name: "status", type: "integer" },
  { name: "body_bytes_sent", type: "bigint" },
  { name: "request_time", type: "double precision" },
  { name: "http_referrer", type: "text" },
  { name: "http_user_agent", type: "text" },
  { name: "remote_addr", type: "text" },
  { name: "method", type: "text" },
  ...EVENT_TEXT_FIELDS.map((name) => ({ name, type: "text" })),
  { name: "props", type: "jsonb" },
];

const PRIMARY_KEY = ["record_id", "timestamp"];

/** The events table of one sink. */
export interface EventsTable {
  /** Creates the table when missing and checks its shape. */
  prepare(): Promise<void>;
  /** Inserts records not stored yet, creating the day partitions they need. */
  write(records: readonly SourcedRecord[]): Promise<void>;
}

/**
 * The events table `schema.table`, written through `pool` in statements of at most `batchRows`
 * rows.
 */
export function eventsTable(
  pool: pg.Pool,
  schema: string,
  table: string,
  batchRows: number,
): EventsTable {
  const name = qualified(schema, table);
  const partitions = new Set<string>();
  const width = EVENT_COLUMNS.length;
  const perStatement = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMETERS / width)));
  const insert = `INSERT INTO ${name} (${
    EVENT_COLUMNS.map((column) => quoteIdent(column.name)).join(", ")
  }) VALUES `;
  const ensurePartition = async (day: string) => {
    if (partitions.has(day)) return;
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await ignoringRace(
      pool.query(
        `CREATE TABLE IF NOT EXISTS ${
          qualified(schema, `${table}_${day.replaceAll("-", "")}`)
        } PARTITION OF ${name} FOR VALUES FROM ('${day}') TO ('${next}')`,
      ),
    );
    partitions.add(day);
  };
  return {
    async prepare() {
      await ignoringRace(pool.query(
        `CREATE TABLE IF NOT EXISTS ${name} (${
          EVENT_COLUMNS.map((column) =>
            `${quoteIdent(column.name)} ${column.type}${
              PRIMARY_KEY.includes(column.name) ? " NOT NULL" : ""
            }`
          ).join(", ")
        }, PRIMARY KEY (${
          PRIMARY_KEY.map(quoteIdent).join(", ")
        })) PARTITION BY RANGE ("timestamp")`,
      ));
      await checkEventsShape(pool, schema, table);
    },
    async write(records) {
      if (records.length === 0) return;
      const days = new Set(records.map(({ record }) => utcDay(record.timestamp)));
      for (const day of [...days].sort()) await ensurePartition(day);
      const rows = records.map(eventRow);
      for (let from = 0; from < rows.length; from += perStatement) {
        const chunk = rows.slice(from, from + perStatement);
        await pool.query(
          insert + chunk.map((_, index) =>
            `(${
              Array.from({ length: width }, (_, i) => `$${index * width + i + 1}`).join(", ")
            })`
          ).join(", ") + " ON CONFLICT DO NOTHING",
          chunk.flat(),
        );
      }
    },
  };
}

/** A record's column values, in {@linkcode EVENT_COLUMNS} order; absent fields are NULL. */
export function eventRow({ id, record }: SourcedRecord): unknown[] {
  const fields = record as unknown as Record<string, unknown>;
  return EVENT_COLUMNS.map((column) => {
    if (column.name === "record_id") return id;
    if (column.name === "timestamp") return new Date(record.timestamp);
    if (column.name === "props") {
      return record.props === undefined ? null : JSON.stringify(record.props);
    }
    return fields[column.name] ?? null;
  });
}

function utcDay(timestamp: number): string {
  return new Date(timestamp).toISOString().slice(0, 10);
}

/** Two processes creating one table at once: the loser's error is no error. */
async function ignoringRace(query: Promise<unknown>): Promise<void> {
  try {
    await query;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "23505" && code !== "42P07") throw error;
  }
}

async function checkEventsShape(pool: pg.Pool, schema: string, table: string): Promise<void> {
  const found = await pool.query(
    "SELECT column_name, data_type FROM information_schema.columns " +
      "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
    [schema, table],
  );
  const key = await pool.query(
    "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid " +
      "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass($1) AND i.indisprimary " +
      "ORDER BY array_position(i.indkey::int2[], a.attnum)",
    [qualified(schema, table)],
  );
  const partitioned = await pool.query(
    "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass($1)",
    [qualified(schema, table)],
  );
  const existing = describeShape(
    found.rows.map((row) => ({ name: row.column_name as string, type: row.data_type as string })),
    key.rows.map((row) => row.attname as string),
  ) + (partitioned.rowCount === 0 ? "; not partitioned" : "; partitioned by day");
  const wanted = describeShape([...EVENT_COLUMNS], PRIMARY_KEY) + "; partitioned by day";
  if (existing !== wanted) {
    throw new Error(
      `PostgreSQL table ${schema}.${table} already exists as (${existing}), but the postgres ` +
        `sink's events need (${wanted}). Set options.events_table to another name, or drop ` +
        "the old table.",
    );
  }
}
