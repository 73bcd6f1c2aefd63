import assert from "assert";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline } from "../lib/runtime/start.ts";
import { reconcile } from "../lib/batch/reconcile.ts";
import { generateTraffic, type TrafficEvent } from "../lib/traffic/mod.ts";
import type { LogRecord } from "../lib/records.ts";
import { hyperLogLogError } from "../lib/sdk/mod.ts";
import {
  createTestPipeline,
  dropTestPipeline,
  killMidStream,
  produceEvents,
  runnerLog,
  runRealtimeUntilCommitted,
  spawnRunner,
  type TestPipeline,
  waitForCommitted,
} from "./_pipeline_support.ts";
import {
  byWindow,
  countBy,
  funnelReached,
  HOUR,
  percent,
  readTable,
  sessionFigures,
  top,
  visitor,
} from "./_analytics_expected.ts";

const START = Date.parse("2026-11-20T09:00:00Z");
const STEPS = ["view", "add_to_cart", "checkout", "purchase"];

const GRAPH = `aggregations:
  - { name: product_views_5m, plugin: product_views, source: rawlog, window: 5m, sinks: [product_views_5m], options: { n: 5 } }
  - { name: ratios_hourly, plugin: action_ratios, source: rawlog, window: 1h, sinks: [ratios_hourly] }
  - { name: funnel_hourly, plugin: funnel, source: rawlog, window: 1h, sinks: [funnel_hourly] }
  - { name: sessions_hourly, plugin: sessions, source: rawlog, window: 1h, sinks: [sessions_hourly] }
  - { name: visitors_hourly, plugin: unique_visitors, source: rawlog, window: 1h, sinks: [visitors_hourly] }
  - { name: countries_daily, plugin: breakdown, source: rawlog, window: 1d, sinks: [countries_daily], options: { dimension: country, n: 10 } }
sinks:
  - { name: product_views_5m, plugin: cassandra, options: { table: product_views_5m } }
  - { name: ratios_hourly, plugin: cassandra, options: { table: ratios_hourly } }
  - { name: funnel_hourly, plugin: cassandra, options: { table: funnel_hourly } }
  - { name: sessions_hourly, plugin: cassandra, options: { table: sessions_hourly } }
  - { name: visitors_hourly, plugin: cassandra, options: { table: visitors_hourly } }
  - { name: countries_daily, plugin: cassandra, options: { table: countries_daily } }
`;

function shopStream(count: number, seed: number): { events: TrafficEvent[]; records: LogRecord[] } {
  const events = [...generateTraffic({
    mode: "ecommerce",
    seed,
    count,
    start: START,
    spanMs: 3 * HOUR,
    malformedShare: 0.01,
    lateShare: 0.02,
    combinedShare: 0,
  })];
  const records = events.flatMap((event) => event.record === undefined ? [] : [event.record]);
  return { events, records };
}

function datesOf(records: LogRecord[]): string[] {
  return [...new Set(records.map((r) => new Date(r.timestamp).toISOString().slice(0, 10)))];
}

const values = (row: Record<string, unknown>, names: string[]) => names.map((name) => row[name]);

/** Sessions and visitors tables against the test's counts; returns the worst HLL error seen. */
async function assertSessionsAndVisitors(test: TestPipeline, records: LogRecord[]) {
  const dates = datesOf(records);
  const hours = byWindow(records, HOUR);
  const sessions = await readTable(test, "sessions_hourly", dates, true);
  const visitors = await readTable(test, "visitors_hourly", dates, true);
  const names = ["sessions", "bounces", "bounce_rate", "avg_duration_s", "pages_per_session"];
  let worst = 0;
  for (const [start, list] of hours) {
    const expected = sessionFigures(list);
    const stored = sessions.get(start) ?? [];
    assert.deepEqual(
      stored.map((row) => values(row, ["sessions_of", ...names])),
      [["all", ...names.map((name) => expected[name as keyof typeof expected])]],
      `sessions of ${new Date(start).toISOString()}`,
    );
    const exact = new Set(list.map(visitor).filter((v) => v !== undefined)).size;
    const rows = visitors.get(start) ?? [];
    assert.equal(rows.length, 1);
    const estimate = Number(rows[0]!.visitors);
    const error = Math.abs(estimate / exact - 1);
    worst = Math.max(worst, error);
    assert.ok(error <= 3 * hyperLogLogError(14), `visitors ${estimate} vs exact ${exact}`);
  }
  assert.equal(sessions.size, hours.size);
  return worst;
}

async function assertShopTables(test: TestPipeline, records: LogRecord[]): Promise<void> {
  const dates = datesOf(records);
  // product_views: the 5 most viewed products of each 5-minute window.
  const stored5m = await readTable(test, "product_views_5m", dates);
  let windowsWithViews = 0;
  for (const [start, list] of byWindow(records, 5 * 60_000)) {
    const views = countBy(list, (r) => r.event_type === "view" ? r.product_id : undefined);
    if (views.size === 0) continue;
    windowsWithViews++;
    const stored = (stored5m.get(start) ?? [])
      .sort((a, b) => Number(a.rank) - Number(b.rank))
      .map((row) => [row.product_id, row.views]);
    assert.deepEqual(stored, top(views, 5), `product views of ${new Date(start).toISOString()}`);
  }
  assert.equal(stored5m.size, windowsWithViews);

  const ratios = await readTable(test, "ratios_hourly", dates, true);
  const funnels = await readTable(test, "funnel_hourly", dates, true);
  for (const [start, list] of byWindow(records, HOUR)) {
    const counts = countBy(
      list,
      (r) => STEPS.includes(r.event_type ?? "") ? r.event_type : undefined,
    );
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    if (total > 0) {
      const stored = new Map((ratios.get(start) ?? []).map((row) => [row.action, row]));
      for (const action of STEPS) {
        const count = counts.get(action) ?? 0;
        assert.deepEqual(
          values(stored.get(action)!, ["count", "share_pct", "per_100_first"]),
          [count, percent(count, total), percent(count, counts.get("view") ?? 0)],
          `${action} at ${new Date(start).toISOString()}`,
        );
      }
      const reached = funnelReached(list, STEPS);
      const rows = (funnels.get(start) ?? []).sort((a, b) =>
        Number(a.position) - Number(b.position)
      );
      assert.deepEqual(
        rows.map((row) => values(row, ["step", "sessions", "from_first_pct"])),
        STEPS.map((step, i) => [step, reached[i], percent(reached[i]!, reached[0]!)]),
        `funnel at ${new Date(start).toISOString()}`,
      );
    }
  }

  const countries = await readTable(test, "countries_daily", dates);
  for (const [start, list] of byWindow(records, 24 * HOUR)) {
    const counts = countBy(list, (r) => r.country);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const stored = (countries.get(start) ?? [])
      .sort((a, b) => Number(a.rank) - Number(b.rank))
      .map((row) => values(row, ["value", "count", "share_pct"]));
    assert.deepEqual(
      stored,
      top(counts, 10).map(([country, count]) => [country, count, percent(count, total)]),
    );
  }
}

async function assertReconciled(test: TestPipeline, records: LogRecord[]): Promise<void> {
  const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
  try {
    const dates = datesOf(records).sort();
    const range = { from: dates[0]!, to: dates[dates.length - 1]! };
    const checked = await reconcile(resources, resources.pipeline.aggregations, range);
    assert.deepEqual(checked.differences, []);
    assert.equal(checked.rowsRead, records.length);
  } finally {
    await resources.close();
  }
}

Deno.test(
  "analytics plugins over a seeded shop stream equal the test's counts; batch equals real time",
  async () => {
    const test = await createTestPipeline({ graph: GRAPH });
    try {
      const { events, records } = shopStream(8_000, 2026);
      await produceEvents(test.kafka, test.topic, events);
      const stats = await runRealtimeUntilCommitted(test, events.length);
      assert.equal(stats.accepted, records.length);
      await assertShopTables(test, records);
      const worst = await assertSessionsAndVisitors(test, records);
      console.log(`unique_visitors: worst relative error over the hours ${worst.toFixed(4)}`);
      await assertReconciled(test, records);
    } finally {
      await dropTestPipeline(test);
    }
  },
);

Deno.test("sessions and unique_visitors: SIGKILL mid-stream, restart: still exact", async () => {
  const test = await createTestPipeline({ graph: GRAPH, flushIntervalMs: 200 });
  try {
    const { events, records } = shopStream(12_000, 77);
    await killMidStream(test, events, { head: 4_000, killAfter: 6_000 });

    const second = spawnRunner(test, "second");
    try {
      await waitForCommitted(test, events.length);
    } finally {
      second.kill("SIGTERM");
    }
    assert.equal((await second.status).code, 0, await runnerLog(test, "second"));
    await assertSessionsAndVisitors(test, records);
    await assertShopTables(test, records);
    await assertReconciled(test, records);
  } finally {
    await dropTestPipeline(test);
  }
});
