import assert from "assert";
import { chromium } from "playwright-core";
import type { LogRecord } from "../lib/records.ts";
import type { TrafficEvent } from "../lib/traffic/simulate.ts";
import { CHROMIUM_ARGS, chromiumPath } from "../lib/services/browser.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import {
  createTestPipeline,
  DAILY_N,
  dropTestPipeline,
  expectedFrom,
  HOURLY_N,
  produceEvents,
  testStream,
  topN,
  waitForCommitted,
} from "./_pipeline_support.ts";
import { startServedRunner } from "./_http_support.ts";

const RESULTS_DIR = `${REPO_ROOT}/.test-results`;
const DAY = "2026-11-20";
const XSS_PAGE = "/<script>alert(1)</script>";

function jsonEvent(seq: number, record: LogRecord): TrafficEvent {
  const text = JSON.stringify({ ...record, timestamp: new Date(record.timestamp).toISOString() });
  return { seq, key: `extra-${seq}`, value: new TextEncoder().encode(text), record };
}

function visit(seq: number, page: string, at: string): TrafficEvent {
  return jsonEvent(seq, {
    timestamp: Date.parse(at),
    request_uri: page,
    status: 200,
    body_bytes_sent: 512,
    request_time: 0.02,
    http_referrer: 'https://example.com/"><img src=x onerror=alert(2)>',
    http_user_agent: "<b>agent</b>",
    remote_addr: "10.1.2.3",
    method: "GET",
  });
}

/**
 * Adds two aggregations whose plugins suggest the other chart types, each a one-file plugin
 * beside the pipeline built on `status_counts`: the shares of the status classes per day as a
 * donut, and the status codes per hour as stacked areas (classes and codes apart, so neither
 * counts a response twice).
 */
async function addChartPlugins(file: string): Promise<void> {
  const dir = file.replace(/\/pipeline\.yaml$/, "");
  const base = `${REPO_ROOT}/plugins/aggregations/status_counts.ts`;
  for (
    const [name, chart, classes] of [["status_share", "donut", true], [
      "status_area",
      "area",
      false,
    ]]
  ) {
    await Deno.writeTextFile(
      `${dir}/${name}.ts`,
      `import statusCounts from "${base}";
export default {
  ...statusCounts,
  name: "${name}",
  chart: "${chart}",
  create(options) {
    const counts = statusCounts.create(options);
    const keep = (rows) => rows.filter((row) => row.key.endsWith("xx") === ${classes});
    // Every form: batch finishes the whole state, real time the keyed form's summary.
    const summary = counts.keyed.summary;
    return {
      ...counts,
      finish: (state) => keep(counts.finish(state)),
      keyed: {
        ...counts.keyed,
        finish: (values) => keep(counts.keyed.finish(values)),
        summary: { ...summary, finish: (window) => keep(summary.finish(window)) },
      },
    };
  },
};
`,
    );
  }
  await Deno.writeTextFile(
    file,
    (await Deno.readTextFile(file)).replace(
      "\nsinks:\n",
      "\n  - { name: status_share, plugin: ./status_share.ts, source: rawlog, sinks: [share] }\n" +
        "  - name: status_area\n    plugin: ./status_area.ts\n    source: rawlog\n" +
        "    sinks: [area]\n    window: 1h\n" +
        "sinks:\n  - { name: share, plugin: cassandra, options: { table: status_share } }\n" +
        "  - { name: area, plugin: cassandra, options: { table: status_area } }\n",
    ),
  );
}

Deno.test("pipeline page in a real browser: Cassandra's numbers, live updates, escaped text, no console errors", async () => {
  const test = await createTestPipeline();
  await addChartPlugins(test.file);
  // A seeded stream plus an attacker's page, visited often enough to lead the day.
  const events = [
    ...testStream(4_000, 4242),
    ...Array.from(
      { length: 300 },
      (_, i) => visit(i, XSS_PAGE, `${DAY}T12:00:${String(i % 60).padStart(2, "0")}Z`),
    ),
  ];
  const expected = expectedFrom(events);
  await produceEvents(test.kafka, test.topic, events);
  const runner = await startServedRunner(test);
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1400, height: 1000 },
  });
  try {
    await waitForCommitted(test, events.length);
    const page = browser.pages()[0] ?? await browser.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });

    await page.goto(`${runner.url}/pipeline?from=${DAY}&to=${DAY}`);
    await page.waitForSelector(`body[data-loaded="${DAY}..${DAY}"]`);
    await page.waitForSelector('body[data-live="connected"]');
    await page.waitForSelector('[data-source="rawlog"] [data-field="logged"] b:not(:empty)');

    /** The table of a view: [key as shown, value column as shown]. */
    const table = (aggregation: string, column: string) =>
      page.$$eval(
        `section[data-aggregation="${aggregation}"] tbody tr`,
        (rows, name) =>
          rows.map((row): [string, number] => [
            row.querySelector("td")!.textContent ?? "",
            Number(row.querySelector(`td[data-column="${name}"]`)!.getAttribute("data-value")),
          ]),
        column,
      );

    const dayCounts = expected.pagesByDay.get(DAY)!;
    assert.equal(topN(dayCounts, 1)[0]![0], XSS_PAGE, "the attacker's page leads the day");
    assert.deepEqual(await table("top_pages_daily", "visits"), topN(dayCounts, DAILY_N));
    assert.equal(
      await page.getAttribute('section[data-aggregation="top_pages_daily"]', "data-records"),
      String([...dayCounts.values()].reduce((a, b) => a + b, 0)),
    );
    assert.deepEqual(
      new Map(await table("status_daily", "count")),
      expected.statusByDay.get(DAY),
    );
    // Each view draws the chart its plugin suggests.
    const chartType = (aggregation: string) =>
      page.$eval(
        `section[data-aggregation="${aggregation}"] canvas`,
        (canvas) => {
          const chart = (globalThis as unknown as {
            Chart: {
              getChart(canvas: unknown): {
                config: { type: string; data: { datasets: Array<{ fill: unknown }> } };
              };
            };
          }).Chart.getChart(canvas);
          return `${chart.config.type}${chart.config.data.datasets[0]?.fill ? " filled" : ""}`;
        },
      );
    assert.equal(await chartType("top_pages_daily"), "bar");
    assert.equal(await chartType("status_share"), "doughnut");
    assert.equal(await chartType("status_area"), "line filled", "stacked areas over the hours");
    assert.deepEqual(
      new Map(await table("status_share", "count")),
      new Map([...expected.statusByDay.get(DAY)!].filter(([status]) => status.endsWith("xx"))),
    );
    const hour = await page.getAttribute(
      'section[data-aggregation="top_pages_hourly"]',
      "data-window",
    );
    const lastHour = [...expected.pagesByHour.keys()].filter((key) => key.startsWith(DAY)).sort()
      .at(-1);
    assert.equal(hour, lastHour, "an hourly view shows the latest hour of the range");
    assert.deepEqual(
      await table("top_pages_hourly", "visits"),
      topN(expected.pagesByHour.get(lastHour!)!, HOURLY_N),
    );

    // The attacker's text is text: shown verbatim, no element or script made of it.
    const shown = await page.textContent(
      `section[data-aggregation="top_pages_daily"] tbody tr:first-child td`,
    );
    assert.equal(shown, XSS_PAGE);
    assert.equal(await page.locator("script").count(), 2, "only the page's own two scripts");
    assert.equal(await page.locator("main img, main script").count(), 0);

    await Deno.mkdir(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: `${RESULTS_DIR}/dashboard.png`, fullPage: true });
    for (
      const aggregation of [
        "top_pages_daily",
        "top_pages_hourly",
        "status_daily",
        "status_share",
        "status_area",
      ]
    ) {
      await page.locator(`section[data-aggregation="${aggregation}"]`).screenshot({
        path: `${RESULTS_DIR}/dashboard-${aggregation}.png`,
      });
    }

    // A new result shows without a reload.
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    const before = Number(
      await page.getAttribute('section[data-aggregation="top_pages_daily"]', "data-records"),
    );
    const more = Array.from(
      { length: 5 },
      (_, i) => visit(1000 + i, "/live", `${DAY}T13:00:0${i}Z`),
    );
    await produceEvents(test.kafka, test.topic, more);
    await page.waitForSelector(
      `section[data-aggregation="top_pages_daily"][data-records="${before + more.length}"]`,
    );
    assert.equal(await page.evaluate(() => "notReloaded" in globalThis), true, "no reload");
    // Two days: counts over time as lines.
    await page.goto(`${runner.url}/pipeline?from=${DAY}&to=2026-11-21`);
    await page.waitForSelector(`body[data-loaded="${DAY}..2026-11-21"]`);
    await page.waitForSelector('[data-source="rawlog"] [data-field="logged"] b:not(:empty)');
    assert.equal(
      await page.getAttribute('section[data-aggregation="top_pages_daily"]', "data-window"),
      "2026-11-21",
      "the latest window of the range is shown",
    );
    await page.screenshot({ path: `${RESULTS_DIR}/dashboard-range.png`, fullPage: true });
    assert.deepEqual(dialogs, [], "no script of the attacker ran");
    assert.deepEqual(problems, [], "no console errors");
  } finally {
    await browser.close();
    await Deno.remove(profile, { recursive: true });
    await runner.stop();
    await dropTestPipeline(test);
  }
});
