import assert from "assert";
import type { AlertNotification, Notifier, WindowResult } from "../contracts.ts";
import type { AlertRule } from "../config/alerts.ts";
import { windowCutter } from "../windows.ts";
import { windowSize } from "../window_size.ts";
import { createAlertEngine } from "./engine.ts";
import { createDispatcher } from "./dispatch.ts";
import { type AlertStore, memoryAlertStore } from "./store.ts";

const cutter = windowCutter("UTC");
const oneMinute = windowSize("1m");
const T0 = Date.UTC(2026, 11, 7, 10, 0);

const checkoutErrors: AlertRule = {
  name: "checkout_errors",
  subject: { kind: "result", aggregation: "errors_1m", key: "/checkout", value: "error_pct" },
  condition: { kind: "threshold", above: 5 },
  minRecords: 0,
  forMs: 120_000,
  severity: "critical",
  labels: { team: "shop" },
  notify: ["hook"],
};

/** The result of minute `minute` after T0 with this error percentage for /checkout. */
function errors(minute: number, pct: number, records = 1000): WindowResult {
  return {
    aggregation: "errors_1m",
    window: cutter.windowOf(T0 + minute * 60_000, oneMinute),
    shape: { key: { name: "path_prefix", type: "text" }, values: [] },
    rows: [{ key: "/checkout", values: { error_pct: pct } }, {
      key: "/",
      values: { error_pct: 0 },
    }],
    records,
    computedAt: T0 + minute * 60_000,
  };
}

/** A notifier that records what it was sent, failing the first `failures` attempts. */
function recorder(failures = 0): Notifier & { sent: AlertNotification[]; attempts: number } {
  const notifier = {
    sent: [] as AlertNotification[],
    attempts: 0,
    send(notification: AlertNotification) {
      notifier.attempts++;
      if (notifier.attempts <= failures) return Promise.reject(new Error("answered 503"));
      notifier.sent.push(notification);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return notifier;
}

/** An engine on `store` with a clock the test moves. */
function engineOn(
  store: AlertStore,
  notifier: Notifier,
  rules: AlertRule[],
  clock: { now: number },
) {
  const dispatcher = createDispatcher({
    notifiers: new Map([["hook", notifier]]),
    store,
    log: () => {},
    firstRetryMs: 5,
    maxRetryMs: 20,
  });
  return createAlertEngine({
    rules,
    windows: new Map([["errors_1m", oneMinute], ["visitors_1h", windowSize("1h")]]),
    store,
    dispatcher,
    now: () => clock.now,
    log: () => {},
  });
}

async function feed(
  engine: ReturnType<typeof createAlertEngine>,
  clock: { now: number },
  minute: number,
  pct: number,
) {
  clock.now = T0 + minute * 60_000 + 30_000;
  engine.results([errors(minute, pct)]);
  await engine.settled();
}

Deno.test("an error spike fires once after for:, resolves once; a restart in the middle repeats nothing", async () => {
  const store = memoryAlertStore();
  const notifier = recorder();
  const clock = { now: T0 };
  let engine = engineOn(store, notifier, [checkoutErrors], clock);
  await engine.start();
  await feed(engine, clock, 0, 1);
  await feed(engine, clock, 1, 12); // pending
  await feed(engine, clock, 2, 15);
  assert.equal(engine.alerts()[0]?.status, "pending");
  await feed(engine, clock, 3, 14); // held for 2 min: firing
  await feed(engine, clock, 3, 16);
  await engine.close();
  assert.deepEqual(notifier.sent.map((n) => n.event), ["firing"]);
  assert.equal(
    notifier.sent[0]?.id,
    `checkout_errors//checkout/${T0 + 3 * 60_000 + 30_000}/firing`,
  );
  assert.match(
    notifier.sent[0]!.text,
    /^\[FIRING\] checkout_errors \(critical\): error_pct of \/checkout in errors_1m is 14 \(above 5\)$/,
  );

  // Restart: the firing state is read back, nothing is sent again.
  engine = engineOn(store, notifier, [checkoutErrors], clock);
  await engine.start();
  await feed(engine, clock, 4, 20);
  assert.equal(engine.alerts()[0]?.status, "firing");
  await feed(engine, clock, 5, 0.5);
  await feed(engine, clock, 6, 0.2);
  await engine.close();
  assert.deepEqual(notifier.sent.map((n) => n.event), ["firing", "resolved"]);
  assert.equal(notifier.sent[1]?.resolvedAt, T0 + 5 * 60_000 + 30_000);
});

Deno.test("a notification owed when the runner stopped is sent after the restart", async () => {
  const store = memoryAlertStore();
  const failing = recorder(Infinity);
  const clock = { now: T0 };
  let engine = engineOn(store, failing, [{ ...checkoutErrors, forMs: 0 }], clock);
  await engine.start();
  await feed(engine, clock, 0, 50);
  await waitFor(() => failing.attempts >= 3);
  const health = engine.notifiers()[0]!;
  assert.ok(health.failures >= 3 && health.pending === 1 && health.delivered === 0);
  assert.equal(health.failing?.lastError, "answered 503");
  await engine.close();

  const working = recorder();
  engine = engineOn(store, working, [{ ...checkoutErrors, forMs: 0 }], clock);
  await engine.start();
  await waitFor(() => working.sent.length === 1);
  await engine.close();
  assert.equal(working.sent[0]?.event, "firing");
  assert.equal((await store.load(["checkout_errors"])).outbox.length, 0);
});

Deno.test("a failing receiver is retried with back-off until it takes the notification", async () => {
  const store = memoryAlertStore();
  const flaky = recorder(3);
  const clock = { now: T0 };
  const engine = engineOn(store, flaky, [{ ...checkoutErrors, forMs: 0 }], clock);
  await engine.start();
  await feed(engine, clock, 0, 50);
  await waitFor(() => flaky.sent.length === 1);
  const health = engine.notifiers()[0]!;
  assert.deepEqual([health.failures, health.delivered, health.pending, health.failing], [
    3,
    1,
    0,
    undefined,
  ]);
  await engine.close();
});

Deno.test("a lag rule fires on the processors' counters and resolves when lag falls", async () => {
  const store = memoryAlertStore();
  const notifier = recorder();
  const clock = { now: T0 };
  const lagRule: AlertRule = {
    ...checkoutErrors,
    name: "lag",
    subject: { kind: "metric", metric: "lag" },
    condition: { kind: "threshold", above: 1000 },
    forMs: 10_000,
  };
  const engine = engineOn(store, notifier, [lagRule], clock);
  await engine.start();
  const tick = async (seconds: number, lag: number) => {
    clock.now = T0 + seconds * 1000;
    engine.tick(new Map([["rawlog", { lag, read: seconds, rejected: 0 }]]));
    await engine.settled();
  };
  for (let second = 0; second <= 30; second++) await tick(second, second < 5 ? 10 : 5000);
  for (let second = 31; second <= 35; second++) await tick(second, 3);
  await engine.settled();
  await waitFor(() => notifier.sent.length === 2);
  await engine.close();
  assert.deepEqual(notifier.sent.map((n) => [n.event, n.series, n.firedAt]), [
    ["firing", "rawlog", T0 + 15_000],
    ["resolved", "rawlog", T0 + 15_000],
  ]);
});

Deno.test("anomaly: quiet hours do not fire; a spike on a busy hour does", async () => {
  const store = memoryAlertStore();
  const notifier = recorder();
  const clock = { now: T0 };
  const botSurge: AlertRule = {
    ...checkoutErrors,
    name: "visitor_anomaly",
    subject: { kind: "result", aggregation: "visitors_1h", value: "visitors" },
    condition: { kind: "anomaly", windows: 6, above: 4 },
    minRecords: 500,
    forMs: 0,
  };
  const engine = engineOn(store, notifier, [botSurge], clock);
  await engine.start();
  const hour = (h: number, visitors: number, records: number): WindowResult => ({
    aggregation: "visitors_1h",
    window: cutter.windowOf(T0 + h * 3_600_000, windowSize("1h")),
    shape: { key: { name: "site", type: "text" }, values: [] },
    rows: [{ key: "all", values: { visitors } }],
    records,
    computedAt: T0 + h * 3_600_000,
  });
  // Six busy hours, then three quiet night hours whose tiny, erratic counts would score high.
  const history = [
    [100, 1000],
    [110, 1100],
    [95, 950],
    [105, 1000],
    [98, 990],
    [102, 1010],
    [3, 30],
    [40, 60],
    [1, 10],
  ];
  for (const [h, [visitors, records]] of history.entries()) {
    clock.now = T0 + (h + 1) * 3_600_000 + 10_000;
    engine.results([hour(h, visitors!, records!)]);
    engine.tick(new Map());
    await engine.settled();
  }
  assert.deepEqual(notifier.sent, []);
  // A busy hour far above the recent busy ones fires.
  clock.now = T0 + 10 * 3_600_000 + 10_000;
  engine.results([hour(9, 400, 4000)]);
  engine.tick(new Map());
  await engine.settled();
  await waitFor(() => notifier.sent.length === 1);
  await engine.close();
  assert.match(
    notifier.sent[0]!.text,
    /visitors in visitors_1h scores \d+(\.\d+)? against the median and MAD of its last 6 windows \(above 4\)/,
  );
});

Deno.test("change: visitors below half of the same hour a week before, read back once", async () => {
  const store = memoryAlertStore();
  const notifier = recorder();
  const clock = { now: T0 };
  const reads: string[] = [];
  const dispatcher = createDispatcher({
    notifiers: new Map([["hook", notifier]]),
    store,
    log: () => {},
  });
  const weekAgo = cutter.windowOf(T0 - 7 * 86_400_000, windowSize("1h"));
  const engine = createAlertEngine({
    rules: [{
      ...checkoutErrors,
      name: "traffic_drop",
      subject: { kind: "result", aggregation: "visitors_1h", value: "visitors" },
      condition: { kind: "change", against: "week_before", below: 0.5 },
      forMs: 0,
    }],
    windows: new Map([["visitors_1h", windowSize("1h")]]),
    store,
    dispatcher,
    readHistory: (aggregation, from, to) => {
      reads.push(`${aggregation} ${from}..${to}`);
      return Promise.resolve([{
        window: weekAgo.key,
        records: 900,
        rows: [{ key: "all", values: { visitors: 800 } }],
      }]);
    },
    now: () => clock.now,
    log: () => {},
  });
  await engine.start();
  clock.now = T0 + 3_600_000 + 10_000;
  engine.results([{
    aggregation: "visitors_1h",
    window: cutter.windowOf(T0, windowSize("1h")),
    shape: { key: { name: "site", type: "text" }, values: [] },
    rows: [{ key: "all", values: { visitors: 300 } }],
    records: 350,
    computedAt: clock.now,
  }]);
  engine.tick(new Map());
  engine.tick(new Map());
  await engine.settled();
  await waitFor(() => notifier.sent.length === 1);
  await engine.close();
  assert.deepEqual(reads, ["visitors_1h 2026-11-30..2026-11-30"]);
  assert.equal(notifier.sent[0]?.value, 0.375);
  assert.match(
    notifier.sent[0]!.text,
    /visitors in visitors_1h is 0.375 times its value a week before \(below 0.5\)/,
  );
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
