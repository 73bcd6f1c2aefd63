/**
 * Checks what the pipeline wrote against the bench's own counts: every result table of every
 * checked aggregation, and the number of `log` rows in every UTC bucket.
 *
 * @module
 */
import { diffRows } from "../lib/batch/recompute.ts";
import type cassandra from "cassandra-driver";
import type { ResultRow, WindowResult } from "../lib/contracts.ts";
import type { Pipeline } from "../lib/config/pipeline.ts";
import { forEachConcurrent } from "../lib/concurrency.ts";
import { keyColumns } from "../lib/result_keys.ts";
import type { Expected, ExpectedAggregation } from "./expected.ts";

/** Most problems listed per check; the rest are counted. */
const MAX_LISTED = 5;

/**
 * Compares the Cassandra result tables and the `log` table of `pipeline` with `expected`.
 *
 * @param client A connected Cassandra client.
 * @param pipeline The bench pipeline that was run.
 * @param expected What it must hold.
 * @returns One line per difference found (empty when everything matches).
 */
export async function verifyStored(
  client: cassandra.Client,
  pipeline: Pipeline,
  expected: Expected,
): Promise<string[]> {
  const problems = new ProblemList();
  const keyspace = pipeline.cassandra.keyspace;
  for (const entry of pipeline.aggregations) {
    const want = expected.aggregations.get(entry.name);
    if (want === undefined) continue;
    const tables = pipeline.sinks
      .filter((sink) => entry.sinks.includes(sink.name) && sink.plugin.name === "cassandra")
      .map((sink) => (sink.options as { table: string }).table);
    const { values } = entry.aggregation.shape;
    const key = keyColumns(entry.aggregation.shape)[0]!;
    for (const table of tables) {
      const hourly = want.granularity === "hour";
      const select = `SELECT ${key.name}, ${values.map((c) => c.name).join(", ")}, ` +
        `window_records FROM ${keyspace}.${table} WHERE date = ?${hourly ? " AND hour = ?" : ""}`;
      const windows = [...want.records.keys()].filter((w) => want.rows(w).length > 0);
      await forEachConcurrent(windows, 8, async (windowKey) => {
        const params = hourly
          ? [windowKey.slice(0, 10), Number(windowKey.slice(11, 13))]
          : [windowKey];
        const found = await client.execute(select, params, { prepare: true });
        const got = found.rows.map((row): ResultRow => ({
          key: plain(row.get(key.name)),
          values: Object.fromEntries(values.map((c) => [c.name, plain(row.get(c.name))])),
        }));
        const differences = diffRows(want.rows(windowKey), got);
        if (differences.length > 0) {
          problems.add(`${table} ${windowKey}: ${differences.slice(0, 3).join("; ")}`);
        }
        const records = Number(found.rows[0]?.get("window_records") ?? 0);
        if (records !== want.records.get(windowKey)) {
          problems.add(
            `${table} ${windowKey}: window_records ${records}, expected ` +
              `${want.records.get(windowKey)}`,
          );
        }
      });
      const distinct = await client.execute(
        `SELECT DISTINCT date${hourly ? ", hour" : ""} FROM ${keyspace}.${table}`,
        [],
        { readTimeout: 60_000 },
      );
      if (distinct.rowLength !== windows.length) {
        problems.add(`${table}: ${distinct.rowLength} windows stored, expected ${windows.length}`);
      }
    }
  }
  const logTable = `${keyspace}.${pipeline.runtime.logTable}`;
  await forEachConcurrent([...expected.buckets], 4, async ([bucket, count]) => {
    const [date, hour] = bucket.split("/");
    const found = await client.execute(
      `SELECT COUNT(*) FROM ${logTable} WHERE date = ? AND hour = ?`,
      [date, Number(hour)],
      { prepare: true, readTimeout: 120_000 },
    );
    const rows = Number(found.first()?.get(0) ?? 0);
    if (rows !== count) problems.add(`log ${bucket}: ${rows} rows, expected ${count}`);
  });
  return problems.lines();
}

/**
 * Compares results computed by the batch job with `expected`.
 *
 * @param results What `computeFromLog` returned.
 * @param expected What it must equal.
 * @returns One line per difference found (empty when everything matches).
 */
export function verifyComputed(results: readonly WindowResult[], expected: Expected): string[] {
  const problems = new ProblemList();
  const seen = new Map<string, Set<string>>();
  for (const result of results) {
    const want: ExpectedAggregation | undefined = expected.aggregations.get(result.aggregation);
    if (want === undefined) continue;
    const key = result.window.key;
    let windows = seen.get(result.aggregation);
    if (windows === undefined) seen.set(result.aggregation, windows = new Set());
    windows.add(key);
    const differences = diffRows(want.rows(key), result.rows);
    if (differences.length > 0) {
      problems.add(`batch ${result.aggregation} ${key}: ${differences.slice(0, 3).join("; ")}`);
    }
    if (result.records !== (want.records.get(key) ?? 0)) {
      problems.add(
        `batch ${result.aggregation} ${key}: ${result.records} records, expected ` +
          `${want.records.get(key) ?? 0}`,
      );
    }
  }
  for (const [name, want] of expected.aggregations) {
    const missing = [...want.records.keys()].filter((key) => !seen.get(name)?.has(key));
    if (missing.length > 0) {
      problems.add(`batch ${name}: no result for ${missing.slice(0, 3).join(", ")}`);
    }
  }
  return problems.lines();
}

function plain(value: unknown): string | number {
  return typeof value === "string" || typeof value === "number" ? value : Number(value);
}

class ProblemList {
  #lines: string[] = [];
  #more = 0;
  add(line: string): void {
    if (this.#lines.length < MAX_LISTED) this.#lines.push(line);
    else this.#more++;
  }
  lines(): string[] {
    return this.#more > 0 ? [...this.#lines, `… and ${this.#more} more`] : [...this.#lines];
  }
}
