/**
 * `status_counts`: how many responses of each HTTP status code and class per window.
 *
 * @module
 */
import {
  type AggregationPlugin,
  type Counts,
  countsWindow,
  keyedCounts,
  rangeCounts,
  type ResultRow,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({});

/** Validated `status_counts` options. */
export type StatusCountsOptions = z.output<typeof options>;

/** Responses per status code (as a string, e.g. `"404"`) within one window. */
export type StatusCounts = Counts;

/** The `status_counts` aggregation plugin. */
const statusCounts: AggregationPlugin<StatusCountsOptions, StatusCounts> = {
  kind: "aggregation",
  name: "status_counts",
  summary: "Responses per HTTP status code and per class (2xx, 3xx, 4xx, 5xx).",
  description: "Counts responses per status code in each window, and adds one row per status " +
    "class seen (e.g. 4xx = all 400..499 responses). Records without a status (events) are " +
    "not counted.",
  options,
  example: {},
  // Codes and classes overlap (404 is in 4xx), so lines, not stacked areas or a donut.
  chart: "line",
  card: () => ({ card: "errors", column: "count" }),
  create() {
    // Status codes are few: every one is kept, so any range is exact.
    const every = {
      keep: Infinity,
      finish: statusRows,
      totals(total: number, byCode: ReadonlyMap<string, number>) {
        let errors = 0;
        for (const [code, count] of byCode) if (Number(code) >= 400) errors += count;
        return { requests: total, errors };
      },
    };
    const counts = keyedCounts({
      shape: { key: { name: "status", type: "text" }, values: [{ name: "count", type: "bigint" }] },
      keyOf: (record) => record.status === undefined ? undefined : String(record.status),
      finish: statusRows,
      summary: countsWindow(every),
    });
    return { ...counts, mergeable: rangeCounts(every) };
  },
};

export default statusCounts;

/** A row per status code, in code order, then one per class seen. */
function statusRows(counts: ReadonlyMap<string, number>): ResultRow[] {
  const codes = [...counts].sort(([a], [b]) => Number(a) - Number(b));
  const classes = new Map<string, number>();
  for (const [status, count] of codes) {
    const statusClass = `${status.slice(0, 1)}xx`;
    classes.set(statusClass, (classes.get(statusClass) ?? 0) + count);
  }
  const row = (key: string, count: number): ResultRow => ({ key, values: { count } });
  return [
    ...codes.map(([status, count]) => row(status, count)),
    ...[...classes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, count]) => row(c, count)),
  ];
}
