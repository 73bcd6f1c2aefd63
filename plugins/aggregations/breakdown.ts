/**
 * `breakdown`: counts and the top N values of one dimension per window, or of a combination
 * of several (`dimensions: [utm_campaign, event_type]`): a record field or a dimension derived
 * from one (device, browser, OS, referrer domain, status class).
 *
 * @module
 */
import {
  type AggregationPlugin,
  classifyUserAgent,
  type Counts,
  countsWindow,
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

/** The result column of a dimension in a multi-dimension breakdown (`props.tier` is `tier`). */
function columnOf(name: string): string {
  return name.replace(/^props\./, "").toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 48);
}

const VALUE_COLUMNS = ["count", "share_pct", "rank"];

const options = z.strictObject({
  dimension: dimension.optional()
    .describe(
      "What to count by: device (the record's device, else from the user agent: desktop, " +
        "mobile, tablet, bot, other), browser and os (from the user agent via ua-parser-js, " +
        "else props.browser/props.os), country, referrer_domain (google.com; `(direct)` " +
        "without a referrer URL, as for events after the first of a visit), utm_source, " +
        "utm_medium, utm_campaign, status_class (4xx), event_type, method, page_path, " +
        "button_id, or props.<name> for any other input field.",
    )
    .meta({ examples: ["device"] }),
  dimensions: z.array(dimension).min(2).max(4).optional()
    .describe(
      "Instead of dimension: count by the combination of 2 to 4 dimensions, one result " +
        "column each, named after the dimension (props.tier is column tier).",
    )
    .meta({ examples: [["utm_campaign", "event_type"]] }),
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
}).superRefine((value, context) => {
  if ((value.dimension === undefined) === (value.dimensions === undefined)) {
    context.addIssue({
      code: "custom",
      message: "give either dimension: (one) or dimensions: (a list of 2 to 4), not both",
    });
    return;
  }
  const columns = (value.dimensions ?? []).map(columnOf);
  columns.forEach((column, index) => {
    if (!/^[a-z]/.test(column) || VALUE_COLUMNS.includes(column)) {
      context.addIssue({
        code: "custom",
        path: ["dimensions", index],
        message: `column '${column}' cannot be a result column (it must start with a letter ` +
          `and not be ${VALUE_COLUMNS.join(", ")})`,
      });
    } else if (columns.indexOf(column) !== index) {
      context.addIssue({
        code: "custom",
        path: ["dimensions", index],
        message: `column '${column}' is already the column of another dimension`,
      });
    }
  });
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
    "referrer domain, utm_*, status class), or by a combination of several.",
  description: "Counts records per value of one dimension in each window and keeps the N " +
    "most frequent, ranked 1..N (ties by value), each with its share of all records that " +
    "have the dimension (in percent, two decimals). Device, browser and OS come from the " +
    "SDK's classifyUserAgent (ua-parser-js 1.x, MIT); a bot's device is `bot`. With " +
    "dimensions: the rows are the most frequent combinations, one key column per dimension; " +
    "a record missing any of them counts under missing (or is skipped).",
  options,
  example: { dimension: "browser", n: 10 },
  chart: "donut",
  card: (settings) => {
    // A combination of several dimensions feeds no card.
    const card = settings.dimension === undefined ? undefined : CARDS[settings.dimension];
    return card === undefined ? undefined : { card, column: "count" };
  },
  create(settings) {
    if (settings.dimensions !== undefined) return combinations(settings, settings.dimensions);
    const valueOf = dimensionReader(settings.dimension!);
    const keyOf = (record: LogRecord): string | undefined => {
      if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
      const value = valueOf(record);
      return value === undefined || value === "" ? settings.missing : value;
    };
    // Real time keeps each value's count and the best values as they change: a result and its
    // range summary read those, not every value of the window.
    const ranked = {
      keep: Math.max(settings.summary_keys, settings.n),
      finish: (counts: ReadonlyMap<string, number>, total = sumOf(counts)): ResultRow[] =>
        topOfMap(counts, settings.n).map(([value, count], index) => ({
          key: value,
          values: { count, share_pct: percentOf(count, total), rank: index + 1 },
        })),
      ranked: settings.n,
      totals: (total: number) => ({ records: total }),
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
      finish: ranked.finish,
      summary: countsWindow(ranked),
    });
    return { ...counts, mergeable: rangeCounts(ranked) };
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

/**
 * The breakdown by a combination of dimensions: a combination's state key is the JSON array
 * of its values (unambiguous whatever they hold), and its row key that array.
 */
function combinations(settings: BreakdownOptions, dimensions: readonly string[]) {
  const readers = dimensions.map(dimensionReader);
  const keyOf = (record: LogRecord): string | undefined => {
    if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
    const values: string[] = [];
    for (const read of readers) {
      const value = read(record);
      const kept = value === undefined || value === "" ? settings.missing : value;
      if (kept === undefined) return undefined;
      values.push(kept);
    }
    return JSON.stringify(values);
  };
  return keyedCounts({
    shape: {
      key: dimensions.map((name) => ({ name: columnOf(name), type: "text" as const })),
      values: [
        { name: "count", type: "bigint" },
        { name: "share_pct", type: "double" },
        { name: "rank", type: "int" },
      ],
    },
    keyOf,
    finish(counts) {
      const total = sumOf(counts);
      return topOfMap(counts, settings.n).map(([values, count], index) => ({
        key: JSON.parse(values) as string[],
        values: { count, share_pct: percentOf(count, total), rank: index + 1 },
      }));
    },
  });
}

/** The sum of every count. */
function sumOf(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}

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
