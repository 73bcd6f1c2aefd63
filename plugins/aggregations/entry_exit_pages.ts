/**
 * `entry_exit_pages`: the pages sessions start on (entrances) and end on (exits), per window.
 *
 * A session is one session id, or, for records without one, one client (address and user
 * agent) with no silence longer than `gap`. As with `sessions`, a window's state holds that
 * window's records only, so a session crossing a window edge counts in both windows, each
 * with the entry and exit of its part: choose a window much longer than a session.
 *
 * Each visit key (a session id or a client) keeps its sessions' spans: start, end, and the
 * page at each. Spans closer than the gap join, so merging gives the same sessions in any
 * order; at equal times, the entry is the page first in text order and the exit the last.
 *
 * @module
 */
import {
  type AggregationPlugin,
  clientOf,
  duration,
  excludeBots,
  finishFromSummary,
  isBot,
  isStaticAsset,
  keyedAggregation,
  type KeyedSummary,
  type LogRecord,
  pageOf,
  parseDuration,
  type ResultRow,
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
      "Event types that are page views (other events are not pages); web-server requests " +
        "(no event_type) count unless they fetch a static asset (.css .js .png ...).",
    )
    .meta({ examples: [["page_view", "page_visited", "view"]] }),
  n: z.number().int().min(1).max(1000).default(20)
    .describe("How many pages to keep per window, by entrances, then exits.")
    .meta({ examples: [20] }),
  exclude_bots: excludeBots(false),
});

/** Validated `entry_exit_pages` options. */
export type EntryExitOptions = z.output<typeof options>;

/** A session as seen in one window: start and end time, and the pages there. */
export type SessionSpan = [start: number, end: number, entry: string, exit: string];

/** A visit key's sessions in a window; `by_id` when the key is a session id (one session). */
export interface VisitSpans {
  /** Whether the key is a session id: its spans always join, whatever the gap. */
  by_id: boolean;
  /** Its sessions, by start, none within the gap of another. */
  spans: SessionSpan[];
}

/** What a visit key adds to the window's counts: the entry and exit of each of its sessions. */
type Part = [entry: string, exit: string][];

/** The window's counts, and each visit key's part of them (to take out when it changes). */
interface EntryExitTotals {
  parts: Map<string, Part>;
  entries: Map<string, number>;
  exits: Map<string, number>;
}

/** The `entry_exit_pages` aggregation plugin. */
const entryExitPages: AggregationPlugin<EntryExitOptions, unknown> = {
  kind: "aggregation",
  name: "entry_exit_pages",
  summary: "Pages sessions start on (entrances) and end on (exits), per window.",
  description: "Sessions as in the sessions plugin: one per session_id, else gap-cut per " +
    "client (address and user agent). Each row is a page with the sessions that entered " +
    "(entrances) and left (exits) there, and exit_rate, exits over entrances plus exits; the " +
    "n pages with most entrances (then exits, then by page) are kept. " +
    "Pages are taken without their query string.",
  options,
  example: { gap: "30m", n: 20 },
  create(settings) {
    const gapMs = parseDuration(settings.gap)!;
    const pageEvents = new Set(settings.page_events);
    const pageViewOf = (record: LogRecord): string | undefined => {
      const page = pageOf(record);
      if (page === undefined) return undefined;
      const path = withoutQuery(page);
      if (record.event_type !== undefined) {
        return pageEvents.has(record.event_type) ? path : undefined;
      }
      return isStaticAsset(path) ? undefined : path;
    };
    const summary: KeyedSummary<VisitSpans, EntryExitTotals> = {
      start: () => ({ parts: new Map(), entries: new Map(), exits: new Map() }),
      update(totals, key, { spans }) {
        for (const [entry, exit] of totals.parts.get(key) ?? []) {
          count(totals.entries, entry, -1);
          count(totals.exits, exit, -1);
        }
        const part: Part = spans.map(([, , entry, exit]) => [entry, exit]);
        for (const [entry, exit] of part) {
          count(totals.entries, entry, 1);
          count(totals.exits, exit, 1);
        }
        totals.parts.set(key, part);
        return totals;
      },
      finish: (totals) => rowsOf(totals, settings.n),
    };
    return keyedAggregation<VisitSpans, EntryExitTotals>({
      shape: {
        key: { name: "page", type: "text" },
        values: [
          { name: "entrances", type: "bigint" },
          { name: "exits", type: "bigint" },
          { name: "exit_rate", type: "double" },
          { name: "rank", type: "int" },
        ],
      },
      keyOf(record) {
        if (settings.exclude_bots && isBot(record.http_user_agent ?? "-")) return undefined;
        if (pageViewOf(record) === undefined) return undefined;
        if (record.session_id !== undefined) return `s ${record.session_id}`;
        const client = clientOf(record);
        return client === undefined ? undefined : `c ${client}`;
      },
      start: () => ({ by_id: false, spans: [] }),
      add(visit, record) {
        const page = pageViewOf(record)!;
        if (record.session_id !== undefined) visit.by_id = true;
        const gap = visit.by_id ? Infinity : gapMs;
        joinSpan(visit.spans, [record.timestamp, record.timestamp, page, page], gap);
        return visit;
      },
      merge(into, other) {
        into.by_id ||= other.by_id;
        const gap = into.by_id ? Infinity : gapMs;
        for (const span of other.spans) joinSpan(into.spans, [...span], gap);
        return into;
      },
      summary,
      finish: finishFromSummary(summary),
    });
  },
};

export default entryExitPages;

function count(counts: Map<string, number>, page: string, delta: number): void {
  const next = (counts.get(page) ?? 0) + delta;
  if (next === 0) counts.delete(page);
  else counts.set(page, next);
}

/**
 * Adds `span` to `spans` (sorted by start, none within `gap` of another), joining it with
 * every span within `gap` of it; may change and returns `spans`.
 */
function joinSpan(spans: SessionSpan[], span: SessionSpan, gap: number): SessionSpan[] {
  const joined = span;
  const kept: SessionSpan[] = [];
  for (const other of spans) {
    if (other[0] - gap <= joined[1] && joined[0] <= other[1] + gap) {
      if (other[0] < joined[0] || (other[0] === joined[0] && other[2] < joined[2])) {
        joined[0] = other[0];
        joined[2] = other[2];
      }
      if (other[1] > joined[1] || (other[1] === joined[1] && other[3] > joined[3])) {
        joined[1] = other[1];
        joined[3] = other[3];
      }
    } else {
      kept.push(other);
    }
  }
  kept.push(joined);
  kept.sort((a, b) => a[0] - b[0]);
  spans.length = 0;
  spans.push(...kept);
  return spans;
}

function rowsOf(totals: EntryExitTotals, n: number): ResultRow[] {
  const pages = new Set([...totals.entries.keys(), ...totals.exits.keys()]);
  return [...pages]
    .map((page) => [page, totals.entries.get(page) ?? 0, totals.exits.get(page) ?? 0] as const)
    .sort(([a, x, u], [b, y, v]) => y - x || v - u || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, n)
    .map(([page, entries, exits], index) => ({
      key: page,
      values: {
        entrances: entries,
        exits,
        exit_rate: Math.round((exits / (entries + exits)) * 10_000) / 10_000,
        rank: index + 1,
      },
    }));
}
