/**
 * `bot_report`: the client addresses with the most requests per window, which of them look
 * like bots (by user agent or by request rate), and the bot share of traffic.
 *
 * @module
 */
import {
  type AggregationPlugin,
  isBot,
  keyedAggregation,
  type KeyedValues,
  type LogRecord,
  percentOf,
  type ResultRow,
  z,
} from "../../lib/sdk/mod.ts";

/** The key of the summary row: all traffic flagged as bots in the window. */
export const BOTS_ROW = "*bots";

const options = z.strictObject({
  n: z.number().int().min(1).max(1000).default(20)
    .describe("How many client addresses to report (those with the most requests).")
    .meta({ examples: [20] }),
  max_per_minute: z.number().int().min(1).default(120)
    .describe(
      "An address with more requests than this in any one clock minute counts as a bot, " +
        "whatever its user agent.",
    )
    .meta({ examples: [120] }),
});

/** Validated `bot_report` options. */
export type BotReportOptions = z.output<typeof options>;

/** One address's traffic in a window. */
export interface AddressTraffic {
  /** Requests. */
  requests: number;
  /** Requests whose user agent isBot flags. */
  agent_bot: number;
  /** Requests by clock minute (ms since epoch of the minute, as text). */
  minutes: Record<string, number>;
}

/** Traffic by client address. */
export type BotReportState = KeyedValues<AddressTraffic>;

/** The `bot_report` aggregation plugin. */
const botReport: AggregationPlugin<BotReportOptions, BotReportState> = {
  kind: "aggregation",
  name: "bot_report",
  summary: "Top client addresses per window, which look like bots, and the bot share.",
  description: "Counts requests per client address (remote_addr; records without one are " +
    "skipped). A request is bot traffic when the SDK's isBot flags its user agent (the same " +
    "test as every exclude_bots), or when its address made more than max_per_minute " +
    "requests in some clock minute of the window (then all the address's requests count). " +
    "Rows: the N busiest addresses (rank 1..N) with requests, share of the window's " +
    "requests, peak requests in a minute and `bot` (no, agent, rate or agent+rate); then the " +
    "row `*bots` (rank 0) whose requests and share are the bot traffic and bot share.",
  options,
  example: { n: 20, max_per_minute: 120 },
  chart: "bar",
  create(settings) {
    return keyedAggregation<AddressTraffic>({
      shape: {
        key: { name: "remote_addr", type: "text" },
        values: [
          { name: "requests", type: "bigint" },
          { name: "share_pct", type: "double" },
          { name: "peak_per_minute", type: "int" },
          { name: "bot", type: "text" },
          { name: "rank", type: "int" },
        ],
      },
      keyOf: (record: LogRecord) => record.remote_addr,
      start: () => ({ requests: 0, agent_bot: 0, minutes: {} }),
      add(traffic, record) {
        traffic.requests++;
        if (isBot(record.http_user_agent ?? "-")) traffic.agent_bot++;
        const minute = String(Math.floor(record.timestamp / 60_000) * 60_000);
        traffic.minutes[minute] = (traffic.minutes[minute] ?? 0) + 1;
        return traffic;
      },
      merge(into, other) {
        into.requests += other.requests;
        into.agent_bot += other.agent_bot;
        for (const [minute, count] of Object.entries(other.minutes)) {
          into.minutes[minute] = (into.minutes[minute] ?? 0) + count;
        }
        return into;
      },
      finish(traffic) {
        if (traffic.size === 0) return [];
        let total = 0;
        let botRequests = 0;
        const addresses = [...traffic].map(([address, value]) => {
          const peak = Math.max(0, ...Object.values(value.minutes));
          const byRate = peak > settings.max_per_minute;
          total += value.requests;
          botRequests += byRate ? value.requests : value.agent_bot;
          const bot = value.agent_bot > 0
            ? (byRate ? "agent+rate" : "agent")
            : (byRate ? "rate" : "no");
          return { address, requests: value.requests, peak, bot };
        });
        addresses.sort((a, b) =>
          b.requests - a.requests || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)
        );
        const rows: ResultRow[] = addresses.slice(0, settings.n).map((a, index) => ({
          key: a.address,
          values: {
            requests: a.requests,
            share_pct: percentOf(a.requests, total),
            peak_per_minute: a.peak,
            bot: a.bot,
            rank: index + 1,
          },
        }));
        rows.push({
          key: BOTS_ROW,
          values: {
            requests: botRequests,
            share_pct: percentOf(botRequests, total),
            peak_per_minute: 0,
            bot: "summary",
            rank: 0,
          },
        });
        return rows;
      },
    });
  },
};

export default botReport;
