/**
 * Gap-based sessions as mergeable state: per visitor, the time spans of its sessions so far,
 * and the session metrics (count, average duration, pages per session, bounce rate).
 *
 * A session is a visitor's run of events in which consecutive events are at most `gapMs`
 * apart (30 minutes by default); a longer silence starts a new one. With an explicit
 * session id as the visitor key, pass `gapMs = Infinity`: all its events form one session.
 *
 * The state keeps, per visitor, its sessions as `[first, last, pages]` spans, sorted by start,
 * each more than `gapMs` after the previous one. Plain JSON, a few numbers per session.
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

/** One session: `[first, last, pages]`, ms timestamps of its first and last event, page views. */
export type SessionSpan = [first: number, last: number, pages: number];

/** Sessions by visitor key, each visitor's sorted by start and more than the gap apart. */
export type SessionSpans = Record<string, SessionSpan[]>;

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
 * assert.deepEqual(spans, { v: [[500, 1_000, 2]] });
 * ```
 */
export function addSessionEvent(
  spans: SessionSpans,
  visitor: string,
  timestamp: number,
  gapMs: number,
  pages = 1,
): SessionSpans {
  checkGap(gapMs);
  if (!Number.isFinite(timestamp)) {
    throw new RangeError(`session event timestamp must be finite, found ${timestamp}`);
  }
  if (!(pages >= 0)) throw new RangeError(`session event pages must be >= 0, found ${pages}`);
  const list = Object.hasOwn(spans, visitor) ? spans[visitor] : undefined;
  if (list === undefined) {
    setOwn(spans, visitor, [[timestamp, timestamp, pages]]);
    return spans;
  }
  // The usual case, events in time order: extend or follow the last session.
  const last = list[list.length - 1]!;
  if (timestamp >= last[1]) {
    if (timestamp - last[1] <= gapMs) {
      last[1] = timestamp;
      last[2] += pages;
    } else list.push([timestamp, timestamp, pages]);
    return spans;
  }
  list.push([timestamp, timestamp, pages]);
  setOwn(spans, visitor, coalesce(list, gapMs));
  return spans;
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
 * assert.deepEqual(mergeSessionSpans(a, b, gap), { v: [[0, 30, 3]] });
 * ```
 */
export function mergeSessionSpans(
  into: SessionSpans,
  other: Readonly<SessionSpans>,
  gapMs: number,
): SessionSpans {
  checkGap(gapMs);
  for (const [visitor, theirs] of Object.entries(other)) {
    const copies = theirs.map(([first, last, pages]): SessionSpan => [first, last, pages]);
    const ours = Object.hasOwn(into, visitor) ? into[visitor] : undefined;
    setOwn(into, visitor, ours === undefined ? copies : coalesce([...ours, ...copies], gapMs));
  }
  return into;
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
    for (const [first, last, views] of list) {
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

/** Sorts spans by start and joins those within `gapMs`; reuses (and changes) `list`. */
function coalesce(list: SessionSpan[], gapMs: number): SessionSpan[] {
  list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const joined: SessionSpan[] = [];
  for (const span of list) {
    const current = joined[joined.length - 1];
    if (current !== undefined && span[0] - current[1] <= gapMs) {
      if (span[1] > current[1]) current[1] = span[1];
      current[2] += span[2];
    } else joined.push(span);
  }
  return joined;
}

function checkGap(gapMs: number): void {
  if (!(gapMs > 0)) throw new RangeError(`session gap must be above 0 ms, found ${gapMs}`);
}

/** Sets an own property, `__proto__` included (a plain assignment would change the prototype). */
function setOwn(spans: SessionSpans, visitor: string, list: SessionSpan[]): void {
  if (visitor === "__proto__") {
    Object.defineProperty(spans, visitor, {
      value: list,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else spans[visitor] = list;
}
