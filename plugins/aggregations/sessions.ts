/**
 * `sessions`: visits per window, with count, average duration, pages per session and bounce
 * rate.
 *
 * Windows and sessions: the runtime computes each window's state from that window's records
 * only, so a session here is a session as seen inside one window. It counts in the window of
 * its first event in that window. A session crossing a window edge is therefore cut there: it
 * counts in both windows, each with the duration and page views of its part. Choose a window
 * much longer than a session (`1h` or `1d` against a 30-minute gap) to make that rare. A session
 * still open at flush time counts as it stands; later events extend it and the next flush of
 * the window shows the longer session (never a second one, since the spans merge exactly).
 *
 * @module
 */
import {
  addToSessions,
  type AggregationPlugin,
  clientOf,
  duration,
  excludeBots,
  finishFromSummary,
  isBot,
  isStaticAsset,
  keyedAggregation,
  type KeyedSummary,
  type KeyedValues,
  type LogRecord,
  type MergeableResult,
  mergeSessionLists,
  pageOf,
  parseDuration,
  type PartSums,
  partSums,
  partSumsSet,
  type RangeAnswer,
  type ResultRow,
  type SessionList,
  sessionMetrics,
  withoutQuery,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  gap: duration().refine((text) => (parseDuration(text) ?? 0) > 0, "a duration above 0")
    .default("30m")
    .describe(
      "Inactivity that ends a session of records without session_id (keyed by client address " +
        "and user agent); records with a session_id are one session per id, whatever the gap.",
    )
    .meta({ examples: ["30m"] }),
  page_events: z.array(z.string().min(1).max(256)).min(1)
    .default(["page_view", "page_visited", "view"])
    .describe(
      "Event types that are page views (other events extend a session without a page); " +
        "web-server requests (no event_type) count unless they fetch a static asset " +
        "(.css .js .png ...).",
    )
    .meta({ examples: [["page_view", "page_visited", "view"]] }),
  exclude_bots: excludeBots(false),
});

/** Validated `sessions` options. */
export type SessionsOptions = z.output<typeof options>;

/** One visit key's sessions in a window: one per session id, or gap-cut for a client. */
export interface VisitSessions {
  /** True for a session id (all its events form one session), false for a client. */
  by_id: boolean;
  /** Its sessions, flat: `first, last, pages` for each, sorted by start. */
  spans: SessionList;
}

/** Per visit key (`s <session_id>` or `c <address> <agent>`), its sessions in the window. */
export type SessionState = KeyedValues<VisitSessions>;

/**
 * What real time keeps of a window to finish it from the visits that changed only: each visit's
 * part of the figures as last updated (sessions, their duration in ms, page views, bounces), and
 * their sums.
 */
export type SessionTotals = PartSums;

/** The `sessions` aggregation plugin. */
const sessions: AggregationPlugin<SessionsOptions, SessionState> = {
  kind: "aggregation",
  name: "sessions",
  summary: "Sessions per window: count, average duration, pages per session, bounce rate.",
  description: "A session is all events of one session_id, or, without one, the requests of " +
    "one client (address and user agent) with no silence longer than `gap` (30 minutes). " +
    "One row, `all`: sessions, bounces (sessions with at most one page view), bounce_rate " +
    "and the average duration (first to last event, seconds) and pages per session. Each " +
    "window counts the sessions as its own records show them: a session crossing a window " +
    "edge counts in both windows, each with its part; a session still open at flush time " +
    "counts as it stands, and grows with later flushes.",
  options,
  example: { gap: "30m", exclude_bots: true },
  chart: "line",
  create(settings) {
    const gapMs = parseDuration(settings.gap)!;
    const pageEvents = new Set(settings.page_events);
    const keyOf = (record: LogRecord): string | undefined => {
      if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
      if (record.session_id !== undefined) return `s ${record.session_id}`;
      const client = clientOf(record);
      return client === undefined ? undefined : `c ${client}`;
    };
    // A page view: a page event, or a request for a page (not for a static asset, which a
    // browser fetches along with the page).
    const pagesOf = (record: LogRecord): number => {
      const page = pageOf(record);
      if (page === undefined) return 0;
      if (record.event_type !== undefined) return pageEvents.has(record.event_type) ? 1 : 0;
      return isStaticAsset(withoutQuery(page)) ? 0 : 1;
    };
    // Real time keeps each visit's part of the window's figures (four numbers), so a result
    // takes out and puts back the parts of the visits that changed only.
    const figuresOf = (visit: VisitSessions): SessionSums => {
      const { sessions, totalDurationMs, pages, bounces } = sessionMetrics({ v: spansOf(visit) });
      return [sessions, totalDurationMs, pages, bounces];
    };
    const summary: KeyedSummary<VisitSessions, SessionTotals> = {
      start: () => partSums(4),
      update: (totals, key, visit) => partSumsSet(totals, key, figuresOf(visit)),
      finish: (totals) => totals.slots.size === 0 ? [] : sessionRows(totals.totals),
    };
    // A range adds the windows' sums: a session crossing a window edge counts in each window,
    // so the answer is the windows' own count, not one window's (`exact: false`).
    const inRange: MergeableResult<SessionSums | null, SessionTotals> = {
      emptySummary: () => null,
      toSummary(values) {
        let sums: SessionSums | null = null;
        for (const visit of values.values()) {
          sums = addSums(sums, figuresOf(visit as VisitSessions));
        }
        return sums;
      },
      // The keyed summary's totals are every visit's figures added up already.
      fromKeyed: (totals: SessionTotals) =>
        totals.slots.size === 0 ? null : [...totals.totals] as SessionSums,
      mergeSummaries: (into, other) => other === null ? into : addSums(into, other),
      finishRange(sums): RangeAnswer {
        const rows = sums === null ? [] : sessionRows(sums);
        const values = sessionRows(sums ?? [0, 0, 0, 0])[0]!.values;
        return {
          rows,
          exact: false,
          totals: {
            sessions: Number(values.sessions),
            bounce_rate: Number(values.bounce_rate),
            visit_duration_s: Number(values.avg_duration_s),
          },
        };
      },
    };
    const sessionState = keyedAggregation<VisitSessions, SessionTotals>({
      shape: {
        key: { name: "sessions_of", type: "text" },
        values: [
          { name: "sessions", type: "bigint" },
          { name: "bounces", type: "bigint" },
          { name: "bounce_rate", type: "double" },
          { name: "avg_duration_s", type: "double" },
          { name: "pages_per_session", type: "double" },
        ],
      },
      keyOf,
      start: () => ({ by_id: false, spans: [] }),
      add(visit, record) {
        visit.by_id = record.session_id !== undefined;
        const gap = visit.by_id ? Infinity : gapMs;
        visit.spans = addToSessions(spansOf(visit), record.timestamp, gap, pagesOf(record));
        return visit;
      },
      merge(into, other) {
        into.by_id = into.by_id || other.by_id;
        const gap = into.by_id ? Infinity : gapMs;
        into.spans = mergeSessionLists(spansOf(into), spansOf(other), gap);
        return into;
      },
      finish: finishFromSummary(summary),
      summary,
    });
    return { ...sessionState, mergeable: inRange };
  },
};

/** A window's (or range's) sessions, their duration in ms, page views and bounces. */
type SessionSums = [sessions: number, durationMs: number, pages: number, bounces: number];

/** `into` plus `other`, as a new array when `into` is null (`other` is read only). */
function addSums(into: SessionSums | null, other: Readonly<SessionSums>): SessionSums {
  if (into === null) return [...other];
  for (let i = 0; i < 4; i++) into[i] = into[i]! + other[i]!;
  return into;
}

/** The one row, `all`, of the sums. */
function sessionRows(sums: readonly number[]): ResultRow[] {
  const [sessions = 0, durationMs = 0, pages = 0, bounces = 0] = sums;
  return [{
    key: "all",
    values: {
      sessions,
      bounces,
      bounce_rate: round(sessions === 0 ? 0 : bounces / sessions, 4),
      avg_duration_s: round(sessions === 0 ? 0 : durationMs / sessions / 1000, 3),
      pages_per_session: round(sessions === 0 ? 0 : pages / sessions, 3),
    },
  }];
}

export default sessions;

/**
 * A visit's sessions as a flat list. State saved before the list was flat (to save memory: an
 * array per session cost five times as much) holds `[first, last, pages]` arrays: flattened.
 */
function spansOf(visit: VisitSessions): SessionList {
  const spans: unknown[] = visit.spans;
  return Array.isArray(spans[0]) ? spans.flat() as SessionList : visit.spans;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
