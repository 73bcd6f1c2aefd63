/**
 * Test support for the analytics plugins' end-to-end tests: what each table must hold, by plain
 * counting over the records the test produced (no plugin code), and reading the tables back.
 *
 * @module
 */
import type { LogRecord } from "../lib/records.ts";
import type { TestPipeline } from "./_pipeline_support.ts";

const MINUTE = 60_000;
/** One hour in ms. */
export const HOUR = 60 * MINUTE;

/** The UTC start of a record's window of `size` ms. */
export function windowStart(timestamp: number, size: number): number {
  return Math.floor(timestamp / size) * size;
}

/** Percent with two decimals, 0 of nothing (as the plugins document it). */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part * 10_000) / whole) / 100;
}

/** Groups records by the UTC window of `size` ms they fall in. */
export function byWindow(records: LogRecord[], size: number): Map<number, LogRecord[]> {
  const windows = new Map<number, LogRecord[]>();
  for (const record of records) {
    const start = windowStart(record.timestamp, size);
    const list = windows.get(start) ?? [];
    list.push(record);
    windows.set(start, list);
  }
  return windows;
}

/** Counts of `keyOf` over records, skipping undefined keys. */
export function countBy(
  records: LogRecord[],
  keyOf: (record: LogRecord) => string | undefined,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) {
    const key = keyOf(record);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The `n` largest counts, ties by key in code-unit order. */
export function top(counts: Map<string, number>, n: number): [string, number][] {
  return [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)).slice(0, n);
}

/** The visitor rule, written again: user, else address and agent, else session. */
export function visitor(record: LogRecord): string | undefined {
  if (record.user_id !== undefined) return `u:${record.user_id}`;
  if (record.remote_addr !== undefined) {
    return `c:${record.remote_addr} ${record.http_user_agent ?? "-"}`;
  }
  return record.session_id === undefined ? undefined : `s:${record.session_id}`;
}

/** Session figures of one window's records, sessions by session_id. */
export function sessionFigures(records: LogRecord[]) {
  const pageEvents = new Set(["page_view", "page_visited", "view"]);
  const spans = new Map<string, { first: number; last: number; pages: number }>();
  for (const record of records) {
    if (record.session_id === undefined) continue;
    const span = spans.get(record.session_id) ??
      { first: record.timestamp, last: record.timestamp, pages: 0 };
    span.first = Math.min(span.first, record.timestamp);
    span.last = Math.max(span.last, record.timestamp);
    if (record.page_path !== undefined && pageEvents.has(record.event_type ?? "")) span.pages++;
    spans.set(record.session_id, span);
  }
  let duration = 0;
  let pages = 0;
  let bounces = 0;
  for (const span of spans.values()) {
    duration += span.last - span.first;
    pages += span.pages;
    if (span.pages <= 1) bounces++;
  }
  const sessions = spans.size;
  const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    sessions,
    bounces,
    bounce_rate: round(bounces / sessions, 4),
    avg_duration_s: round(duration / sessions / 1000, 3),
    pages_per_session: round(pages / sessions, 3),
  };
}

/** Sessions reaching each funnel step in one window's records (steps seen, in any order). */
export function funnelReached(records: LogRecord[], steps: string[]): number[] {
  const seen = new Map<string, Set<string>>();
  for (const record of records) {
    if (record.session_id === undefined || !steps.includes(record.event_type ?? "")) continue;
    const set = seen.get(record.session_id) ?? new Set<string>();
    set.add(record.event_type!);
    seen.set(record.session_id, set);
  }
  return steps.map((_, index) =>
    [...seen.values()].filter((set) => steps.slice(0, index + 1).every((s) => set.has(s))).length
  );
}

/** Every row of a result table for the given dates, by window start (ms). */
export async function readTable(
  test: TestPipeline,
  table: string,
  dates: Iterable<string>,
  hourly = false,
): Promise<Map<number, Record<string, unknown>[]>> {
  // Hourly tables are partitioned by (date, hour).
  const hours = hourly
    ? ` AND hour IN (${Array.from({ length: 24 }, (_, h) => h).join(", ")})`
    : "";
  const windows = new Map<number, Record<string, unknown>[]>();
  for (const date of new Set(dates)) {
    const found = await test.cassandra.execute(
      `SELECT * FROM ${test.keyspace}.${table} WHERE date = ?${hours}`,
      [date],
      { prepare: true, fetchSize: 100_000 },
    );
    for (const row of found.rows) {
      // Sub-day windows: window_start; hours: (date, hour); days: date (UTC pipelines).
      const start = row.get("window_start") instanceof Date
        ? (row.get("window_start") as Date).getTime()
        : Date.parse(`${date}T00:00:00Z`) + Number(row.get("hour") ?? 0) * HOUR;
      const object: Record<string, unknown> = {};
      for (const column of found.columns) {
        const value = row.get(column.name);
        object[column.name] = typeof value === "object" && value !== null &&
            "toNumber" in value
          ? (value as { toNumber(): number }).toNumber()
          : value;
      }
      const list = windows.get(start) ?? [];
      list.push(object);
      windows.set(start, list);
    }
  }
  return windows;
}
