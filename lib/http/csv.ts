/**
 * CSV (RFC 4180) of stored results: one line per result row, with its window and the records
 * the window covers.
 *
 * @module
 */
import type { ResultShape, StoredResult } from "../contracts.ts";
import { keyColumns, keyValues } from "../result_keys.ts";

/**
 * Quotes a field when it holds a comma, quote, or line break (quotes doubled).
 *
 * For example `/a,"b"` becomes `"/a,""b"""`, and 42 stays `42`.
 */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The CSV of an aggregation's stored windows: header `window,<key>,<values...>,window_records`,
 * then each row of each window in order; lines end with CRLF.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { resultsCsv } from "./csv.ts";
 * const shape = { key: { name: "status", type: "text" as const },
 *   values: [{ name: "count", type: "bigint" as const }] };
 * const csv = resultsCsv(shape, [
 *   { window: "2026-11-20", records: 3, rows: [{ key: "200", values: { count: 3 } }] },
 * ]);
 * assert.equal(csv, "window,status,count,window_records\r\n2026-11-20,200,3,3\r\n");
 * ```
 */
export function resultsCsv(shape: ResultShape, windows: StoredResult[]): string {
  const header = [
    "window",
    ...keyColumns(shape).map((column) => column.name),
    ...shape.values.map((column) => column.name),
  ];
  const lines = [[...header, "window_records"].map(csvField).join(",")];
  for (const stored of windows) {
    for (const row of stored.rows) {
      lines.push(
        [
          stored.window,
          ...keyValues(row),
          ...shape.values.map((column) => row.values[column.name] ?? ""),
          stored.records,
        ].map(csvField).join(","),
      );
    }
  }
  return lines.map((line) => `${line}\r\n`).join("");
}
