/**
 * `funnel`: how many sessions reach each configured step, and the conversion between steps,
 * per window.
 *
 * @module
 */
import {
  type AggregationPlugin,
  excludeBots,
  isBot,
  keyedAggregation,
  type KeyedValues,
  type LogRecord,
  percentOf,
  visitorOf,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  steps: z.array(z.string().min(1).max(256)).min(2).max(20)
    .refine((steps) => new Set(steps).size === steps.length, "steps must be distinct")
    .default(["view", "add_to_cart", "checkout", "purchase"])
    .describe("The event types of the funnel's steps, in order (2 to 20, distinct).")
    .meta({ examples: [["view", "add_to_cart", "checkout", "purchase"]] }),
  by: z.enum(["session", "visitor"]).default("session")
    .describe(
      "Who goes through the funnel: a session (session_id, else the visitor) or a visitor " +
        "(user_id, else client address and user agent, else session_id).",
    )
    .meta({ examples: ["session"] }),
  exclude_bots: excludeBots(false),
});

/** Validated `funnel` options. */
export type FunnelOptions = z.output<typeof options>;

/** Per session (or visitor), the steps it has events of, as a bit mask (bit i = step i). */
export type FunnelState = KeyedValues<number>;

/** The `funnel` aggregation plugin. */
const funnel: AggregationPlugin<FunnelOptions, FunnelState> = {
  kind: "aggregation",
  name: "funnel",
  summary: "Sessions reaching each configured step, and the conversion between steps.",
  description: "Per window, a session reaches step k when it has, in that window, an event " +
    "of every step 1..k (the order of events within the session is not checked: merging " +
    "parts of a session in any order stays exact, and shops record a purchase only after a " +
    "checkout). One row per step, keyed by its position and event type: sessions reaching " +
    "it, conversion from the previous step and from the first, in percent.",
  options,
  example: { steps: ["view", "add_to_cart", "checkout", "purchase"], by: "session" },
  chart: "bar",
  create(settings) {
    const bitOf = new Map(settings.steps.map((step, index) => [step, 2 ** index]));
    const keyOf = (record: LogRecord): string | undefined => {
      if (record.event_type === undefined || !bitOf.has(record.event_type)) return undefined;
      if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
      if (settings.by === "session" && record.session_id !== undefined) {
        return `s:${record.session_id}`;
      }
      const visitor = visitorOf(record);
      return visitor === undefined ? undefined : `v${visitor}`;
    };
    return keyedAggregation<number>({
      shape: {
        key: [{ name: "position", type: "int" }, { name: "step", type: "text" }],
        values: [
          { name: "sessions", type: "bigint" },
          { name: "from_previous_pct", type: "double" },
          { name: "from_first_pct", type: "double" },
        ],
      },
      keyOf,
      start: () => 0,
      // Bit masks of at most 20 bits: `|` on integers is exact and order-free.
      add: (mask, record) => mask | bitOf.get(record.event_type!)!,
      merge: (into, other) => into | other,
      finish(masks) {
        if (masks.size === 0) return [];
        const reached = settings.steps.map(() => 0);
        for (const mask of masks.values()) {
          for (let step = 0; step < reached.length && (mask & (2 ** step)) !== 0; step++) {
            reached[step]!++;
          }
        }
        return settings.steps.map((step, index) => ({
          key: [index + 1, step],
          values: {
            sessions: reached[index]!,
            from_previous_pct: percentOf(reached[index]!, reached[Math.max(0, index - 1)]!),
            from_first_pct: percentOf(reached[index]!, reached[0]!),
          },
        }));
      },
    });
  },
};

export default funnel;
