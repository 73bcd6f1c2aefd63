/**
 * `latency`: request-time percentiles (p50, p90, p99) per window, overall and per page.
 *
 * @module
 */
import {
  type AggregationPlugin,
  DEFAULT_QUANTILE_ACCURACY,
  keyedAggregation,
  type KeyedValues,
  type LogRecord,
  pageOf,
  type QuantileSketch,
  quantileSketch,
  quantileSketchAdd,
  quantileSketchMerge,
  quantileSketchQuantiles,
  type ResultRow,
  withoutQuery,
  z,
} from "../../lib/sdk/mod.ts";

/** The key of the row over every request of the window. */
export const ALL_PAGES = "*";

const options = z.strictObject({
  per_page: z.boolean().default(true)
    .describe("Also report the pages with the most requests, each with its own percentiles.")
    .meta({ examples: [true] }),
  n: z.number().int().min(1).max(1000).default(10)
    .describe("With per_page, how many pages to report.")
    .meta({ examples: [10] }),
  accuracy: z.number().min(0.001).max(0.1).default(DEFAULT_QUANTILE_ACCURACY)
    .describe("Relative accuracy of every percentile (0.01: within 1% of the exact value).")
    .meta({ examples: [0.01] }),
});

/** Validated `latency` options. */
export type LatencyOptions = z.output<typeof options>;

/** One quantile sketch of request times (seconds) per page, or one under `*`. */
export type LatencyState = KeyedValues<QuantileSketch>;

/** The `latency` aggregation plugin. */
const latency: AggregationPlugin<LatencyOptions, LatencyState> = {
  kind: "aggregation",
  name: "latency",
  summary: "Request-time percentiles (p50, p90, p99, ms) per window, overall and per page.",
  description: "Reads request_time (seconds) of web-server records into a DDSketch-style " +
    "quantile sketch: every percentile is within `accuracy` (1%) of the exact value at its " +
    "rank, guaranteed, and merges add integer bin counts, so real time and batch agree " +
    "exactly. Row `*` covers every request; with per_page, the N pages (without query) " +
    "with the most requests follow, ranked 1..N. Values in milliseconds.",
  options,
  example: { per_page: true, n: 10 },
  chart: "bar",
  create(settings) {
    const keyOf = (record: LogRecord): string | undefined => {
      if (record.request_time === undefined) return undefined;
      if (!settings.per_page) return ALL_PAGES;
      const page = pageOf(record);
      return page === undefined ? "" : withoutQuery(page);
    };
    const row = (key: string, sketch: QuantileSketch, rank: number): ResultRow => {
      const [p50, p90, p99] = quantileSketchQuantiles(sketch, [0.5, 0.9, 0.99])
        .map((seconds) => Math.round((seconds ?? 0) * 1_000_000) / 1000);
      return {
        key,
        values: { requests: sketch.count, p50_ms: p50!, p90_ms: p90!, p99_ms: p99!, rank },
      };
    };
    return keyedAggregation<QuantileSketch>({
      shape: {
        key: { name: "page", type: "text" },
        values: [
          { name: "requests", type: "bigint" },
          { name: "p50_ms", type: "double" },
          { name: "p90_ms", type: "double" },
          { name: "p99_ms", type: "double" },
          { name: "rank", type: "int" },
        ],
      },
      keyOf,
      start: () => quantileSketch(settings.accuracy),
      add: (sketch, record) => quantileSketchAdd(sketch, record.request_time!),
      merge: quantileSketchMerge,
      finish(sketches) {
        if (sketches.size === 0) return [];
        const all = quantileSketch(settings.accuracy);
        for (const sketch of sketches.values()) quantileSketchMerge(all, sketch);
        const rows = [row(ALL_PAGES, all, 0)];
        if (settings.per_page) {
          [...sketches]
            .filter(([page]) => page !== "")
            .sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : a > b ? 1 : 0))
            .slice(0, settings.n)
            .forEach(([page, sketch], index) => rows.push(row(page, sketch, index + 1)));
        }
        return rows;
      },
    });
  },
};

export default latency;
