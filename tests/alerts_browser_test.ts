/**
 * The dashboard's alerts strip in headless Chromium: a firing alert and a failing notifier are
 * shown, text from rules and receivers stays text, and nothing shows while nothing fires.
 * The server is the runner's own handler with alerts given directly: no Kafka or Cassandra.
 */
import assert from "assert";
import { loadPipelineText } from "../lib/config/load.ts";
import type { AlertView } from "../lib/alerts/engine.ts";
import type { NotifierHealth } from "../lib/alerts/dispatch.ts";
import { createHttpApp } from "../lib/http/app.ts";
import { createLiveFeed } from "../lib/http/live.ts";
import { createMetrics } from "../lib/http/metrics.ts";
import { loadDashboardFiles } from "../lib/http/static_files.ts";
import { launchTestBrowser } from "./_browser.ts";

const YAML = `
sources:
  - name: rawlog
    plugin: kafka
aggregations:
  - name: status_daily
    plugin: status_counts
    source: rawlog
`;

Deno.test("dashboard: firing alerts and failing notifiers, as text", async () => {
  let alerts: AlertView[] = [{
    rule: "checkout_errors",
    series: "/checkout<img src=x onerror=alert(1)>",
    status: "firing",
    severity: "critical",
    labels: {},
    value: 12.5,
    text: "error_pct of /checkout<img src=x onerror=alert(1)> in errors_1m is 12.5 (above 5)",
    firedAt: Date.UTC(2026, 11, 7, 10, 1, 2),
  }];
  let notifiers: NotifierHealth[] = [{
    name: "hook",
    delivered: 0,
    failures: 3,
    pending: 1,
    failing: { since: 0, lastError: "<b>503</b>" },
  }];
  const feed = createLiveFeed();
  const handler = createHttpApp({
    pipeline: await loadPipelineText(YAML, "pipeline.yaml", {}),
    sinks: new Map(),
    feed,
    metrics: createMetrics(),
    checks: [],
    sourceRoutes: [],
    dashboard: await loadDashboardFiles(),
    log: () => {},
    alerts: { alerts: () => alerts, notifiers: () => notifiers },
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request, info) => handler(request, info.remoteAddr.hostname),
  );
  const browser = await launchTestBrowser();
  try {
    const page = browser.context.pages()[0] ?? await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${server.addr.port}/`);
    await page.waitForSelector("body[data-alerts='1']");
    const strip = page.locator("#alerts");
    assert.equal(await strip.isVisible(), true);
    const text = await strip.innerText();
    assert.match(
      text,
      /FIRING checkout_errors \(critical\) error_pct of \/checkout<img src=x onerror=alert\(1\)> in errors_1m is 12\.5 \(above 5\)/,
    );
    assert.match(text, /since 10:01:02 UTC/);
    assert.match(text, /notifier hook failing \(3 attempts, 1 waiting\): <b>503<\/b>/);
    assert.equal(await page.locator("#alerts img, #alerts b >> text=503").count(), 0);
    assert.deepEqual(errors, []);

    // Resolved and delivered: the strip goes away at the next read.
    alerts = [{ ...alerts[0]!, status: "resolved", resolvedAt: Date.now() }];
    notifiers = [{ ...notifiers[0]!, failing: undefined, pending: 0, delivered: 1 }];
    await page.waitForSelector("body[data-alerts='0']", { timeout: 15_000 });
    assert.equal(await strip.isVisible(), false);
  } finally {
    await browser.close();
    feed.close();
    await server.shutdown();
  }
});
