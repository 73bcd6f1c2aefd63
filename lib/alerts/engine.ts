/**
 * The alert engine: evaluates every rule on the results each flush publishes and on the
 * pipeline's counters every tick, moves each series through its lifecycle, stores each change
 * in Cassandra with the notifications it owes, and hands those to the dispatcher.
 *
 * Order of a transition: the new state and its owed notifications are written in one batch;
 * notifications are sent once that write is done, or after `persistWaitMs` when Cassandra does
 * not answer (a rule on lag must still page while Cassandra is frozen; the write goes on and is
 * retried). A restart loads the states (a firing series does not fire again) and sends what the
 * outbox still owes (nothing is forgotten). The one duplicate possible, a crash between a send
 * and the record of its delivery, carries the same notification id.
 *
 * Evaluation runs on its own queue: the processor's flush never waits for it.
 *
 * @module
 */
import type { WindowResult } from "../contracts.ts";
import type { AlertRule } from "../config/alerts.ts";
import type { WindowSpec } from "../window_size.ts";
import { errorText } from "../errors.ts";
import { judge, valueOfRows } from "./judge.ts";
import { type AlertSeriesState, type Observation, stepAlert } from "./lifecycle.ts";
import { describeAlert, notificationOf } from "./notification.ts";
import type { Dispatcher, NotifierHealth } from "./dispatch.ts";
import { type MetricStats, pipelineMetrics } from "./pipeline_metrics.ts";
import type { AlertStore, StoredSeries } from "./store.ts";
import { type ReadHistory, type WindowValues, windowValues } from "./window_values.ts";
import { seriesWriter } from "./series_writer.ts";

/** One series as `/api/alerts`, the dashboard and `/metrics` show it. */
export interface AlertView {
  /** Rule name. */
  rule: string;
  /** Series (a source for metric rules, the key or `all` for result rules). */
  series: string;
  /** Lifecycle status. */
  status: AlertSeriesState["status"];
  /** Rule severity. */
  severity: string;
  /** Rule labels. */
  labels: Record<string, string>;
  /** Last value judged. */
  value: number;
  /** What it watches, in words. */
  text: string;
  /** Since when the condition has held (pending, firing), ms. */
  activeSince?: number;
  /** When it fired, ms. */
  firedAt?: number;
  /** When it resolved, ms. */
  resolvedAt?: number;
}

/** Options for {@linkcode createAlertEngine}. */
export interface AlertEngineOptions {
  /** The rules. */
  rules: readonly AlertRule[];
  /** Window size of each aggregation a rule reads. */
  windows: ReadonlyMap<string, WindowSpec>;
  /** Durable state. */
  store: AlertStore;
  /** Delivers notifications. */
  dispatcher: Dispatcher;
  /** Reads stored results back for `change` and `anomaly` rules. */
  readHistory?: ReadHistory;
  /** The clock (default Date.now). */
  now?: () => number;
  /** Operator-facing log line. */
  log: (line: string) => void;
  /** How long a transition's write may hold back its notifications, ms (default 2000). */
  persistWaitMs?: number;
  /** How long after its end a window counts as complete for `change`/`anomaly`, ms (default 5000). */
  completeAfterMs?: number;
}

/** A running alert engine. */
export interface AlertEngine {
  /** Loads stored state and resends what the outbox owes. */
  start(): Promise<void>;
  /** Evaluates result rules on the results a flush published (returns at once). */
  results(results: readonly WindowResult[]): void;
  /** Evaluates metric rules, and completed windows of comparing rules (returns at once). */
  tick(stats: ReadonlyMap<string, MetricStats>): void;
  /** Resolves once every evaluation queued so far is done. */
  settled(): Promise<void>;
  /** Every series known, firing first. */
  alerts(): AlertView[];
  /** How each notifier is doing. */
  notifiers(): NotifierHealth[];
  /** Stops; state writes in flight are awaited. */
  close(): Promise<void>;
}

/** Creates the engine; call `start()` before feeding it. */
export function createAlertEngine(options: AlertEngineOptions): AlertEngine {
  const now = options.now ?? Date.now;
  const persistWaitMs = options.persistWaitMs ?? 2000;
  const completeAfterMs = options.completeAfterMs ?? 5000;
  const { store, dispatcher, log } = options;
  const series = new Map<string, StoredSeries>();
  const writer = seriesWriter(store, dispatcher);
  const metrics = pipelineMetrics(now());
  const { rulesByAggregation, valuesByRule } = indexResultRules(options);
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(work).catch((error) =>
      log(`alerts: evaluation failed: ${errorText(error, { firstLine: true })}`)
    );
  };
  const id = (rule: string, name: string) => `${rule}\u0000${name}`;

  /** Steps one series; writes it when its status or window changed; sends what it owes. */
  async function observe(
    rule: AlertRule,
    name: string,
    observation: Observation,
    windowStart?: number,
  ): Promise<void> {
    const key = id(rule.name, name);
    const previous = series.get(key);
    const step = stepAlert(previous?.state, observation, rule.forMs, now());
    const stored: StoredSeries = { rule: rule.name, series: name, state: step.state, windowStart };
    series.set(key, stored);
    if (previous?.state.status === step.state.status && previous.windowStart === windowStart) {
      return;
    }
    const owed = step.event === undefined ? [] : rule.notify.map((notifier) => ({
      notifier,
      notification: notificationOf(rule, name, step.event!, step.state),
    }));
    if (step.event !== undefined) log(`alert ${owed[0]?.notification.text ?? rule.name}`);
    const written = writer.write(key, stored, owed);
    written.catch((error: unknown) =>
      log(
        `alerts: could not store ${rule.name} (${name}); retrying at the next tick: ` +
          errorText(error, { firstLine: true }),
      )
    );
    if (owed.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      written.catch(() => {}),
      new Promise<void>((resolve) => timer = setTimeout(resolve, persistWaitMs)),
    ]);
    clearTimeout(timer);
    dispatcher.enqueue(owed);
  }

  async function evaluateResult(rule: AlertRule, result: WindowResult): Promise<void> {
    const subject = rule.subject;
    const values = valuesByRule.get(rule.name);
    if (subject.kind !== "result" || values === undefined) return;
    const value = valueOfRows(result.rows, subject.value, subject.key) ?? 0;
    values.record(result.window, { value, records: result.records });
    const name = subject.key ?? "all";
    const judgedStart = series.get(id(rule.name, name))?.windowStart ?? -Infinity;
    if (rule.condition.kind === "threshold") {
      if (result.window.start < judgedStart || result.records < rule.minRecords) return;
      const observation = judge(rule.condition, { value, records: result.records }, 0);
      await observe(rule, name, observation, result.window.start);
      return;
    }
    // Comparing rules judge complete windows: the one before the newest.
    const complete = values.before(values.newest() ?? result.window);
    if (complete !== undefined) await judgeComplete(rule, values, complete, judgedStart);
  }

  async function judgeComplete(
    rule: AlertRule,
    values: WindowValues,
    window: WindowResult["window"],
    judgedStart: number,
  ): Promise<void> {
    const current = values.valueOf(window);
    if (current === undefined || window.start <= judgedStart) return;
    if (current.records < rule.minRecords) return;
    const reference = await values.reference(window);
    const observation = judge(rule.condition, current, rule.minRecords, reference);
    const name = rule.subject.kind === "result" ? rule.subject.key ?? "all" : "all";
    await observe(rule, name, observation, window.start);
  }

  async function evaluateTick(stats: ReadonlyMap<string, MetricStats>, at: number) {
    writer.retry();
    const values = metrics.observe(stats, at);
    for (const rule of options.rules) {
      const subject = rule.subject;
      if (subject.kind === "metric") {
        for (const [source, figures] of values) {
          if (subject.source !== undefined && subject.source !== source) continue;
          const value = figures[subject.metric];
          await observe(rule, source, judge(rule.condition, { value, records: 0 }, 0));
        }
        continue;
      }
      const windows = valuesByRule.get(rule.name);
      const newest = windows?.newest();
      if (rule.condition.kind === "threshold" || windows === undefined || newest === undefined) {
        continue;
      }
      if (at < newest.end + completeAfterMs) continue;
      const judgedStart = series.get(id(rule.name, subject.key ?? "all"))?.windowStart;
      await judgeComplete(rule, windows, newest, judgedStart ?? -Infinity);
    }
  }

  return {
    async start() {
      const loaded = await store.load(options.rules.map((rule) => rule.name));
      for (const stored of loaded.series) series.set(id(stored.rule, stored.series), stored);
      dispatcher.enqueue(loaded.outbox);
      if (loaded.outbox.length > 0) {
        log(`alerts: resending ${loaded.outbox.length} notification(s) owed before the restart`);
      }
    },
    results(results) {
      const relevant = results.filter((result) => rulesByAggregation.has(result.aggregation));
      if (relevant.length === 0) return;
      enqueue(async () => {
        for (const result of relevant) {
          for (const rule of rulesByAggregation.get(result.aggregation)!) {
            await evaluateResult(rule, result);
          }
        }
      });
    },
    tick(stats) {
      const at = now();
      enqueue(() => evaluateTick(stats, at));
    },
    settled: async () => {
      await queue;
    },
    alerts: () => alertViews(series.values(), options.rules),
    notifiers: () => dispatcher.health(),
    async close() {
      await queue;
      // A frozen Cassandra must not hold a stop for long: what is unwritten is re-derived or
      // still owed (the outbox) at the next start.
      await writer.settle(5000);
      await dispatcher.close();
    },
  };
}

/** Every known series of the rules, as shown to people, firing first. */
function alertViews(series: Iterable<StoredSeries>, rules: readonly AlertRule[]): AlertView[] {
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  const order = { firing: 0, pending: 1, resolved: 2, inactive: 3 };
  return [...series].flatMap((stored) => {
    const rule = byName.get(stored.rule);
    if (rule === undefined) return [];
    const { state } = stored;
    return [{
      rule: rule.name,
      series: stored.series,
      status: state.status,
      severity: rule.severity,
      labels: rule.labels,
      value: state.value,
      text: describeAlert(rule, stored.series, state.value),
      activeSince: state.activeSince,
      firedAt: state.firedAt,
      resolvedAt: state.resolvedAt,
    }];
  }).sort((a, b) => order[a.status] - order[b.status] || (a.rule < b.rule ? -1 : 1));
}

/** Result rules by the aggregation they read, and each one's window values. */
function indexResultRules(options: AlertEngineOptions) {
  const rulesByAggregation = new Map<string, AlertRule[]>();
  const valuesByRule = new Map<string, WindowValues>();
  for (const rule of options.rules) {
    if (rule.subject.kind !== "result") continue;
    const list = rulesByAggregation.get(rule.subject.aggregation) ?? [];
    list.push(rule);
    rulesByAggregation.set(rule.subject.aggregation, list);
    const spec = options.windows.get(rule.subject.aggregation);
    if (spec !== undefined) {
      valuesByRule.set(rule.name, windowValues(rule, spec, options.readHistory));
    }
  }
  return { rulesByAggregation, valuesByRule };
}
