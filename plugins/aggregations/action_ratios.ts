/**
 * `action_ratios`: the share of each shopping action (view, add to cart, checkout, purchase)
 * per window.
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
  percentOf,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  actions: z.array(z.string().min(1).max(256)).min(1)
    .default(["view", "add_to_cart", "checkout", "purchase"])
    .describe("The event types compared, in the order rows are listed.")
    .meta({ examples: [["view", "add_to_cart", "checkout", "purchase"]] }),
  exclude_bots: excludeBots(false),
});

/** Validated `action_ratios` options. */
export type ActionRatiosOptions = z.output<typeof options>;

/** Events per action within one window. */
export type ActionCounts = Counts;

/** The `action_ratios` aggregation plugin. */
const actionRatios: AggregationPlugin<ActionRatiosOptions, ActionCounts> = {
  kind: "aggregation",
  name: "action_ratios",
  summary: "Share of view / add_to_cart / checkout / purchase events in each window.",
  description: "Counts the configured actions (event_type) in each window; one row per " +
    "action, in the configured order, with its count, its share of all counted actions and " +
    "its ratio to the first action (e.g. purchases per 100 views), both in percent and " +
    "rounded to two decimals. Actions not seen in a window show 0.",
  options,
  example: { actions: ["view", "add_to_cart", "checkout", "purchase"] },
  chart: "donut",
  create(settings) {
    const actions = [...new Set(settings.actions)];
    const wanted = new Set(actions);
    const keyOf = (record: LogRecord): string | undefined => {
      if (record.event_type === undefined || !wanted.has(record.event_type)) return undefined;
      if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
      return record.event_type;
    };
    return keyedCounts({
      shape: {
        key: { name: "action", type: "text" },
        values: [
          { name: "count", type: "bigint" },
          { name: "share_pct", type: "double" },
          { name: "per_100_first", type: "double" },
        ],
      },
      keyOf,
      finish(counts) {
        if (counts.size === 0) return [];
        let total = 0;
        for (const count of counts.values()) total += count;
        const first = counts.get(actions[0]!) ?? 0;
        return actions.map((action) => {
          const count = counts.get(action) ?? 0;
          return {
            key: action,
            values: {
              count,
              share_pct: percentOf(count, total),
              per_100_first: percentOf(count, first),
            },
          };
        });
      },
    });
  },
};

export default actionRatios;
