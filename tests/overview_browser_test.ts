// The overview page in headless Chromium over a seeded stream: its headline equals the range
// API's merge, which equals what this test counts from its own records; the comparison and the
// series match; a preset changes the URL and the figures; visitors now follow new events.
import assert from "assert";
import type { Page } from "playwright-core";
import type { LogRecord } from "../lib/records.ts";
import { isBot } from "../lib/sdk/bot.ts";
import type { TrafficEvent } from "../lib/traffic/simulate.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import {
  createTestPipeline,
  dropTestPipeline,
  expectedFrom,
  produceEvents,
  testStream,
  topN,
  waitForCommitted,
} from "./_pipeline_support.ts";
import { startServedRunner } from "./_http_support.ts";
import { launchTestBrowser } from "./_browser.ts";

const RESULTS_DIR = `${REPO_ROOT}/.test-results`;
/** The server's clock: noon on the second day of the stream (2026-11-20 and 21). */
const NOW = Date.parse("2026-11-21T12:00:00Z");
const GAP_MS = 30 * 60_000;
const STATIC = /\.(css|js|png|jpe?g|gif|svg|ico|woff2?|map|webp)$/i;

const GRAPH = `aggregations:
  - { name: top_pages_daily, plugin: top_pages, source: rawlog, window: 1d, sinks: [pages_daily],
      options: { n: 10, strip_query: false, exclude_static: false, summary_keys: 5000 } }
  - { name: top_pages_hourly, plugin: top_pages, source: rawlog, window: 1h, sinks: [pages_hourly],
      options: { n: 5, strip_query: false, exclude_static: false } }
  - { name: status_daily, plugin: status_counts, source: rawlog, window: 1d, sinks: [status] }
  - { name: visitors_hourly, plugin: unique_visitors, source: rawlog, window: 1h, sinks: [visitors] }
  - { name: sessions_daily, plugin: sessions, source: rawlog, window: 1d, sinks: [sessions] }
  - { name: devices_daily, plugin: breakdown, source: rawlog, window: 1d, sinks: [devices],
      options: { dimension: device } }
  - { name: latency_hourly, plugin: latency, source: rawlog, window: 1h, sinks: [latency] }
sinks:
  - { name: pages_daily, plugin: cassandra, options: { table: pages_daily } }
  - { name: pages_hourly, plugin: cassandra, options: { table: pages_hourly } }
  - { name: status, plugin: cassandra, options: { table: status } }
  - { name: visitors, plugin: cassandra, options: { table: visitors } }
  - { name: sessions, plugin: cassandra, options: { table: sessions } }
  - { name: devices, plugin: cassandra, options: { table: devices } }
  - { name: latency, plugin: cassandra, options: { table: latency } }
`;

/** The independent count of a set of days: page views, visitors, sessions, bounces, duration. */
function countDays(records: LogRecord[], days: ReadonlySet<string>) {
  const inRange = records.filter((r) => days.has(new Date(r.timestamp).toISOString().slice(0, 10)));
  const visitors = new Set(inRange.map((r) => `${r.remote_addr} ${r.http_user_agent}`)).size;
  // Sessions: per day window, per client, cut where the silence exceeds 30 minutes.
  const byVisit = new Map<string, LogRecord[]>();
  for (const record of inRange) {
    const key = `${
      new Date(record.timestamp).toISOString().slice(0, 10)
    } ${record.remote_addr} ${record.http_user_agent}`;
    byVisit.set(key, [...(byVisit.get(key) ?? []), record]);
  }
  let sessions = 0;
  let bounces = 0;
  let durationMs = 0;
  for (const visit of byVisit.values()) {
    visit.sort((a, b) => a.timestamp - b.timestamp);
    let first = visit[0]!.timestamp;
    let last = first;
    let pages = 0;
    const close = () => {
      sessions++;
      durationMs += last - first;
      if (pages <= 1) bounces++;
    };
    for (const record of visit) {
      if (record.timestamp - last > GAP_MS) {
        close();
        first = record.timestamp;
        pages = 0;
      }
      last = record.timestamp;
      if (!STATIC.test(record.request_uri!.split(/[?#]/)[0]!)) pages++;
    }
    close();
  }
  return {
    pageviews: inRange.length,
    visitors,
    sessions,
    bounce_rate: Math.round((bounces / sessions) * 10_000) / 10_000,
    visit_duration_s: Math.round((durationMs / sessions / 1000) * 1000) / 1000,
  };
}

async function getJson(url: string) {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return await response.json();
}

/** The headline as the page shows it: metric -> [value, previous, change]. */
function headline(page: Page) {
  return page.$$eval("#headline [data-metric]", (tiles) =>
    Object.fromEntries(tiles.map((tile) => [
      tile.getAttribute("data-metric"),
      [
        Number(tile.getAttribute("data-value")),
        tile.getAttribute("data-previous") === ""
          ? null
          : Number(tile.getAttribute("data-previous")),
        tile.querySelector("[data-change]")!.getAttribute("data-change"),
      ],
    ])));
}

/** The width of the page's content, px (above the viewport's when it scrolls sideways). */
function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() =>
    (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
      .document.documentElement.scrollWidth
  );
}

/** Waits until the page fits 390 px (charts resize a frame after the viewport does). */
async function fitsPhone(page: Page): Promise<void> {
  const deadline = Date.now() + 10_000;
  let width = await pageWidth(page);
  while (width > 390 && Date.now() < deadline) {
    await page.waitForTimeout(100);
    width = await pageWidth(page);
  }
  assert.ok(width <= 390, `no sideways scrolling at phone width: ${width} px wide`);
}

function visit(seq: number, address: string): TrafficEvent {
  const record: LogRecord = {
    timestamp: NOW - 60_000,
    request_uri: "/now",
    status: 200,
    body_bytes_sent: 10,
    request_time: 0.01,
    http_referrer: "-",
    http_user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
    remote_addr: address,
    method: "GET",
  };
  const text = JSON.stringify({ ...record, timestamp: new Date(record.timestamp).toISOString() });
  return { seq, key: `now-${seq}`, value: new TextEncoder().encode(text), record };
}

Deno.test("overview in a real browser: headline = range API = own count; comparison, series, presets, visitors now", async () => {
  const test = await createTestPipeline({ graph: GRAPH });
  const events = testStream(4_000, 3030, 300);
  const expected = expectedFrom(events);
  await produceEvents(test.kafka, test.topic, events);
  const runner = await startServedRunner(test, () => NOW);
  const browser = await launchTestBrowser();
  try {
    await waitForCommitted(test, events.length);
    const base = runner.url;
    const today = countDays(expected.records, new Set(["2026-11-21"]));
    const yesterday = countDays(expected.records, new Set(["2026-11-20"]));
    const both = countDays(expected.records, new Set(["2026-11-20", "2026-11-21"]));

    // The API's merge equals this test's count (visitors within the sketch's stated error).
    const api = async (
      name: string,
      from: string,
      to: string,
    ) => (await getJson(`${base}/api/results/${name}?from=${from}&to=${to}&compare=previous`));
    const pages = await api("top_pages_daily", "2026-11-20", "2026-11-21");
    assert.equal(pages.range.totals.pageviews, both.pageviews);
    assert.equal(pages.range.exact, true);
    const pageCounts = new Map<string, number>();
    for (const day of ["2026-11-20", "2026-11-21"]) {
      for (const [page, n] of expected.pagesByDay.get(day)!) {
        pageCounts.set(page, (pageCounts.get(page) ?? 0) + n);
      }
    }
    assert.deepEqual(
      pages.range.rows.map((row: { key: string; values: { visits: number } }) => [
        row.key,
        row.values.visits,
      ]),
      topN(pageCounts, 10),
      "two days' top 10 re-ranked from the days' summaries",
    );
    const visitors = await api("visitors_hourly", "2026-11-20", "2026-11-21");
    const error = Math.abs(visitors.range.totals.visitors - both.visitors) / both.visitors;
    assert.ok(
      error <= 3 * visitors.range.relativeError,
      `${visitors.range.totals.visitors} vs ${both.visitors}`,
    );
    const sessions = await api("sessions_daily", "2026-11-20", "2026-11-21");
    assert.equal(sessions.range.totals.sessions, both.sessions);
    assert.equal(sessions.range.totals.bounce_rate, both.bounce_rate);
    assert.equal(sessions.range.totals.visit_duration_s, both.visit_duration_s);
    // The previous period of equal length: 2026-11-20 for 2026-11-21.
    const day = await api("top_pages_daily", "2026-11-21", "2026-11-21");
    assert.equal(day.previous.from, "2026-11-20");
    assert.equal(day.range.totals.pageviews, today.pageviews);
    assert.equal(day.previous.range.totals.pageviews, yesterday.pageviews);
    // The series: one point per hour, each the hour's records.
    const series = await getJson(
      `${base}/api/series/top_pages_hourly?from=2026-11-21&to=2026-11-21`,
    );
    assert.equal(series.step, "1h");
    assert.equal(series.points.length, 24);
    for (const point of series.points) {
      const hour = expected.pagesByHour.get(point.period);
      const count = hour === undefined ? 0 : [...hour.values()].reduce((a, b) => a + b, 0);
      assert.equal(point.totals.pageviews ?? 0, count, point.period);
    }
    const csv =
      await (await fetch(`${base}/api/series/top_pages_hourly?from=2026-11-21&format=csv`)).text();
    assert.equal(csv.split("\r\n")[0], "range,period,pageviews,records,exact");

    // The page, today (the server's clock): headline = API, with the change against yesterday.
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));
    await Deno.mkdir(RESULTS_DIR, { recursive: true });
    // With UPDATE_DASHBOARD_PNG=1 the pictures of docs/ (README's is dashboard.png).
    const docs = Deno.env.get("UPDATE_DASHBOARD_PNG") === "1";
    const shot = async (name: string) => {
      await page.screenshot({ path: `${RESULTS_DIR}/${name}.png`, fullPage: true });
      if (docs) await page.screenshot({ path: `${REPO_ROOT}/docs/${name}.png`, fullPage: true });
    };

    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-loaded="2026-11-21..2026-11-21"]');
    let shown = await headline(page);
    assert.deepEqual(shown.pageviews!.slice(0, 2), [today.pageviews, yesterday.pageviews]);
    assert.equal(
      shown.pageviews![2],
      String(Math.round((today.pageviews - yesterday.pageviews) / yesterday.pageviews * 100)),
    );
    assert.deepEqual(shown.sessions!.slice(0, 2), [today.sessions, yesterday.sessions]);
    assert.equal(shown.bounce_rate![0], today.bounce_rate);
    assert.equal(shown.visit_duration_s![0], today.visit_duration_s);
    const visitorsToday = await api("visitors_hourly", "2026-11-21", "2026-11-21");
    assert.equal(shown.visitors![0], visitorsToday.range.totals.visitors);
    assert.ok(
      Math.abs(shown.visitors![0] - today.visitors) / today.visitors <=
        3 * visitorsToday.range.relativeError,
    );
    // The graph draws the API's series of the chosen metric.
    await page.click('[data-metric="pageviews"]');
    await page.waitForURL(/metric=pageviews/);
    await page.waitForSelector('#graph[data-metric="pageviews"]');
    await page.waitForSelector('body[data-loaded="2026-11-21..2026-11-21"]');
    assert.deepEqual(
      JSON.parse((await page.getAttribute("#graph", "data-points"))!),
      series.points.map((
        p: { period: string; totals: { pageviews?: number } },
      ) => [p.period, p.totals.pageviews ?? 0]),
    );
    // Cards: one per configured aggregation that feeds one; top pages as the API ranks them.
    assert.deepEqual(
      await page.$$eval(
        "#cards [data-card]",
        (cards) => cards.map((c) => c.getAttribute("data-card")),
      ),
      ["top_pages", "devices", "errors", "latency"],
    );
    // Latency over the day: the hours' sketches merged, each percentile as the API gives it.
    const latency = await api("latency_hourly", "2026-11-21", "2026-11-21");
    assert.deepEqual(
      await page.$$eval(
        '[data-card="latency"] li',
        (items) =>
          items.map((li) => [li.getAttribute("data-key"), Number(li.getAttribute("data-value"))]),
      ),
      Object.entries(latency.range.rows[0].values).filter(([name]) => name !== "rank"),
    );
    assert.equal(latency.range.rows[0].values.requests, today.pageviews);
    assert.deepEqual(
      await page.$$eval(
        '[data-card="top_pages"] li',
        (items) =>
          items.map((li) => [li.getAttribute("data-key"), Number(li.getAttribute("data-value"))]),
      ),
      topN(expected.pagesByDay.get("2026-11-21")!, 10),
    );
    await shot("dashboard");

    // A preset, by keyboard: the URL and the figures follow.
    await page.focus('#presets [data-period="yesterday"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(/period=yesterday/);
    await page.waitForSelector('body[data-loaded="2026-11-20..2026-11-20"]');
    shown = await headline(page);
    // The stream's late records fall on the day before it starts.
    const dayBefore = countDays(expected.records, new Set(["2026-11-19"]));
    const change = Math.round(
      (yesterday.pageviews - dayBefore.pageviews) / dayBefore.pageviews * 100,
    );
    assert.deepEqual(shown.pageviews, [yesterday.pageviews, dayBefore.pageviews, String(change)]);
    assert.equal(shown.sessions![0], yesterday.sessions);
    await page.click('#presets [data-period="7d"]');
    await page.waitForURL(/period=7d/);
    await page.waitForSelector('body[data-loaded="2026-11-15..2026-11-21"]');
    shown = await headline(page);
    const week = countDays(
      expected.records,
      new Set(Array.from({ length: 7 }, (_, i) => `2026-11-${15 + i}`)),
    );
    assert.equal(shown.pageviews![0], week.pageviews);
    assert.equal(shown.sessions![0], week.sessions);
    // A shared URL opens the same view.
    await page.goto(`${base}/?period=custom&from=2026-11-20&to=2026-11-21&metric=sessions`);
    await page.waitForSelector('body[data-loaded="2026-11-20..2026-11-21"]');
    assert.equal((await headline(page)).sessions![0], both.sessions);
    assert.equal(await page.getAttribute("#graph", "data-metric"), "sessions");

    // Visitors in the last five minutes follow new events.
    const lastFive = expected.records.filter((r) =>
      r.timestamp >= NOW - 300_000 && r.timestamp <= NOW && !isBot(r.http_user_agent ?? "-")
    );
    const before = new Set(lastFive.map((r) => `${r.remote_addr} ${r.http_user_agent}`)).size;
    await page.waitForSelector(`#now[data-visitors="${before}"]`);
    const arrivals = Array.from({ length: 7 }, (_, i) => visit(i, `192.0.2.${i + 1}`));
    await produceEvents(test.kafka, test.topic, arrivals);
    await page.waitForSelector(`#now[data-visitors="${before + arrivals.length}"]`, {
      timeout: 60_000,
    });

    // Phone width, and the pipeline page.
    await page.goto(`${base}/?period=7d`);
    await page.waitForSelector('body[data-loaded="2026-11-15..2026-11-21"]');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("overview-phone");
    await fitsPhone(page);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${base}/pipeline?from=2026-11-20&to=2026-11-21`);
    await page.waitForSelector('body[data-loaded="2026-11-20..2026-11-21"]');
    await page.waitForSelector('[data-source="rawlog"] [data-field="logged"] b:not(:empty)');
    await shot("pipeline");
    await page.setViewportSize({ width: 390, height: 844 });
    await fitsPhone(page);
    await shot("pipeline-phone");
    assert.deepEqual(problems, [], "no console errors");
  } finally {
    await browser.close();
    await runner.stop();
    await dropTestPipeline(test);
  }
});
