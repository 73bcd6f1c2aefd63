/**
 * The lifecycle of one alert series (a rule, or a rule and one source), as Prometheus has it:
 * inactive, pending while the condition holds for less than the rule's `for:`, firing, then
 * resolved once the condition stops holding. Pure: the caller passes the clock.
 *
 * One notification per transition into firing and one into resolved, never more: a step from
 * firing to firing (or pending to pending) announces nothing, and a pending condition that stops
 * holding before `for:` is over goes back to inactive without a word.
 *
 * @example
 * ```ts
 * import { stepAlert } from "./lifecycle.ts";
 * const pending = stepAlert(undefined, { holds: true, value: 7 }, 60_000, 0);
 * const firing = stepAlert(pending.state, { holds: true, value: 8 }, 60_000, 60_000);
 * console.assert(firing.event === "firing");
 * ```
 *
 * @module
 */

/** Where a series is in its lifecycle. */
export type AlertStatus = "inactive" | "pending" | "firing" | "resolved";

/** What is remembered of a series between evaluations (and stored in Cassandra). */
export interface AlertSeriesState {
  /** Where it is. */
  status: AlertStatus;
  /** Since when the condition has held (pending and firing), ms since epoch. */
  activeSince?: number;
  /** When it started firing (firing and resolved), ms since epoch. */
  firedAt?: number;
  /** When it resolved (resolved only), ms since epoch. */
  resolvedAt?: number;
  /** The value last evaluated. */
  value: number;
}

/** One evaluation of a rule's condition. */
export interface Observation {
  /** Whether the condition holds now. */
  holds: boolean;
  /** The value it was judged on. */
  value: number;
}

/** A transition that is announced to notifiers. */
export type AlertEvent = "firing" | "resolved";

/** The outcome of one step. */
export interface AlertStep {
  /** The new state. */
  state: AlertSeriesState;
  /** Set when this step announces a transition. */
  event?: AlertEvent;
}

/**
 * Moves a series one evaluation forward.
 *
 * @param previous The state after the last step (undefined: never evaluated, same as inactive).
 * @param observation Whether the condition holds now, and the value.
 * @param forMs How long the condition must hold before firing (0: fire at once).
 * @param now The evaluation time, ms since epoch.
 * @returns The new state, and the event to announce, if any.
 */
export function stepAlert(
  previous: AlertSeriesState | undefined,
  observation: Observation,
  forMs: number,
  now: number,
): AlertStep {
  const value = observation.value;
  const status = previous?.status ?? "inactive";
  if (!observation.holds) {
    if (status === "firing") {
      return {
        state: { status: "resolved", firedAt: previous?.firedAt, resolvedAt: now, value },
        event: "resolved",
      };
    }
    if (status === "pending") return { state: { status: "inactive", value } };
    return { state: { ...(previous ?? { status: "inactive" }), value } };
  }
  if (status === "firing") return { state: { ...previous!, value } };
  const activeSince = status === "pending" ? previous!.activeSince! : now;
  if (now - activeSince >= forMs) {
    return { state: { status: "firing", activeSince, firedAt: now, value }, event: "firing" };
  }
  return { state: { status: "pending", activeSince, value } };
}
