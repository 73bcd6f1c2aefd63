/**
 * `product_actions`: how many times each product met each action (view, add_to_cart,
 * purchase, ...) per window; a result keyed by two columns, `product_id` and `action`.
 *
 * @module
 */
import {
  addCount,
  type AggregationPlugin,
  type Counts,
  type LogRecord,
  mergeCounts,
  type ResultRow,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  actions: z.array(z.string().min(1).max(256)).min(1).optional()
    .describe("Count only these event types (actions); all when omitted.")
    .meta({ examples: [["view", "add_to_cart", "purchase"]] }),
});

/** Validated `product_actions` options. */
export type ProductActionsOptions = z.output<typeof options>;

/**
 * Counts by `[product_id, action]`, the pair written as a JSON array: unambiguous whatever the
 * ids hold, and a plain object that survives the JSON round trip of stored state.
 */
export type ProductActionCounts = Counts;

/** The `product_actions` aggregation plugin. */
const productActions: AggregationPlugin<ProductActionsOptions, ProductActionCounts> = {
  kind: "aggregation",
  name: "product_actions",
  summary: "Events per product and action (view, add_to_cart, purchase, ...) in each window.",
  description: "Counts records that carry both a product_id and an event_type (an e-commerce " +
    "log's action), per pair; one row per pair seen, keyed by the two columns product_id and " +
    "action, ordered by product and action.",
  options,
  example: { actions: ["view", "add_to_cart", "purchase"] },
  create(settings) {
    const wanted = settings.actions === undefined ? undefined : new Set(settings.actions);
    const pairOf = (record: LogRecord): string | undefined => {
      const { product_id, event_type } = record;
      if (product_id === undefined || event_type === undefined) return undefined;
      if (wanted !== undefined && !wanted.has(event_type)) return undefined;
      return JSON.stringify([product_id, event_type]);
    };
    return {
      shape: {
        key: [{ name: "product_id", type: "text" }, { name: "action", type: "text" }],
        values: [{ name: "count", type: "bigint" }],
      },
      start: () => ({}),
      add(state, record) {
        const pair = pairOf(record);
        return pair === undefined ? state : addCount(state, pair);
      },
      merge: mergeCounts,
      finish(state) {
        return Object.entries(state)
          .map(([pair, count]): ResultRow => ({
            key: JSON.parse(pair) as [string, string],
            values: { count },
          }))
          .sort((a, b) => compareKeys(a.key as string[], b.key as string[]));
      },
    };
  },
};

export default productActions;

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}
