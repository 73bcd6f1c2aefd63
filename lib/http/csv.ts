/**
 * CSV (RFC 4180) of stored results: one line per result row, with its window and the records
 * the window covers.
 *
 * @module
 */
import type { ResultShape, StoredResult } from "../contracts.ts";
import { keyColumns, keyValues } from "../result_keys.ts";
import type { RangeResult, SeriesPoint } from "./range.ts";

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

/**
 * The CSV of merged ranges: header `range,<key>,<values...>,range_records,exact,error_bound`,
 * one line per row of each range (`current`, then `previous` with `compare=previous`).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { rangeCsv } from "./csv.ts";
 * const shape = { key: { name: "status", type: "text" as const },
 *   values: [{ name: "count", type: "bigint" as const }] };
 * const range = { rows: [{ key: "200", values: { count: 5 } }], exact: true, totals: {},
 *   windows: 2, records: 5, unmerged: 0 };
 * assert.equal(
 *   rangeCsv(shape, [{ period: "current", range }]),
 *   "range,status,count,range_records,exact,error_bound\r\ncurrent,200,5,5,true,\r\n",
 * );
 * ```
 */
export function rangeCsv(
  shape: ResultShape,
  periods: Array<{ period: string; range: RangeResult }>,
): string {
  const header = [
    "range",
    ...keyColumns(shape).map((column) => column.name),
    ...shape.values.map((column) => column.name),
    "range_records",
    "exact",
    "error_bound",
  ];
  const lines = [header.map(csvField).join(",")];
  for (const { period, range } of periods) {
    for (const row of range.rows) {
      lines.push(
        [
          period,
          ...keyValues(row),
          ...shape.values.map((column) => row.values[column.name] ?? ""),
          range.records,
          String(range.exact),
          range.errorBound ?? "",
        ].map(csvField).join(","),
      );
    }
  }
  return lines.map((line) => `${line}\r\n`).join("");
}

/**
 * The CSV of time series: header `range,period,<figures...>,records,exact`, the figures being
 * every headline figure any point has, one line per point.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { seriesCsv } from "./csv.ts";
 * const points = [{ period: "2026-11-20", records: 4, totals: { pageviews: 4 }, exact: true }];
 * assert.equal(
 *   seriesCsv([{ range: "current", points }]),
 *   "range,period,pageviews,records,exact\r\ncurrent,2026-11-20,4,4,true\r\n",
 * );
 * ```
 */
export function seriesCsv(series: Array<{ range: string; points: SeriesPoint[] }>): string {
  const figures = [
    ...new Set(series.flatMap(({ points }) => points.flatMap((p) => Object.keys(p.totals)))),
  ];
  const lines = [["range", "period", ...figures, "records", "exact"].map(csvField).join(",")];
  for (const { range, points } of series) {
    for (const point of points) {
      lines.push(
        [
          range,
          point.period,
          ...figures.map((name) => point.totals[name] ?? ""),
          point.records,
          String(point.exact),
        ].map(csvField).join(","),
      );
    }
  }
  return lines.map((line) => `${line}\r\n`).join("");
}
