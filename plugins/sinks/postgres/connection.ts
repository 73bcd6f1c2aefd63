/**
 * The `postgres` sink's connection: a small pool built from `url` and the `tls` options, and the
 * start-up step that creates each aggregation's tables or checks the ones already there.
 *
 * @module
 */
// @ts-types="@types/pg"
import pg from "pg";
import { errorText } from "../../../lib/sdk/mod.ts";
import {
  describeShape,
  type PgColumn,
  qualified,
  quoteIdent,
  type ResultsTable,
} from "./results_table.ts";

/** The `tls:` options. */
export interface TlsOptions {
  /** `disable`, `require` (encrypted, certificate not checked) or `verify-full`. */
  mode: "disable" | "require" | "verify-full";
  /** PEM file of the certificate authority to trust with `verify-full`. */
  ca_file?: string | undefined;
}

/**
 * A connection pool. Without `tls`, the URL's own `sslmode` (if any) decides.
 *
 * @throws When `tls.ca_file` cannot be read.
 */
export async function openPool(
  url: string,
  tls: TlsOptions | undefined,
  log: (line: string) => void,
): Promise<pg.Pool> {
  let ssl: pg.PoolConfig["ssl"];
  if (tls !== undefined) {
    if (tls.mode === "disable") ssl = false;
    else if (tls.mode === "require") ssl = { rejectUnauthorized: false };
    else {
      let ca: string | undefined;
      if (tls.ca_file !== undefined) {
        try {
          ca = await Deno.readTextFile(tls.ca_file);
        } catch (error) {
          throw new Error(
            `postgres sink: options.tls.ca_file ${JSON.stringify(tls.ca_file)} cannot be read ` +
              `(${errorText(error)}); give the path of the server's CA certificate (PEM)`,
          );
        }
      }
      ssl = { rejectUnauthorized: true, ...(ca === undefined ? {} : { ca }) };
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    ...(ssl === undefined ? {} : { ssl }),
    max: 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // A connection the server dropped (a restart) must not end the process: its error can come
  // after the pool let go of it (a reset after the server's goodbye), so every connection keeps
  // a listener for life. The next write opens a new connection, and a failed write is retried
  // with back-off.
  pool.on("error", (error) => log(`postgres sink: idle connection lost: ${errorText(error)}`));
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/**
 * Creates the tables of `layout` when missing, then checks that they have its shape.
 *
 * @throws When a table exists with another shape, naming both shapes and what to do.
 */
export async function prepareTables(pool: pg.Pool, layout: ResultsTable): Promise<void> {
  await createSchema(pool, layout.schema);
  for (const statement of layout.create) await createIgnoringRace(pool, statement);
  await checkShape(pool, layout, layout.table, layout.columns, layout.primaryKey);
  await checkShape(pool, layout, layout.windowsTable, layout.windowColumns, ["window_start"]);
}

/** Creates `schema` when missing (`public` always exists). */
export async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  if (schema === "public") return;
  await createIgnoringRace(pool, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
}

/** Two processes creating one table at once: the loser's error is no error. */
async function createIgnoringRace(pool: pg.Pool, statement: string): Promise<void> {
  try {
    await pool.query(statement);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "23505" && code !== "42P07" && code !== "42P06") throw error;
  }
}

async function checkShape(
  pool: pg.Pool,
  layout: ResultsTable,
  table: string,
  columns: PgColumn[],
  primaryKey: string[],
): Promise<void> {
  const found = await pool.query(
    "SELECT column_name, data_type FROM information_schema.columns " +
      "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
    [layout.schema, table],
  );
  const key = await pool.query(
    "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid " +
      "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass($1) AND i.indisprimary " +
      "ORDER BY array_position(i.indkey::int2[], a.attnum)",
    [qualified(layout.schema, table)],
  );
  const existing = describeShape(
    found.rows.map((row) => ({ name: row.column_name as string, type: row.data_type as string })),
    key.rows.map((row) => row.attname as string),
  );
  const wanted = describeShape(columns, primaryKey);
  if (existing !== wanted) {
    throw new Error(
      `PostgreSQL table ${layout.schema}.${table} already exists as (${existing}), but ` +
        `aggregation ${layout.binding.aggregation} (window: ${layout.binding.window.size}) ` +
        `needs (${wanted}). Give its postgres sink another options.table_prefix or ` +
        "options.schema, or drop the old table if its results can be recomputed " +
        "(deno task batch).",
    );
  }
}
