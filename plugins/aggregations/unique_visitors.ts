/**
 * `unique_visitors`: distinct visitors per window, with a HyperLogLog sketch; per page too as
 * an option.
 *
 * @module
 */
import {
  type AggregationPlugin,
  DEFAULT_HLL_PRECISION,
  excludeBots,
  finishFromSummary,
  hllPrecision,
  type HyperLogLog,
  hyperLogLog,
  hyperLogLogAdd,
  hyperLogLogError,
  hyperLogLogEstimate,
  hyperLogLogMerge,
  isBot,
  isStaticAsset,
  keyedAggregation,
  type KeyedSummary,
  type KeyedValues,
  type LogRecord,
  type MergeableResult,
  pageOf,
  type ResultRow,
  topOfMap,
  visitorOf,
  withoutQuery,
  z,
} from "../../lib/sdk/mod.ts";

/** The key of the row counting every visitor of the window. */
export const ALL_PAGES = "*";

const options = z.strictObject({
  per_page: z.boolean().default(false)
    .describe(
      "Also count visitors per page (page_path, else request_uri, without query; static " +
        "assets are no page); the `*` row always counts the whole window.",
    )
    .meta({ examples: [true] }),
  n: z.number().int().min(1).max(1000).default(20)
    .describe("With per_page, how many pages to report (those with the most visitors).")
    .meta({ examples: [20] }),
  precision: hllPrecision(
    DEFAULT_HLL_PRECISION,
    "HyperLogLog precision p: 2^p registers, relative standard error 1.04/sqrt(2^p) " +
      "(0.81% at 14, 1.6% at 12).",
  ),
  exclude_bots: excludeBots(false),
});

/** Validated `unique_visitors` options. */
export type UniqueVisitorsOptions = z.output<typeof options>;

/** One sketch per page (or one under `*` without per_page). */
export type VisitorSketches = KeyedValues<HyperLogLog>;

/**
 * What real time keeps of a window to finish it from the pages that changed only, instead of
 * merging and estimating every page's sketch at every result.
 */
export interface VisitorSummary {
  /** Whether any key was updated: the `*` row is due. */
  counted: boolean;
  /**
   * Every key's sketch merged in. A merge takes each register's maximum, so merging a page's
   * grown sketch over the one merged before is exact: no page's old part needs taking out.
   */
  all: HyperLogLog;
  /** With per_page, each page's estimate (not the key "", records without a page). */
  visitors: Map<string, number>;
}

/** The `unique_visitors` aggregation plugin. */
const uniqueVisitors: AggregationPlugin<UniqueVisitorsOptions, VisitorSketches> = {
  kind: "aggregation",
  name: "unique_visitors",
  summary: "Distinct visitors per window (HyperLogLog, about 1% error), per page as an option.",
  description: "A visitor is the record's user_id, else its client address with its user " +
    "agent, else its session_id; records naming none are skipped. Counted with a HyperLogLog " +
    "sketch (relative standard error 0.81% at the default precision 14, so 99.7% of " +
    "estimates are within 2.4%), whose merge is exact, so real time and batch agree to the " +
    "digit. Row `*` counts the window's visitors; with per_page, the N pages with the most " +
    "visitors follow (a visitor of two pages counts once in `*`).",
  options,
  example: { per_page: true, n: 20, exclude_bots: true },
  chart: "bar",
  create(settings) {
    const keyOf = (record: LogRecord): string | undefined => {
      if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
      if (visitorOf(record) === undefined) return undefined;
      if (!settings.per_page) return ALL_PAGES;
      const page = pageOf(record);
      // Records without a page, or fetching a static asset, count in `*` only: key "".
      if (page === undefined) return "";
      const path = withoutQuery(page);
      return isStaticAsset(path) ? "" : path;
    };
    // A result costs the pages changed since the last one (a merge and an estimate each), a
    // scan of the estimates for the top N, and one estimate of `all`.
    const summary: KeyedSummary<HyperLogLog, VisitorSummary> = {
      start: () => ({ counted: false, all: hyperLogLog(settings.precision), visitors: new Map() }),
      update(window, page, sketch) {
        window.counted = true;
        // Reads `sketch` only: `all` keeps none of it.
        hyperLogLogMerge(window.all, sketch);
        if (settings.per_page && page !== "") window.visitors.set(page, estimate(sketch));
        return window;
      },
      finish(window) {
        const rows: ResultRow[] = [];
        if (window.counted) {
          rows.push({ key: ALL_PAGES, values: { visitors: estimate(window.all), rank: 0 } });
        }
        // Most visitors first, ties by page: a scan keeping N, not a sort of every page.
        topOfMap(window.visitors, settings.n).forEach(([page, visitors], index) =>
          rows.push({ key: page, values: { visitors, rank: index + 1 } })
        );
        return rows;
      },
    };
    const sketches = keyedAggregation<HyperLogLog, VisitorSummary>({
      shape: {
        key: { name: "page", type: "text" },
        values: [{ name: "visitors", type: "bigint" }, { name: "rank", type: "int" }],
      },
      keyOf,
      start: () => hyperLogLog(settings.precision),
      add: (sketch, record) => hyperLogLogAdd(sketch, visitorOf(record)!),
      merge: hyperLogLogMerge,
      finish: finishFromSummary(summary),
      summary,
    });
    return {
      ...sketches,
      mergeable: {
        ...visitorsInRange(settings.precision),
        // The keyed summary's `all` is every visitor of the window already: a copy of it.
        fromKeyed: (window: VisitorSummary) =>
          window.counted ? hyperLogLogMerge(hyperLogLog(settings.precision), window.all) : null,
      },
    };
  },
};

/**
 * A window's visitors kept for ranges: the sketch of every visitor of the window (its pages'
 * sketches merged), `null` when none was counted. Sketches merge exactly, so a range's
 * visitors are those of one window over it, within the sketch's error. Per-page visitors are
 * not kept (a sketch per page would make each window's summary as large as its state), so a
 * range has the `*` row only.
 */
function visitorsInRange(precision: number): MergeableResult<HyperLogLog | null> {
  const merged = (into: HyperLogLog | null, other: HyperLogLog): HyperLogLog =>
    hyperLogLogMerge(into ?? hyperLogLog(precision), other);
  return {
    emptySummary: () => null,
    toSummary(values) {
      let all: HyperLogLog | null = null;
      for (const sketch of values.values()) all = merged(all, sketch as HyperLogLog);
      return all;
    },
    mergeSummaries: (into, other) => other === null ? into : merged(into, other),
    finishRange(all) {
      const visitors = all === null ? 0 : estimate(all);
      return {
        rows: all === null ? [] : [{ key: ALL_PAGES, values: { visitors, rank: 0 } }],
        exact: false,
        relativeError: hyperLogLogError(precision),
        totals: { visitors },
      };
    },
  };
}

export default uniqueVisitors;

function estimate(sketch: HyperLogLog): number {
  return Math.round(hyperLogLogEstimate(sketch));
}
