/**
 * What one real-time result of a big window costs after a few keys changed: a window of
 * `unique_visitors` per page state with 200,000 distinct pages held in memory, 100 of its pages
 * changed, then one result, finished over every key (`keyed.finish`, as before summaries) and
 * from the window's summary. Then, for each other keyed aggregation with a finish beyond reading
 * a number per key (those with a summary) or a high-cardinality key (those without), what
 * `keyed.finish` over 200,000 keys costs, and with a summary what its part of a result costs
 * after 100 keys changed.
 *
 * ```sh
 * deno run --allow-env bench/finish_cost.ts
 * ```
 *
 * @module
 */
import type { Aggregation, AggregationPlugin, LogRecord } from "../lib/sdk/mod.ts";
import { addKeyedRecord, windowCutter, windowSize } from "../lib/sdk/mod.ts";
import type { WindowState } from "../lib/realtime/partition_state.ts";
import { WindowValues } from "../lib/realtime/spill.ts";
import { resultCache, windowResult } from "../lib/realtime/window_result.ts";
import uniqueVisitors from "../plugins/aggregations/unique_visitors.ts";
import topPages from "../plugins/aggregations/top_pages.ts";
import latency from "../plugins/aggregations/latency.ts";
import pageEngagement from "../plugins/aggregations/page_engagement.ts";
import botReport from "../plugins/aggregations/bot_report.ts";
import sessions from "../plugins/aggregations/sessions.ts";
import clickThrough from "../plugins/aggregations/click_through.ts";
import funnel from "../plugins/aggregations/funnel.ts";
import breakdown from "../plugins/aggregations/breakdown.ts";
import productViews from "../plugins/aggregations/product_views.ts";

const PAGES = 200_000;
const CHANGED = 100;
const ROUNDS = 3;
const AT = Date.UTC(2026, 10, 20, 12);

function build<O>(plugin: AggregationPlugin<O>, options: Record<string, unknown>): Aggregation {
  return plugin.create(plugin.options.parse(options)) as Aggregation;
}

/** Milliseconds `run` takes. */
async function timed(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The unique_visitors window of one partition: page i has 1 + i % 4 visitors. */
function visitorsPartition(aggregation: Aggregation): WindowState {
  const keyed = aggregation.keyed!;
  const values = new WindowValues();
  let records = 0;
  for (let page = 0; page < PAGES; page++) {
    let value = keyed.start();
    for (let visitor = 0; visitor <= page % 4; visitor++) {
      value = keyed.add(value, visit(page, (page * 7 + visitor) % 50_000));
      records++;
    }
    values.set(`/page/${page}`, value);
  }
  return {
    aggregation: "visitors",
    windowKey: "2026-11-20",
    closesAt: Infinity,
    records,
    values,
    changed: new Set(),
    recordsChanged: false,
    changedSinceResult: new Set(),
  };
}

function visit(page: number, visitor: number): LogRecord {
  return {
    timestamp: AT,
    request_uri: `/page/${page}`,
    remote_addr: `10.${visitor >> 16}.${(visitor >> 8) & 255}.${visitor & 255}`,
    http_user_agent: "Mozilla/5.0",
    status: 200,
  };
}

/** Times results of the window after `CHANGED` pages got a new visitor, `ROUNDS` times. */
async function measureResults(
  label: string,
  aggregation: Aggregation,
  partition: WindowState,
): Promise<void> {
  const cutter = windowCutter("UTC");
  const cache = resultCache();
  const parts = [{ id: "RAWLOG/0", window: partition }];
  const result = () =>
    windowResult(cutter, "visitors", aggregation, windowSize("1d"), "2026-11-20", parts, cache);
  const first = await timed(result);
  const times: number[] = [];
  let next = 1;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < CHANGED; i++) {
      const page = (next++ * 7_919) % PAGES;
      const key = `/page/${page}`;
      partition.values.set(
        key,
        aggregation.keyed!.add(partition.values.get(key), visit(page, 60_000 + next)),
      );
      partition.changedSinceResult.add(key);
    }
    times.push(await timed(result));
  }
  console.log(
    `${label.padEnd(42)} first result ${ms(first).padStart(10)}; after ${CHANGED} changed ` +
      `pages, median of ${ROUNDS}: ${ms(median(times)).padStart(10)} ` +
      `(${times.map((t) => t.toFixed(1)).join(", ")})`,
  );
}

/**
 * Times `keyed.finish` over the values of `PAGES` keys, each of 1 to 3 records; with a summary,
 * also the summary's part of a result after `CHANGED` keys grew by one record: their updates
 * (each lent its new value and the previous one) and the summary's finish.
 */
function measureFinish(
  label: string,
  aggregation: Aggregation,
  record: (key: number, repeat: number) => LogRecord,
) {
  const keyed = aggregation.keyed!;
  const values = new Map<string, unknown>();
  for (let i = 0; i < PAGES; i++) {
    for (let repeat = 0; repeat <= i % 3; repeat++) {
      addKeyedRecord(keyed, values, record(i, repeat));
    }
  }
  const times = [0, 1, 2].map(() => timedSync(() => keyed.finish(values)));
  let after = "no summary";
  const summary = keyed.summary;
  if (summary !== undefined) {
    let window = summary.start();
    for (const [key, value] of values) window = summary.update(window, key, value, undefined);
    let next = 1;
    const results = Array.from({ length: ROUNDS }, () => {
      // Each changed key (and the total key, when there is one) with its new and old value.
      const changed = Array.from({ length: CHANGED }, () => {
        const r = record((next++ * 7_919) % PAGES, 0);
        const key = keyed.keyOf(r)!;
        return [key, ...(keyed.totalKey === undefined ? [] : [keyed.totalKey])].map((k) => {
          const previous = values.get(k);
          const value = keyed.add(structuredClone(previous) ?? keyed.start(), r);
          values.set(k, value);
          return [k, value, previous] as const;
        });
      }).flat();
      return timedSync(() => {
        for (const [key, value, previous] of changed) {
          window = summary.update(window, key, value, previous);
        }
        summary.finish(window);
      });
    });
    after = `summary after ${CHANGED} changed keys ${ms(median(results)).padStart(8)}`;
  }
  console.log(
    `${label.padEnd(16)} ${String(values.size).padStart(7)} keys: keyed.finish ` +
      `${ms(median(times)).padStart(10)}; ${after}`,
  );
}

/** Milliseconds `run` takes. */
function timedSync(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

console.log(
  `unique_visitors per_page (n 20, precision 14), ${PAGES} pages held in memory, one result ` +
    `after ${CHANGED} changed pages:`,
);
const visitors = build(uniqueVisitors, { per_page: true, n: 20 });
const partition = visitorsPartition(visitors);
await measureResults("before: keyed.finish over every page", {
  ...visitors,
  keyed: { ...visitors.keyed!, summary: undefined },
}, partition);
if (visitors.keyed!.summary !== undefined) {
  await measureResults("after: the window's summary", visitors, partition);
}

console.log(`\nkeyed.finish over every key of a window (${PAGES} keys, 1 to 3 records each):`);
const page = (key: number) => `/section${key % 97}/page/${key}`;
/** A web request: one page and one client per key. */
const web = (key: number, repeat: number): LogRecord => ({
  timestamp: AT + repeat * 60_000,
  request_uri: page(key),
  remote_addr: `10.${(key >> 16) & 255}.${(key >> 8) & 255}.${key & 255}`,
  http_user_agent: "Mozilla/5.0",
  status: repeat === 1 ? 404 : 200,
  request_time: 0.001 * (1 + ((key + repeat * 331) % 1000)),
});
measureFinish("top_pages", build(topPages, { n: 10 }), web);
measureFinish("product_views", build(productViews, { n: 10 }), (key) => ({
  timestamp: AT,
  event_type: "view",
  product_id: `p${key}`,
}));
measureFinish("breakdown", build(breakdown, { dimension: "page_path" }), (key) => ({
  timestamp: AT,
  page_path: page(key),
}));
measureFinish("latency", build(latency, { per_page: true, n: 10 }), web);
measureFinish("page_engagement", build(pageEngagement, { n: 10 }), web);
measureFinish("bot_report", build(botReport, { n: 20 }), web);
measureFinish("sessions", build(sessions, {}), web);
measureFinish("click_through", build(clickThrough, { n: 10 }), (key, repeat) => ({
  timestamp: AT,
  event_type: repeat === 0 ? "page_visited" : "click",
  page_path: page(key),
  button_id: `b${(key + repeat) % 5}`,
}));
const steps = ["view", "add_to_cart", "purchase"];
measureFinish("funnel", build(funnel, { steps }), (key, repeat) => ({
  timestamp: AT,
  event_type: steps[repeat]!,
  user_id: `u${key}`,
}));
