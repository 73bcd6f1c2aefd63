/**
 * `top_pages`: the N most visited pages of each window.
 *
 * @module
 */
import {
  type AggregationPlugin,
  type Counts,
  countsWindow,
  excludeBots,
  isBot,
  isStaticAsset,
  keyedCounts,
  type LogRecord,
  pageOf,
  rangeCounts,
  topOfMap,
  withoutQuery,
  z,
} from "../../lib/sdk/mod.ts";

const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

const options = z.strictObject({
  n: z.number().int().min(1).max(1000).default(10)
    .describe("How many pages to keep per window.")
    .meta({ examples: [10] }),
  page_field: z.enum(["request_uri", "http_referrer"]).default("request_uri")
    .describe(
      "Which field names the page: the page visited (page_path when set, else request_uri) or " +
        "the referring page.",
    )
    .meta({ examples: ["request_uri"] }),
  strip_query: z.boolean().default(true)
    .describe("Ignore the query string and fragment, so /a?b=1 counts as /a.")
    .meta({ examples: [true] }),
  exclude_static: z.boolean().default(true)
    .describe(
      "Skip static assets (.css .js .png .jpg .jpeg .gif .svg .ico .woff .woff2 .map .webp).",
    )
    .meta({ examples: [true] }),
  summary_keys: z.number().int().min(1).max(100_000).default(1000)
    .describe(
      "How many pages each window keeps with their visits for merging windows into ranges " +
        "(the dashboard's last 7 days); well above n, so a range's top n is exact unless the " +
        "pages cut could reach it (the API then says by how much it may be off).",
    )
    .meta({ examples: [1000] }),
  exclude_bots: excludeBots(false),
  statuses: z.array(z.enum(STATUS_CLASSES)).min(1).optional()
    .describe(
      "Count only responses of these status classes (events without a status are skipped); " +
        "all records when omitted.",
    )
    .meta({ examples: [["2xx", "3xx"]] }),
});

/** Validated `top_pages` options. */
export type TopPagesOptions = z.output<typeof options>;

/** Visits per page within one window. */
export type PageCounts = Counts;

/** The `top_pages` aggregation plugin. */
const topPages: AggregationPlugin<TopPagesOptions, PageCounts> = {
  kind: "aggregation",
  name: "top_pages",
  summary: "The N most visited pages of each window.",
  description: "Counts visits per page in each window and keeps the N pages with the most " +
    "visits, ranked 1..N; ties are broken by page URL so the ranking is deterministic. A " +
    "record's page is its page_path when it has one, else its request_uri, so page events " +
    "and web-server logs count alike.",
  options,
  example: { n: 10, exclude_bots: true, statuses: ["2xx", "3xx"] },
  chart: "bar",
  card: (settings) =>
    settings.page_field === "request_uri" ? { card: "top_pages", column: "visits" } : undefined,
  create(settings) {
    // Real time keeps each page's count and the best pages as they change, so neither a
    // result nor its range summary reads every page of the window again.
    const ranked = {
      keep: Math.max(settings.summary_keys, settings.n),
      finish: (counts: ReadonlyMap<string, number>) =>
        topOfMap(counts, settings.n).map(([page, visits], index) => ({
          key: page,
          values: { visits, rank: index + 1 },
        })),
      ranked: settings.n,
      totals: (total: number) => ({ pageviews: total }),
    };
    const counts = keyedCounts({
      shape: {
        key: { name: "page_url", type: "text" },
        values: [{ name: "visits", type: "bigint" }, { name: "rank", type: "int" }],
      },
      keyOf: (record) => countedPage(record, settings),
      finish: ranked.finish,
      summary: countsWindow(ranked),
    });
    return { ...counts, mergeable: rangeCounts(ranked) };
  },
};

export default topPages;

/** The page a record counts for, or undefined when the filters skip it. */
function countedPage(record: LogRecord, settings: TopPagesOptions): string | undefined {
  const raw = settings.page_field === "request_uri" ? pageOf(record) : record.http_referrer;
  if (raw === undefined || raw === "" || raw === "-") return undefined;
  const path = withoutQuery(raw);
  if (settings.exclude_static && isStaticAsset(path)) return undefined;
  if (
    settings.exclude_bots && record.http_user_agent !== undefined &&
    isBot(record.http_user_agent)
  ) return undefined;
  if (settings.statuses) {
    const status = record.status;
    if (status === undefined || !settings.statuses.some((c) => c === statusClass(status))) {
      return undefined;
    }
  }
  return settings.strip_query ? path : raw;
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
