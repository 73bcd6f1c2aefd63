/**
 * What an alert says: the one line for people (Slack's `text`) and the notification sent.
 *
 * @module
 */
import type { AlertNotification } from "../contracts.ts";
import type { AlertRule } from "../config/alerts.ts";
import type { AlertEvent, AlertSeriesState } from "./lifecycle.ts";

/** How a value prints: integers as they are, others with up to three decimals. */
function shown(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

/**
 * What a rule watches and how it judges, in words, e.g. `error_pct of /checkout in
 * error_rate_1m is 12.5 (above 5)`.
 *
 * @param rule The rule.
 * @param series The series (a source for metric rules).
 * @param value The value judged.
 */
export function describeAlert(rule: AlertRule, series: string, value: number): string {
  const { subject, condition } = rule;
  const limits = [
    condition.above === undefined ? undefined : `above ${shown(condition.above)}`,
    condition.below === undefined ? undefined : `below ${shown(condition.below)}`,
  ].filter((text) => text !== undefined).join(" or ");
  const what = subject.kind === "metric"
    ? `${subject.metric} of ${series}`
    : `${subject.value}${subject.key === undefined ? "" : ` of ${subject.key}`} in ` +
      subject.aggregation;
  const judged = condition.kind === "threshold"
    ? `is ${shown(value)}`
    : condition.kind === "change"
    ? `is ${shown(value)} times its value ${
      {
        previous: "in the window before",
        day_before: "a day before",
        week_before: "a week before",
      }[
        condition.against
      ]
    }`
    : `scores ${shown(value)} against the median and MAD of its last ${condition.windows} windows`;
  return `${what} ${judged} (${limits})`;
}

/**
 * The notification of a transition.
 *
 * @param rule The rule.
 * @param series The series.
 * @param event The transition.
 * @param state The state after it (firing or resolved).
 */
export function notificationOf(
  rule: AlertRule,
  series: string,
  event: AlertEvent,
  state: AlertSeriesState,
): AlertNotification {
  const firedAt = state.firedAt ?? 0;
  const head = event === "firing" ? "FIRING" : "RESOLVED";
  return {
    id: `${rule.name}/${series}/${firedAt}/${event}`,
    event,
    rule: rule.name,
    series,
    severity: rule.severity,
    labels: rule.labels,
    value: state.value,
    text: `[${head}] ${rule.name} (${rule.severity}): ${describeAlert(rule, series, state.value)}`,
    firedAt,
    ...(state.resolvedAt === undefined ? {} : { resolvedAt: state.resolvedAt }),
  };
}
