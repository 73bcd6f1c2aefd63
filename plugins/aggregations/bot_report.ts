/**
 * `bot_report`: the client addresses with the most requests per window, which of them look
 * like bots (by user agent or by request rate), and the bot share of traffic.
 *
 * @module
 */
import {
  type AggregationPlugin,
  finishFromSummary,
  isBot,
  keyedAggregation,
  type KeyedSummary,
  type KeyedValues,
  type LogRecord,
  type PartSums,
  partSums,
  partSumsSet,
  percentOf,
  type ResultRow,
  type RunningTop,
  runningTop,
  runningTopOffer,
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

/** What a ranked address's row needs besides its requests. */
export interface AddressRow {
  /** Its busiest clock minute's requests. */
  peak: number;
  /** Why it looks like a bot: `agent`, `rate`, `agent+rate` or `no`. */
  bot: string;
}

/**
 * What real time keeps of a window to finish it from the addresses that changed only: the
 * window's totals, each address's part (kept by address, two numbers) taken out and put back as
 * it changes, and a running top of the addresses by requests (which only grow).
 */
export interface BotReportSummary {
  /**
   * Each address's part of the totals as last updated, and the totals: requests, and requests
   * counted as bot traffic (the `*bots` row). No address counted: no rows.
   */
  parts: PartSums;
  /** The addresses with the most requests. */
  top: RunningTop<AddressRow>;
}

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
    /** An address's peak minute, its bot label, and how many of its requests are bot traffic. */
    const judge = (traffic: AddressTraffic) => {
      const peak = Math.max(0, ...Object.values(traffic.minutes));
      const byRate = peak > settings.max_per_minute;
      const bot = traffic.agent_bot > 0
        ? (byRate ? "agent+rate" : "agent")
        : (byRate ? "rate" : "no");
      return { peak, bot, botRequests: byRate ? traffic.requests : traffic.agent_bot };
    };
    const summary: KeyedSummary<AddressTraffic, BotReportSummary> = {
      start: () => ({
        parts: partSums(2),
        top: runningTop(settings.n),
      }),
      update(window, address, traffic) {
        const now = judge(traffic);
        partSumsSet(window.parts, address, [traffic.requests, now.botRequests]);
        runningTopOffer(window.top, address, traffic.requests, () => ({
          peak: now.peak,
          bot: now.bot,
        }));
        return window;
      },
      finish(window) {
        if (window.parts.slots.size === 0) return [];
        const [requests = 0, botRequests = 0] = window.parts.totals;
        const rows: ResultRow[] = window.top.entries.map((entry, index) => ({
          key: entry.key,
          values: {
            requests: entry.score,
            share_pct: percentOf(entry.score, requests),
            peak_per_minute: entry.row.peak,
            bot: entry.row.bot,
            rank: index + 1,
          },
        }));
        rows.push({
          key: BOTS_ROW,
          values: {
            requests: botRequests,
            share_pct: percentOf(botRequests, requests),
            peak_per_minute: 0,
            bot: "summary",
            rank: 0,
          },
        });
        return rows;
      },
    };
    return keyedAggregation<AddressTraffic, BotReportSummary>({
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
      finish: finishFromSummary(summary),
      summary,
    });
  },
};

export default botReport;
