/**
 * Writes window results into their tables in one transaction: per table, the windows' versions
 * are upserted conditionally (see `results_table.ts`), and only the windows whose version won
 * have their rows replaced, in multi-row statements of at most `batchRows` rows.
 *
 * @module
 */
// @ts-types="@types/pg"
import type pg from "pg";
import { keyValues, resultVersion, type WindowResult } from "../../../lib/sdk/mod.ts";
import { qualified, quoteIdent, type ResultsTable } from "./results_table.ts";

/** PostgreSQL's limit of parameters in one statement. */
const MAX_PARAMETERS = 65_535;

/** A window's end for PostgreSQL: `infinity` for the all-time window. */
export function windowEndValue(end: number): Date | string {
  return end >= Number.MAX_SAFE_INTEGER ? "infinity" : new Date(end);
}

/**
 * Writes `results` (of the aggregations in `tables`) in one transaction on `client`.
 *
 * @param client A connection not in a transaction.
 * @param tables The layout of each aggregation, by name.
 * @param results The results; of several for one window, the one of the largest version counts.
 * @param batchRows Most rows in one INSERT.
 * @returns How many windows' rows were replaced (the others were not newer than the stored).
 */
export async function writeResults(
  client: pg.PoolClient,
  tables: ReadonlyMap<string, ResultsTable>,
  results: readonly WindowResult[],
  batchRows: number,
): Promise<number> {
  const byTable = new Map<ResultsTable, Map<number, { result: WindowResult; version: number }>>();
  for (const result of results) {
    const layout = tables.get(result.aggregation);
    if (layout === undefined) {
      throw new Error(`postgres sink got a result of ${result.aggregation}, not bound to it`);
    }
    let windows = byTable.get(layout);
    if (windows === undefined) byTable.set(layout, windows = new Map());
    const version = resultVersion(result);
    const held = windows.get(result.window.start);
    if (held === undefined || held.version < version) {
      windows.set(result.window.start, { result, version });
    }
  }
  let replaced = 0;
  await client.query("BEGIN");
  try {
    // One order of tables and windows for every writer, so two never wait on each other in a
    // cycle (a deadlock would only cost a retry, but costs it every time).
    const ordered = [...byTable].sort(([a], [b]) => (a.table < b.table ? -1 : 1));
    for (const [layout, windows] of ordered) {
      const entries = [...windows.values()].sort((a, b) =>
        a.result.window.start - b.result.window.start
      );
      const won = await claimWindows(client, layout, entries);
      if (won.length === 0) continue;
      replaced += won.length;
      await client.query(
        `DELETE FROM ${qualified(layout.schema, layout.table)} ` +
          "WHERE window_start = ANY($1::timestamptz[])",
        [won.map((result) => new Date(result.window.start))],
      );
      await insertRows(client, layout, won, batchRows);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
  return replaced;
}

/** Upserts the windows' versions where newer; returns the results whose version won. */
async function claimWindows(
  client: pg.PoolClient,
  layout: ResultsTable,
  entries: { result: WindowResult; version: number }[],
): Promise<WindowResult[]> {
  const won: WindowResult[] = [];
  const columns = layout.windowColumns.map((column) => quoteIdent(column.name));
  const perStatement = Math.floor(MAX_PARAMETERS / columns.length);
  const name = qualified(layout.schema, layout.windowsTable);
  for (let from = 0; from < entries.length; from += perStatement) {
    const chunk = entries.slice(from, from + perStatement);
    const params: unknown[] = [];
    const tuples = chunk.map(({ result, version }) => {
      params.push(
        new Date(result.window.start),
        windowEndValue(result.window.end),
        result.records,
        new Date(result.computedAt),
        version,
        result.rows.length,
      );
      return placeholders(params.length - columns.length, columns.length);
    });
    const updates = columns.filter((column) => column !== '"window_start"')
      .map((column) => `${column} = EXCLUDED.${column}`).join(", ");
    const answer = await client.query(
      `INSERT INTO ${name} AS stored (${columns.join(", ")}) VALUES ${tuples.join(", ")} ` +
        `ON CONFLICT ("window_start") DO UPDATE SET ${updates} ` +
        `WHERE stored."window_version" < EXCLUDED."window_version" RETURNING "window_start"`,
      params,
    );
    const starts = new Set(answer.rows.map((row) => (row.window_start as Date).getTime()));
    for (const { result } of chunk) if (starts.has(result.window.start)) won.push(result);
  }
  return won;
}

async function insertRows(
  client: pg.PoolClient,
  layout: ResultsTable,
  results: WindowResult[],
  batchRows: number,
): Promise<void> {
  const width = layout.columns.length;
  const perStatement = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMETERS / width)));
  const rows = results.flatMap((result) =>
    result.rows.map((row) => [
      new Date(result.window.start),
      windowEndValue(result.window.end),
      ...keyValues(row),
      ...layout.binding.shape.values.map((column) => row.values[column.name] ?? null),
      result.records,
      new Date(result.computedAt),
    ])
  );
  const insert = `INSERT INTO ${qualified(layout.schema, layout.table)} (${
    layout.columns.map((column) => quoteIdent(column.name)).join(", ")
  }) VALUES `;
  for (let from = 0; from < rows.length; from += perStatement) {
    const chunk = rows.slice(from, from + perStatement);
    await client.query(
      insert + chunk.map((_, index) => placeholders(index * width, width)).join(", "),
      chunk.flat(),
    );
  }
}

/** `($n+1, ..., $n+count)`. */
function placeholders(offset: number, count: number): string {
  return `(${Array.from({ length: count }, (_, i) => `$${offset + i + 1}`).join(", ")})`;
}
