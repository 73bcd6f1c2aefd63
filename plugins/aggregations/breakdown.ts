/**
 * `breakdown`: counts and the top N values of one dimension per window: a record field or a
 * dimension derived from one (device, browser, OS, referrer domain, status class).
 *
 * @module
 */
import {
  type AggregationPlugin,
  classifyUserAgent,
  type Counts,
  excludeBots,
  isBot,
  keyedCounts,
  type LogRecord,
  type OverviewCard,
  percentOf,
  rangeCounts,
  referrerDomain,
  type ResultRow,
  statusClass,
  topOfMap,
  z,
} from "../../lib/sdk/mod.ts";

/** The dimensions a breakdown can count by, besides `props.<name>`. */
export const DIMENSIONS = [
  "device",
  "browser",
  "os",
  "country",
  "referrer_domain",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "status_class",
  "event_type",
  "method",
  "page_path",
  "button_id",
] as const;

const dimension = z.union([
  z.enum(DIMENSIONS),
  z.string().regex(/^props\.[A-Za-z0-9_.-]{1,100}$/, "props.<name>"),
]);

const options = z.strictObject({
  dimension: dimension
    .describe(
      "What to count by: device (the record's device, else from the user agent: desktop, " +
        "mobile, tablet, bot, other), browser and os (from the user agent via ua-parser-js, " +
        "else props.browser/props.os), country, referrer_domain (google.com; `(direct)` " +
        "without a referrer URL, as for events after the first of a visit), utm_source, " +
        "utm_medium, utm_campaign, status_class (4xx), event_type, method, page_path, " +
        "button_id, or props.<name> for any other input field.",
    )
    .meta({ examples: ["device"] }),
  n: z.number().int().min(1).max(1000).default(10)
    .describe("How many values to keep per window (the most frequent).")
    .meta({ examples: [10] }),
  summary_keys: z.number().int().min(1).max(100_000).default(1000)
    .describe(
      "How many values each window keeps with their counts for merging windows into ranges; " +
        "well above n, so a range's top n is exact unless the values cut could reach it.",
    )
    .meta({ examples: [1000] }),
  missing: z.string().min(1).max(256).optional()
    .describe("Count records without the dimension under this value; skipped when omitted.")
    .meta({ examples: ["(none)"] }),
  exclude_bots: excludeBots(false),
});

/** Validated `breakdown` options. */
export type BreakdownOptions = z.output<typeof options>;

/** Records per dimension value within one window. */
export type BreakdownCounts = Counts;

/** The `breakdown` aggregation plugin. */
const breakdown: AggregationPlugin<BreakdownOptions, BreakdownCounts> = {
  kind: "aggregation",
  name: "breakdown",
  summary: "Counts and top N by a field or derived dimension (device, browser, OS, country, " +
    "referrer domain, utm_*, status class).",
  description: "Counts records per value of one dimension in each window and keeps the N " +
    "most frequent, ranked 1..N (ties by value), each with its share of all records that " +
    "have the dimension (in percent, two decimals). Device, browser and OS come from the " +
    "SDK's classifyUserAgent (ua-parser-js 1.x, MIT); a bot's device is `bot`.",
  options,
  example: { dimension: "browser", n: 10 },
  chart: "donut",
  card: (settings) => {
    const card = CARDS[settings.dimension];
    return card === undefined ? undefined : { card, column: "count" };
  },
  create(settings) {
    const valueOf = dimensionReader(settings.dimension);
    const keyOf = (record: LogRecord): string | undefined => {
      if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
      const value = valueOf(record);
      return value === undefined || value === "" ? settings.missing : value;
    };
    const finish = (counts: ReadonlyMap<string, number>): ResultRow[] => {
      let total = 0;
      for (const count of counts.values()) total += count;
      return topOfMap(counts, settings.n).map(([value, count], index) => ({
        key: value,
        values: { count, share_pct: percentOf(count, total), rank: index + 1 },
      }));
    };
    const counts = keyedCounts({
      shape: {
        key: { name: "value", type: "text" },
        values: [
          { name: "count", type: "bigint" },
          { name: "share_pct", type: "double" },
          { name: "rank", type: "int" },
        ],
      },
      keyOf,
      finish,
    });
    return {
      ...counts,
      mergeable: rangeCounts({
        keep: Math.max(settings.summary_keys, settings.n),
        finish,
        ranked: settings.n,
        totals: (total) => ({ records: total }),
      }),
    };
  },
};

/** The overview card each dimension feeds. */
const CARDS: Partial<Record<string, OverviewCard["card"]>> = {
  device: "devices",
  browser: "browsers",
  os: "operating_systems",
  country: "countries",
  referrer_domain: "referrers",
  utm_source: "referrers",
  utm_campaign: "campaigns",
};

export default breakdown;

/** How to read one dimension off a record. */
function dimensionReader(name: string): (record: LogRecord) => string | undefined {
  const agent = (record: LogRecord) =>
    record.http_user_agent === undefined || record.http_user_agent === "-"
      ? undefined
      : classifyUserAgent(record.http_user_agent);
  switch (name) {
    case "device":
      return (record) => record.device ?? agent(record)?.device;
    case "browser":
      return (record) => agent(record)?.browser ?? record.props?.browser;
    case "os":
      return (record) => agent(record)?.os ?? record.props?.os;
    case "referrer_domain":
      return (record) =>
        referrerDomain(record.http_referrer ?? record.props?.referrer ?? "-") ?? "(direct)";
    case "status_class":
      return (record) => record.status === undefined ? undefined : statusClass(record.status);
    case "method":
      return (record) => record.method;
    default:
      if (name.startsWith("props.")) {
        const prop = name.slice("props.".length);
        return (record) => record.props?.[prop];
      }
      return (record) => record[name as "country"];
  }
}
