/**
 * The alerts part of the runner's status line: what fires, and which notifier fails.
 *
 * @example
 * ```ts
 * import { alertsStatus } from "./status.ts";
 * const text = alertsStatus(
 *   [{ rule: "lag", series: "rawlog", status: "firing", severity: "warning", labels: {}, value: 9, text: "" }],
 *   [{ name: "hook", delivered: 0, failures: 3, pending: 1, failing: { since: 0, lastError: "503" } }],
 * );
 * console.assert(text === "; alerts: 1 firing (lag); notifier hook failing (3 attempts, 1 waiting): 503");
 * ```
 *
 * @module
 */
import type { AlertView } from "./engine.ts";
import type { NotifierHealth } from "./dispatch.ts";

/**
 * `; alerts: N firing (rules)` and `; notifier X failing (...)`, or "" when nothing fires or
 * fails.
 *
 * @param alerts Every series.
 * @param notifiers Every notifier's health.
 */
export function alertsStatus(
  alerts: readonly AlertView[],
  notifiers: readonly NotifierHealth[],
): string {
  const firing = alerts.filter((alert) => alert.status === "firing");
  const rules = [...new Set(firing.map((alert) => alert.rule))];
  const parts = firing.length === 0
    ? []
    : [`alerts: ${firing.length} firing (${rules.join(", ")})`];
  for (const notifier of notifiers) {
    if (notifier.failing === undefined) continue;
    parts.push(
      `notifier ${notifier.name} failing (${notifier.failures} attempts, ${notifier.pending} ` +
        `waiting): ${notifier.failing.lastError}`,
    );
  }
  return parts.map((part) => `; ${part}`).join("");
}
