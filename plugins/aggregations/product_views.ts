/**
 * `product_views`: the N most viewed products of each window.
 *
 * @module
 */
import {
  type AggregationPlugin,
  type Counts,
  excludeBots,
  isBot,
  keyedCounts,
  type LogRecord,
  topOfMap,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  n: z.number().int().min(1).max(1000).default(10)
    .describe("How many products to keep per window.")
    .meta({ examples: [10] }),
  view_events: z.array(z.string().min(1).max(256)).min(1).default(["view", "page_visited"])
    .describe(
      "Event types that count as a view of the record's product_id (an e-commerce log's " +
        "`view`, a tracker's `page_visited` on a product page).",
    )
    .meta({ examples: [["view", "page_visited"]] }),
  exclude_bots: excludeBots(false),
});

/** Validated `product_views` options. */
export type ProductViewsOptions = z.output<typeof options>;

/** Views per product id within one window. */
export type ProductViewCounts = Counts;

/** The `product_views` aggregation plugin. */
const productViews: AggregationPlugin<ProductViewsOptions, ProductViewCounts> = {
  kind: "aggregation",
  name: "product_views",
  summary: "The N most viewed products of each window (typically 5 minutes).",
  description: "Counts records with a product_id whose event_type is a view (`view`, " +
    "`page_visited` by default) per product, and keeps the N products with the most views, " +
    "ranked 1..N; ties are broken by product id.",
  options,
  example: { n: 10, exclude_bots: true },
  chart: "bar",
  create(settings) {
    const viewEvents = new Set(settings.view_events);
    const keyOf = (record: LogRecord): string | undefined => {
      if (record.product_id === undefined || record.event_type === undefined) return undefined;
      if (!viewEvents.has(record.event_type)) return undefined;
      if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
      return record.product_id;
    };
    return keyedCounts({
      shape: {
        key: { name: "product_id", type: "text" },
        values: [{ name: "views", type: "bigint" }, { name: "rank", type: "int" }],
      },
      keyOf,
      finish: (views) =>
        topOfMap(views, settings.n).map(([product, count], index) => ({
          key: product,
          values: { views: count, rank: index + 1 },
        })),
    });
  },
};

export default productViews;
