/**
 * `page_engagement`: visits, unique users and time on page, per page and window.
 *
 * @module
 */
import {
  type AggregationPlugin,
  excludeBots,
  finishFromSummary,
  hllPrecision,
  type HyperLogLog,
  hyperLogLog,
  hyperLogLogAdd,
  hyperLogLogEstimate,
  hyperLogLogMerge,
  isBot,
  isStaticAsset,
  keyedAggregation,
  type KeyedSummary,
  type KeyedValues,
  type LogRecord,
  pageOf,
  type RunningTop,
  runningTop,
  runningTopOffer,
  visitorOf,
  withoutQuery,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  n: z.number().int().min(1).max(1000).default(10)
    .describe("How many pages to report (those with the most visits).")
    .meta({ examples: [10] }),
  visit_events: z.array(z.string().min(1).max(256)).min(1)
    .default(["page_visited", "page_view", "view"])
    .describe(
      "Event types that are a visit of their page (web-server requests are, unless for a " +
        "static asset).",
    )
    .meta({ examples: [["page_visited", "page_view", "view"]] }),
  close_event: z.string().min(1).max(256).default("page_closed")
    .describe("Event type carrying the time spent on its page.")
    .meta({ examples: ["page_closed"] }),
  time_prop: z.string().min(1).max(256).default("time_on_page_ms")
    .describe("The prop of close events holding the time on page, in ms.")
    .meta({ examples: ["time_on_page_ms"] }),
  precision: hllPrecision(
    12,
    "HyperLogLog precision for unique users per page: standard error 1.04/sqrt(2^p), 1.6% " +
      "at 12 (4 KiB per busy page at most).",
  ),
  exclude_bots: excludeBots(true),
});

/** Validated `page_engagement` options. */
export type PageEngagementOptions = z.output<typeof options>;

/** One page's figures in a window. */
export interface PageFigures {
  /** Visits. */
  visits: number;
  /** Distinct visitors (users, else clients, else sessions) of its visits. */
  users: HyperLogLog;
  /** Close events with a valid time on page. */
  closes: number;
  /** Sum of their times on page, ms. */
  time_ms: number;
}

/** Figures by page. */
export type PageEngagementState = KeyedValues<PageFigures>;

/** A ranked page's row values, derived from its figures (its sketch estimated once). */
export interface PageEngagementRow {
  /** Visits. */
  visits: number;
  /** Estimated distinct visitors. */
  unique_users: number;
  /** Average time on page, seconds (0 without close events). */
  avg_time_on_page_s: number;
}

/** The `page_engagement` aggregation plugin. */
const pageEngagement: AggregationPlugin<PageEngagementOptions, PageEngagementState> = {
  kind: "aggregation",
  name: "page_engagement",
  summary: "Visits, unique users and average time on page, per page and window.",
  description: "Per page (page_path, else request_uri, without query): visits (web-server " +
    "requests for pages, not static assets, and visit events), unique users of those " +
    "visits (a HyperLogLog estimate, " +
    "users by user_id, else client, else session) and the average time on page (seconds) " +
    "from close events' time-on-page prop (the HTTP source's tracker sends page_closed " +
    "with props.time_on_page_ms; values that are not whole non-negative numbers are " +
    "ignored, and 0 is shown when no close event arrived). The N pages with the most " +
    "visits, ranked 1..N.",
  options,
  example: { n: 10 },
  chart: "bar",
  create(settings) {
    const visitEvents = new Set(settings.visit_events);
    const timeOf = (record: LogRecord): number | undefined => {
      const text = record.props?.[settings.time_prop];
      if (text === undefined || !/^\d{1,12}$/.test(text)) return undefined;
      return Number(text);
    };
    const kindOf = (record: LogRecord): "visit" | "close" | undefined => {
      if (record.event_type === undefined) {
        // A web-server request visits a page unless it fetches a static asset.
        const uri = record.page_path ?? record.request_uri;
        return uri === undefined || isStaticAsset(withoutQuery(uri)) ? undefined : "visit";
      }
      if (visitEvents.has(record.event_type)) return "visit";
      if (record.event_type === settings.close_event && timeOf(record) !== undefined) {
        return "close";
      }
      return undefined;
    };
    const keyOf = (record: LogRecord): string | undefined => {
      if (kindOf(record) === undefined) return undefined;
      if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
      const page = pageOf(record);
      return page === undefined ? undefined : withoutQuery(page);
    };
    // The pages with the most visits, ties by page; visits only grow, so a running top of the
    // pages changed ranks exactly, and only a page that is (or gets) among the N is estimated.
    const summary: KeyedSummary<PageFigures, RunningTop<PageEngagementRow>> = {
      start: () => runningTop(settings.n),
      update: (top, page, figures) =>
        runningTopOffer(top, page, figures.visits, () => ({
          visits: figures.visits,
          unique_users: Math.round(hyperLogLogEstimate(figures.users)),
          avg_time_on_page_s: figures.closes === 0
            ? 0
            : Math.round(figures.time_ms / figures.closes) / 1000,
        })),
      finish: (top) =>
        top.entries.map((entry, index) => ({
          key: entry.key,
          values: { ...entry.row, rank: index + 1 },
        })),
    };
    return keyedAggregation<PageFigures, RunningTop<PageEngagementRow>>({
      shape: {
        key: { name: "page", type: "text" },
        values: [
          { name: "visits", type: "bigint" },
          { name: "unique_users", type: "bigint" },
          { name: "avg_time_on_page_s", type: "double" },
          { name: "rank", type: "int" },
        ],
      },
      keyOf,
      start: () => ({ visits: 0, users: hyperLogLog(settings.precision), closes: 0, time_ms: 0 }),
      add(figures, record) {
        if (kindOf(record) === "close") {
          figures.closes++;
          figures.time_ms += timeOf(record)!;
        } else {
          figures.visits++;
          const visitor = visitorOf(record);
          if (visitor !== undefined) hyperLogLogAdd(figures.users, visitor);
        }
        return figures;
      },
      merge(into, other) {
        into.visits += other.visits;
        into.closes += other.closes;
        into.time_ms += other.time_ms;
        hyperLogLogMerge(into.users, other.users);
        return into;
      },
      finish: finishFromSummary(summary),
      summary,
    });
  },
};

export default pageEngagement;
