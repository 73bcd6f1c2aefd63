import assert from "assert";
import { loadPipelineText } from "../config/load.ts";
import type { AlertView } from "../alerts/engine.ts";
import type { NotifierHealth } from "../alerts/dispatch.ts";
import { createHttpApp } from "./app.ts";
import { createLiveFeed } from "./live.ts";
import { createMetrics } from "./metrics.ts";

const YAML = `
sources:
  - name: rawlog
    plugin: kafka
aggregations:
  - name: status_daily
    plugin: status_counts
    source: rawlog
`;

const ALERTS: AlertView[] = [{
  rule: "lag",
  series: "rawlog",
  status: "firing",
  severity: "critical",
  labels: { team: "ops" },
  value: 12000,
  text: "lag of rawlog is 12000 (above 10000)",
  activeSince: Date.UTC(2026, 11, 7, 10),
  firedAt: Date.UTC(2026, 11, 7, 10, 1),
}, {
  rule: "quiet",
  series: "rawlog",
  status: "inactive",
  severity: "info",
  labels: {},
  value: Number.NaN,
  text: "silent_s of rawlog is NaN (above 600)",
}];

const NOTIFIERS: NotifierHealth[] = [{
  name: "hook",
  delivered: 2,
  failures: 5,
  pending: 1,
  failing: { since: Date.UTC(2026, 11, 7, 10, 2), lastError: "http://r/ answered 503" },
}];

async function app() {
  const pipeline = await loadPipelineText(YAML, "pipeline.yaml", {});
  const metrics = createMetrics();
  const source = { alerts: () => ALERTS, notifiers: () => NOTIFIERS };
  metrics.knowAlerts(source);
  const handler = createHttpApp({
    pipeline,
    sinks: new Map(),
    feed: createLiveFeed(),
    metrics,
    checks: [],
    sourceRoutes: [],
    dashboard: new Map(),
    log: () => {},
    alerts: source,
  });
  return (path: string) => handler(new Request(`http://h${path}`), "127.0.0.1");
}

Deno.test("/api/alerts: every series with its state, and each notifier's health", async () => {
  const get = await app();
  const response = await get("/api/alerts");
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.evaluated, true);
  assert.deepEqual(body.alerts[0], {
    rule: "lag",
    series: "rawlog",
    status: "firing",
    severity: "critical",
    labels: { team: "ops" },
    value: 12000,
    text: "lag of rawlog is 12000 (above 10000)",
    active_since: "2026-12-07T10:00:00.000Z",
    fired_at: "2026-12-07T10:01:00.000Z",
    resolved_at: null,
  });
  assert.equal(body.alerts[1].value, null);
  assert.deepEqual(body.notifiers, [{
    name: "hook",
    delivered: 2,
    failures: 5,
    pending: 1,
    failing_since: "2026-12-07T10:02:00.000Z",
    last_error: "http://r/ answered 503",
  }]);
});

Deno.test("/metrics: an ALERTS-style gauge of pending and firing series, notifier failures", async () => {
  const get = await app();
  const text = await (await get("/metrics")).text();
  assert.match(
    text,
    /web_analytics_alerts\{alertname="lag",alertstate="firing",severity="critical",series="rawlog"\} 1/,
  );
  assert.doesNotMatch(text, /alertname="quiet"/);
  assert.match(text, /web_analytics_notifier_failures_total\{notifier="hook"\} 5/);
  assert.match(text, /web_analytics_notifications_delivered_total\{notifier="hook"\} 2/);
  assert.match(text, /web_analytics_notifier_pending\{notifier="hook"\} 1/);
});
