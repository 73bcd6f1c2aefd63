/**
 * `click_through`: clicks per button divided by views of its page, in percent, per window.
 *
 * @module
 */
import {
  addCount,
  type AggregationPlugin,
  type Counts,
  excludeBots,
  finishFromSummary,
  isBot,
  keyedAggregation,
  type KeyedSummary,
  type KeyedValues,
  type LogRecord,
  pageOf,
  percentOf,
  type RunningTop,
  runningTop,
  runningTopOffer,
  withoutQuery,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  click_events: z.array(z.string().min(1).max(256)).min(1).default(["button_clicked", "click"])
    .describe("Event types that are a click of their button_id.")
    .meta({ examples: [["button_clicked"]] }),
  view_events: z.array(z.string().min(1).max(256)).min(1)
    .default(["page_visited", "page_view", "view"])
    .describe("Event types that are a view of their page (web-server requests always are).")
    .meta({ examples: [["page_visited"]] }),
  n: z.number().int().min(1).max(1000).default(20)
    .describe("How many buttons to report (those with the most clicks).")
    .meta({ examples: [20] }),
  exclude_bots: excludeBots(true),
});

/** Validated `click_through` options. */
export type ClickThroughOptions = z.output<typeof options>;

/** One page in a window: its views, and clicks per button on it. */
export interface PageClicks {
  /** Views of the page. */
  views: number;
  /** Clicks by button id. */
  clicks: Counts;
}

/** Views and clicks by page. */
export type ClickThroughState = KeyedValues<PageClicks>;

/** A ranked button's row, derived when its page last changed. */
export interface ButtonRow {
  /** The page. */
  page: string;
  /** The button id. */
  button: string;
  /** Row values: clicks, page views, click-through rate. */
  values: { clicks: number; page_views: number; ctr_pct: number };
}

/** The `click_through` aggregation plugin. */
const clickThrough: AggregationPlugin<ClickThroughOptions, ClickThroughState> = {
  kind: "aggregation",
  name: "click_through",
  summary: "Clicks per button divided by views of its page, in percent, per window.",
  description: "Counts views per page (page_path, else request_uri, without query) and " +
    "clicks per button (button_id of click events) on the page the click happened on. One " +
    "row per page and button, for the N buttons with the most clicks: clicks, page_views " +
    "and ctr_pct = clicks / page views x 100 (two decimals; 0 when the page had no view in " +
    "the window, since the view then fell in an earlier window).",
  options,
  example: { click_events: ["button_clicked"], n: 20 },
  chart: "bar",
  create(settings) {
    const clickEvents = new Set(settings.click_events);
    const viewEvents = new Set(settings.view_events);
    const isClick = (record: LogRecord) =>
      record.event_type !== undefined && clickEvents.has(record.event_type) &&
      record.button_id !== undefined;
    const isView = (record: LogRecord) =>
      record.event_type === undefined
        ? record.request_uri !== undefined
        : viewEvents.has(record.event_type);
    const keyOf = (record: LogRecord): string | undefined => {
      if (!isClick(record) && !isView(record)) return undefined;
      if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
      const page = pageOf(record);
      return page === undefined ? undefined : withoutQuery(page);
    };
    // The buttons with the most clicks, ties by page then button: clicks only grow, so a
    // running top of the buttons of the pages changed ranks exactly (a changed page offers
    // every button of it again, so a kept row's page views are current).
    const summary: KeyedSummary<PageClicks, RunningTop<ButtonRow>> = {
      start: () => runningTop(settings.n),
      update(top, page, { views, clicks }) {
        for (const [button, count] of Object.entries(clicks)) {
          runningTopOffer(top, `${page}\u0000${button}`, count, () => ({
            page,
            button,
            values: { clicks: count, page_views: views, ctr_pct: percentOf(count, views) },
          }));
        }
        return top;
      },
      finish: (top) =>
        top.entries.map(({ row }) => ({ key: [row.page, row.button], values: { ...row.values } })),
    };
    return keyedAggregation<PageClicks, RunningTop<ButtonRow>>({
      shape: {
        key: [{ name: "page", type: "text" }, { name: "button_id", type: "text" }],
        values: [
          { name: "clicks", type: "bigint" },
          { name: "page_views", type: "bigint" },
          { name: "ctr_pct", type: "double" },
        ],
      },
      keyOf,
      start: () => ({ views: 0, clicks: {} }),
      add(page, record) {
        if (isClick(record)) addCount(page.clicks, record.button_id!);
        else page.views++;
        return page;
      },
      merge(into, other) {
        into.views += other.views;
        for (const [button, clicks] of Object.entries(other.clicks)) {
          addCount(into.clicks, button, clicks);
        }
        return into;
      },
      finish: finishFromSummary(summary),
      summary,
    });
  },
};

export default clickThrough;
