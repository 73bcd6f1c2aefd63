/**
 * The values a result rule has seen, by window, and the earlier windows its comparisons need:
 * kept from the results published at each flush, and read back from a sink (one read of a range
 * of days per missing window set, never per record) when a `change` or `anomaly` rule needs a
 * window from before this run.
 *
 * @module
 */
import type { StoredResult, Window } from "../contracts.ts";
import type { AlertRule } from "../config/alerts.ts";
import type { WindowSpec } from "../window_size.ts";
import { earlierWindowKey, type Reference, valueOfRows, type WindowValue } from "./judge.ts";

/** Reads an aggregation's stored windows of the local days `from`..`to` (`YYYY-MM-DD`). */
export type ReadHistory = (aggregation: string, from: string, to: string) => Promise<
  StoredResult[]
>;

/** Most windows kept per rule. */
const KEEP = 2_000;

/** A rule's windows. */
export interface WindowValues {
  /** Records a published window result. */
  record(window: Window, value: WindowValue): void;
  /** The newest window seen, if any. */
  newest(): Window | undefined;
  /** The window before `window` among those seen, if any. */
  before(window: Window): Window | undefined;
  /** The value of a window seen. */
  valueOf(window: Window): WindowValue | undefined;
  /** What `window` is compared with, reading missing earlier windows back once. */
  reference(window: Window): Promise<Reference>;
}

/**
 * Creates the store of one result rule's windows.
 *
 * @param rule A result rule.
 * @param spec Its aggregation's window size.
 * @param readHistory Reads stored results back (absent: comparisons use this run's windows only).
 */
export function windowValues(
  rule: AlertRule,
  spec: WindowSpec,
  readHistory?: ReadHistory,
): WindowValues {
  const subject = rule.subject;
  if (subject.kind !== "result") throw new Error(`${rule.name} is not a result rule`);
  const windows = new Map<string, { window?: Window; value: WindowValue }>();
  const lookedUp = new Set<string>();
  const seen = () =>
    [...windows.values()].flatMap((entry) => entry.window ? [entry.window] : [])
      .sort((a, b) => a.start - b.start);

  function referenceKeys(window: Window): string[] {
    if (spec.unit === "none") return [];
    const { condition } = rule;
    if (condition.kind === "change") {
      return [earlierWindowKey(window.localStart, spec.ms, spec.unit, condition.against)];
    }
    if (condition.kind === "anomaly") {
      return Array.from(
        { length: condition.windows },
        (_, i) => earlierWindowKey(window.localStart, spec.ms, spec.unit, "previous", i + 1),
      );
    }
    return [];
  }

  async function readMissing(keys: string[]): Promise<void> {
    const missing = keys.filter((key) => !windows.has(key) && !lookedUp.has(key));
    if (missing.length === 0 || readHistory === undefined || subject.kind !== "result") return;
    const days = missing.map((key) => key.slice(0, 10)).sort();
    const storedResults = await readHistory(subject.aggregation, days[0]!, days.at(-1)!);
    // Looked up only once read: a failed read (Cassandra down) is tried again next time.
    missing.forEach((key) => lookedUp.add(key));
    for (const stored of storedResults) {
      if (windows.has(stored.window)) continue;
      const value = valueOfRows(stored.rows, subject.value, subject.key) ?? 0;
      windows.set(stored.window, { value: { value, records: stored.records } });
    }
  }

  return {
    record(window, value) {
      windows.set(window.key, { window, value });
      if (windows.size > KEEP) windows.delete(windows.keys().next().value!);
    },
    newest: () => seen().at(-1),
    before: (window) => seen().filter((candidate) => candidate.start < window.start).at(-1),
    valueOf: (window) => windows.get(window.key)?.value,
    async reference(window) {
      const keys = referenceKeys(window);
      await readMissing(keys);
      const values = keys.map((key) => windows.get(key)?.value);
      if (rule.condition.kind === "change") return { earlier: values[0] };
      return { recent: values.filter((value) => value !== undefined).reverse() };
    },
  };
}
