/**
 * Gap-based sessions as mergeable state: per visitor, the time spans of its sessions so far,
 * and the session metrics (count, average duration, pages per session, bounce rate).
 *
 * A session is a visitor's run of events in which consecutive events are at most `gapMs`
 * apart (30 minutes by default); a longer silence starts a new one. With an explicit
 * session id as the visitor key, pass `gapMs = Infinity`: all its events form one session.
 *
 * The state keeps, per visitor, its sessions as one flat list of numbers, `first, last, pages`
 * for each session, sorted by start, each more than `gapMs` after the previous one: plain JSON,
 * three numbers per session. Flat, because a real-time runner holds a list for every visitor of
 * an open window: one array of numbers costs a fifth of an array of three-number arrays in V8.
 * A plugin keyed by visitor works on one visitor's list (`addToSessions`, `mergeSessionLists`);
 * `addSessionEvent` and `mergeSessionSpans` do the same on lists by visitor key.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { addSessionEvent, mergeSessionSpans, sessionMetrics } from "./sessions.ts";
 * const minute = 60_000;
 * const gap = 30 * minute;
 * const partition0 = addSessionEvent({}, "visitor-a", 0, gap);
 * const partition1 = addSessionEvent({}, "visitor-a", 20 * minute, gap);
 * addSessionEvent(partition1, "visitor-b", 5 * minute, gap);
 * const merged = mergeSessionSpans(partition0, partition1, gap);
 * assert.deepEqual(sessionMetrics(merged), {
 *   sessions: 2,
 *   totalDurationMs: 20 * minute,
 *   averageDurationMs: 10 * minute,
 *   pages: 3,
 *   pagesPerSession: 1.5,
 *   bounces: 1,
 *   bounceRate: 0.5,
 * });
 * ```
 *
 * @module
 */

/**
 * One visitor's sessions, flat: `first, last, pages` for each (ms timestamps of its first and
 * last event, page views), sorted by start, each more than the gap after the previous one.
 */
export type SessionList = number[];

/** Sessions by visitor key. */
export type SessionSpans = Record<string, SessionList>;

/** The default inactivity gap that ends a session: 30 minutes. */
export const DEFAULT_SESSION_GAP_MS = 30 * 60_000;

/**
 * Records one event of a visitor: it joins the session it falls within `gapMs` of (bridging two
 * sessions when it falls within `gapMs` of both), or starts a new one. Events may come in any
 * order.
 *
 * @param spans The state to change.
 * @param visitor Visitor key: a session id, a user id, or client address and user agent.
 * @param timestamp Event time, ms since the epoch.
 * @param gapMs Longest silence within a session, ms (> 0; `Infinity` for session ids).
 * @param pages Page views the event counts for (default 1; 0 for events that are not page
 *   views, such as clicks, which still extend the session).
 * @returns The same `spans`.
 * @throws RangeError when `timestamp` is not finite, `gapMs` is not above 0 or `pages` is
 *   negative.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { addSessionEvent } from "./sessions.ts";
 * const spans = addSessionEvent(addSessionEvent({}, "v", 1_000, 60_000), "v", 500, 60_000);
 * assert.deepEqual(spans, { v: [500, 1_000, 2] });
 * ```
 */
export function addSessionEvent(
  spans: SessionSpans,
  visitor: string,
  timestamp: number,
  gapMs: number,
  pages = 1,
): SessionSpans {
  const list = Object.hasOwn(spans, visitor) ? spans[visitor] : undefined;
  setOwn(spans, visitor, addToSessions(list ?? [], timestamp, gapMs, pages));
  return spans;
}

/**
 * Records one event in one visitor's sessions, as {@linkcode addSessionEvent} does for a
 * visitor key: it joins the session it falls within `gapMs` of, or starts a new one.
 *
 * @param list The visitor's sessions; changed in place when the event joins a session.
 * @param timestamp Event time, ms since the epoch.
 * @param gapMs Longest silence within a session, ms (> 0; `Infinity` for session ids).
 * @param pages Page views the event counts for (default 1).
 * @returns The visitor's sessions: `list`, or a new list when the event starts a session.
 * @throws RangeError when `timestamp` is not finite, `gapMs` is not above 0 or `pages` is
 *   negative.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { addToSessions } from "./sessions.ts";
 * const gap = 60_000;
 * const list = addToSessions(addToSessions([], 0, gap), 90_000, gap);
 * assert.deepEqual(list, [0, 0, 1, 90_000, 90_000, 1]); // two sessions: 90 s is over the gap
 * ```
 */
export function addToSessions(
  list: SessionList,
  timestamp: number,
  gapMs: number,
  pages = 1,
): SessionList {
  checkGap(gapMs);
  if (!Number.isFinite(timestamp)) {
    throw new RangeError(`session event timestamp must be finite, found ${timestamp}`);
  }
  if (!(pages >= 0)) throw new RangeError(`session event pages must be >= 0, found ${pages}`);
  const n = list.length;
  // The usual case, events in time order: extend the last session, or follow it.
  if (n > 0 && timestamp >= list[n - 2]!) {
    if (timestamp - list[n - 2]! <= gapMs) {
      list[n - 2] = timestamp;
      list[n - 1]! += pages;
      return list;
    }
    // A new list of the exact size (one grown by push would keep spare room for good).
    return list.concat([timestamp, timestamp, pages]);
  }
  return joinSorted(list, [timestamp, timestamp, pages], gapMs);
}

/**
 * Merges `other` into `into`: per visitor, the union of both span lists, with spans within
 * `gapMs` of each other joined. Reads `other` only: it is neither changed nor kept.
 *
 * Why this is exact, for any split of the events, merged in any order: take one visitor and
 * the sessions S that one pass over all its events makes.
 * - Every span of a part lies inside one session of S: two events consecutive within the part
 *   and at most `gapMs` apart have only events between them in the full stream, so no silence
 *   between them exceeds `gapMs` either.
 * - The spans of one session of S always join: sort them by start, and suppose a span starts
 *   more than `gapMs` after every earlier span ended. Earlier spans end at or before that
 *   point, later ones start at or after the span's start, so the session has no event inside
 *   that silence, yet events on both sides: a silence longer than `gapMs` within one session,
 *   which cannot be.
 * - Spans of different sessions never join: consecutive sessions are more than `gapMs` apart.
 * So the joined spans are exactly S, with first and last event and the page-view sum of each
 * session, whatever the split and order: the result does not depend on them.
 *
 * @param into The state to change.
 * @param other Another part of the same window's events.
 * @param gapMs The same gap the parts were built with.
 * @returns `into`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { addSessionEvent, mergeSessionSpans } from "./sessions.ts";
 * const gap = 20; // 0 and 30 are too far apart; 15 is within 20 of both
 * const a = addSessionEvent(addSessionEvent({}, "v", 0, gap), "v", 30, gap);
 * const b = addSessionEvent({}, "v", 15, gap);
 * assert.deepEqual(mergeSessionSpans(a, b, gap), { v: [0, 30, 3] });
 * ```
 */
export function mergeSessionSpans(
  into: SessionSpans,
  other: Readonly<SessionSpans>,
  gapMs: number,
): SessionSpans {
  checkGap(gapMs);
  for (const [visitor, theirs] of Object.entries(other)) {
    const ours = Object.hasOwn(into, visitor) ? into[visitor] : undefined;
    setOwn(into, visitor, ours === undefined ? theirs.slice() : joinSorted(ours, theirs, gapMs));
  }
  return into;
}

/**
 * Merges two parts of one visitor's sessions, as {@linkcode mergeSessionSpans} does per visitor
 * key (exact for any split, merged in any order; see there why).
 *
 * @param into One part; read only, like `other` (the result is a new list).
 * @param other Another part of the same visitor's events in the same window.
 * @param gapMs The same gap the parts were built with.
 * @returns The joined sessions, sharing no array with either part.
 */
export function mergeSessionLists(
  into: Readonly<SessionList>,
  other: Readonly<SessionList>,
  gapMs: number,
): SessionList {
  checkGap(gapMs);
  return joinSorted(into, other, gapMs);
}

/** Session figures; durations in ms. */
export interface SessionMetrics {
  /** Number of sessions. */
  sessions: number;
  /** Sum of session durations (last event minus first event). */
  totalDurationMs: number;
  /** Average duration; 0 when there is no session. */
  averageDurationMs: number;
  /** Page views in all sessions. */
  pages: number;
  /** Page views per session; 0 when there is no session. */
  pagesPerSession: number;
  /** Sessions with at most one page view. */
  bounces: number;
  /** Share of bounced sessions, 0..1; 0 when there is no session. */
  bounceRate: number;
}

/** Which sessions {@linkcode sessionMetrics} counts, and with what context. */
export interface SessionWindow {
  /** Count only sessions whose first event is at or after this time (ms). */
  start: number;
  /** ...and before this time (ms). */
  end: number;
  /**
   * The spans of neighbouring windows (same visitors, same gap), joined in before counting:
   * the previous window's let a session that began there and goes on here count there only;
   * the next window's let a session that begins here count its full length.
   */
  context?: readonly Readonly<SessionSpans>[];
  /** The gap the spans were built with (needed only with `context`). */
  gapMs?: number;
}

/**
 * Count, durations, page views and bounces of the sessions in `spans`; with a `window`, of the
 * sessions that start in it ("a session counts in the window where it starts").
 *
 * That rule is exact when the spans hold every event of the visitor from `gapMs` before the
 * window to the end of each session starting in it: give the neighbouring windows' spans as
 * `context` (enough of them to cover `gapMs` on each side). Without context, a window sees
 * only its own events: a session crossing its start counts again here from its first event in
 * the window, and one crossing its end is cut there. A session still open when results are
 * computed counts as it stands; later events extend it and the next result shows that.
 *
 * Figures are sums of integers (ms, page views) divided once, so equal spans always give
 * exactly equal figures, whatever order they were merged in.
 *
 * @param spans The (merged) state of a window.
 * @param window Which sessions to count, and neighbouring windows' spans.
 * @returns The figures.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { addSessionEvent, sessionMetrics } from "./sessions.ts";
 * const gap = 30 * 60_000;
 * const hour = 3_600_000;
 * const tenToEleven = addSessionEvent({}, "v", 10.9 * hour, gap);
 * const elevenToNoon = addSessionEvent({}, "v", 11.1 * hour, gap);
 * // The session starts at 10:54 and counts there, with its full length, and not at 11:00.
 * const at10 = sessionMetrics(tenToEleven, {
 *   start: 10 * hour,
 *   end: 11 * hour,
 *   context: [elevenToNoon],
 *   gapMs: gap,
 * });
 * const at11 = sessionMetrics(elevenToNoon, {
 *   start: 11 * hour,
 *   end: 12 * hour,
 *   context: [tenToEleven],
 *   gapMs: gap,
 * });
 * assert.equal(at10.sessions, 1);
 * assert.equal(Math.round(at10.totalDurationMs / 60_000), 12);
 * assert.equal(at11.sessions, 0);
 * ```
 */
export function sessionMetrics(
  spans: Readonly<SessionSpans>,
  window?: SessionWindow,
): SessionMetrics {
  let all: Readonly<SessionSpans> = spans;
  if (window?.context !== undefined && window.context.length > 0) {
    if (window.gapMs === undefined) {
      throw new RangeError("sessionMetrics needs gapMs to join context spans");
    }
    const joined = mergeSessionSpans({}, spans, window.gapMs);
    for (const neighbour of window.context) mergeSessionSpans(joined, neighbour, window.gapMs);
    all = joined;
  }
  let sessions = 0;
  let totalDurationMs = 0;
  let pages = 0;
  let bounces = 0;
  for (const list of Object.values(all)) {
    for (let i = 0; i + 2 < list.length; i += 3) {
      const first = list[i]!;
      const last = list[i + 1]!;
      const views = list[i + 2]!;
      if (window !== undefined && (first < window.start || first >= window.end)) continue;
      sessions++;
      totalDurationMs += last - first;
      pages += views;
      if (views <= 1) bounces++;
    }
  }
  return {
    sessions,
    totalDurationMs,
    averageDurationMs: sessions === 0 ? 0 : totalDurationMs / sessions,
    pages,
    pagesPerSession: sessions === 0 ? 0 : pages / sessions,
    bounces,
    bounceRate: sessions === 0 ? 0 : bounces / sessions,
  };
}

/**
 * The sessions of two sorted lists, in order of start, with those within `gapMs` of the session
 * before joined: a new list of the exact size, reading both lists only.
 */
function joinSorted(
  a: Readonly<SessionList>,
  b: Readonly<SessionList>,
  gapMs: number,
): SessionList {
  const joined: SessionList = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const fromA = j >= b.length ||
      (i < a.length && (a[i]! < b[j]! || (a[i] === b[j] && a[i + 1]! <= b[j + 1]!)));
    const list = fromA ? a : b;
    const at = fromA ? i : j;
    if (fromA) i += 3;
    else j += 3;
    const n = joined.length;
    if (n > 0 && list[at]! - joined[n - 2]! <= gapMs) {
      if (list[at + 1]! > joined[n - 2]!) joined[n - 2] = list[at + 1]!;
      joined[n - 1]! += list[at + 2]!;
    } else joined.push(list[at]!, list[at + 1]!, list[at + 2]!);
  }
  return joined.slice();
}

function checkGap(gapMs: number): void {
  if (!(gapMs > 0)) throw new RangeError(`session gap must be above 0 ms, found ${gapMs}`);
}

/** Sets an own property, `__proto__` included (a plain assignment would change the prototype). */
function setOwn(spans: SessionSpans, visitor: string, list: SessionList): void {
  if (visitor === "__proto__") {
    Object.defineProperty(spans, visitor, {
      value: list,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else spans[visitor] = list;
}
