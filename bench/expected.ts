/**
 * The bench's seeded traffic and the results it must produce, computed by plain counting over
 * the generated events, independently of the aggregation plugins (like the pipeline tests do).
 *
 * @module
 */
import type { ResultRow } from "../lib/contracts.ts";
import type { AggregationEntry } from "../lib/config/pipeline.ts";
import type { LogRecord } from "../lib/records.ts";
import { generateTraffic, type TrafficOptions } from "../lib/traffic/simulate.ts";

const DAY_MS = 86_400_000;

/**
 * The bench's input, shaped like the shipped pipeline's: timestamps over two days starting three
 * days ago, 0.5% malformed, 2% late, 20% combined-format lines, the rest JSON.
 *
 * @param count Events to generate.
 * @param now Reference time, ms since epoch.
 * @returns Traffic options for `generateTraffic` / `produceTraffic`.
 *
 * @example
 * ```ts
 * import { benchTraffic } from "./expected.ts";
 * console.assert(benchTraffic(10).count === 10);
 * ```
 */
export function benchTraffic(count: number, now: number = Date.now()): TrafficOptions {
  return {
    seed: 20261122,
    count,
    start: now - 3 * DAY_MS,
    spanMs: 2 * DAY_MS,
    malformedShare: 0.005,
    lateShare: 0.02,
    combinedShare: 0.2,
  };
}

/** What one aggregation must hold: counts per window, and records per window. */
export interface ExpectedAggregation {
  /** Aggregation name. */
  name: string;
  /** Plugin name (`top_pages`, `status_counts`). */
  plugin: string;
  /** Window size. */
  granularity: "hour" | "day";
  /** Window key (`YYYY-MM-DD` or `YYYY-MM-DDTHH`) → key → count. */
  counts: Map<string, Map<string, number>>;
  /** Window key → valid records in the window. */
  records: Map<string, number>;
  /** The finished rows of a window, as the plugin must produce them. */
  rows(windowKey: string): ResultRow[];
}

/** Everything the pipeline must hold after processing the bench's events. */
export interface Expected {
  /** Events generated. */
  events: number;
  /** Valid records (rows `log` must hold). */
  valid: number;
  /** Malformed events (dead letters). */
  malformed: number;
  /** `log` rows per UTC bucket, keyed `YYYY-MM-DD/H`. */
  buckets: Map<string, number>;
  /** Every UTC date holding a valid record, sorted. */
  days: string[];
  /** Aggregations the bench can check, by name. */
  aggregations: Map<string, ExpectedAggregation>;
  /** Aggregations whose plugin the bench does not know (not checked). */
  unchecked: string[];
}

/**
 * Counts what the bench sends: generates the same seeded events again and counts them.
 *
 * @param traffic The traffic that was (or will be) produced.
 * @param aggregations The pipeline's aggregations (plugin name and validated options are read).
 * @returns The expected contents.
 */
export function expectedFrom(
  traffic: TrafficOptions,
  aggregations: readonly AggregationEntry[],
): Expected {
  const counters = aggregations.flatMap((entry) => {
    const counter = counterFor(entry);
    return counter === undefined ? [] : [counter];
  });
  const expected: Expected = {
    events: 0,
    valid: 0,
    malformed: 0,
    buckets: new Map(),
    days: [],
    aggregations: new Map(counters.map((counter) => [counter.expected.name, counter.expected])),
    unchecked: aggregations.filter((entry) => counterFor(entry) === undefined).map((e) => e.name),
  };
  const days = new Set<string>();
  for (const event of generateTraffic(traffic)) {
    expected.events++;
    const record = event.record;
    if (record === undefined) {
      expected.malformed++;
      continue;
    }
    expected.valid++;
    const iso = new Date(record.timestamp).toISOString();
    const day = iso.slice(0, 10);
    const hourKey = iso.slice(0, 13);
    days.add(day);
    const bucket = `${day}/${Number(iso.slice(11, 13))}`;
    expected.buckets.set(bucket, (expected.buckets.get(bucket) ?? 0) + 1);
    for (const counter of counters) {
      counter.add(counter.expected.granularity === "day" ? day : hourKey, record);
    }
  }
  expected.days = [...days].sort();
  return expected;
}

interface Counter {
  expected: ExpectedAggregation;
  add(windowKey: string, record: LogRecord): void;
}

function counterFor(entry: AggregationEntry): Counter | undefined {
  const options = entry.options as Record<string, unknown>;
  // The bench checks the shipped pipeline's hour and day windows.
  const granularity: "hour" | "day" | undefined = entry.window.size === "1h"
    ? "hour"
    : entry.window.size === "1d"
    ? "day"
    : undefined;
  if (granularity === undefined) return undefined;
  const counts = new Map<string, Map<string, number>>();
  const records = new Map<string, number>();
  const bump = (windowKey: string, key: string | undefined) => {
    records.set(windowKey, (records.get(windowKey) ?? 0) + 1);
    if (key === undefined) return;
    let window = counts.get(windowKey);
    if (window === undefined) counts.set(windowKey, window = new Map());
    window.set(key, (window.get(key) ?? 0) + 1);
  };
  const base = { name: entry.name, plugin: entry.plugin.name, granularity, counts, records };
  if (entry.plugin.name === "top_pages") {
    const n = Number(options.n ?? 10);
    return {
      expected: {
        ...base,
        rows: (windowKey) =>
          [...(counts.get(windowKey) ?? new Map<string, number>())]
            .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
            .slice(0, n)
            .map(([page, visits], index) => ({ key: page, values: { visits, rank: index + 1 } })),
      },
      add: (windowKey, record) => bump(windowKey, pageOf(record, options)),
    };
  }
  if (entry.plugin.name === "status_counts") {
    return {
      expected: {
        ...base,
        rows: (windowKey) => {
          const codes = [...(counts.get(windowKey) ?? new Map<string, number>())]
            .sort(([a], [b]) => Number(a) - Number(b));
          const classes = new Map<string, number>();
          for (const [code, count] of codes) {
            classes.set(`${code[0]}xx`, (classes.get(`${code[0]}xx`) ?? 0) + count);
          }
          return [...codes, ...[...classes].sort(([a], [b]) => (a < b ? -1 : 1))]
            .map(([key, count]) => ({ key, values: { count } }));
        },
      },
      add: (windowKey, record) =>
        record.status === undefined ? undefined : bump(windowKey, String(record.status)),
    };
  }
  return undefined;
}

const ASSET_SUFFIXES = [".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".woff"]
  .concat([".woff2", ".map", ".webp"]);
const BOT_WORDS = ["bot", "crawler", "spider", "slurp", "curl", "wget"];

/** The page `top_pages` (as documented by its options) counts a record for, if any. */
function pageOf(record: LogRecord, options: Record<string, unknown>): string | undefined {
  const raw = options.page_field === "http_referrer"
    ? record.http_referrer
    : record.page_path ?? record.request_uri;
  if (raw === undefined || raw === "" || raw === "-") return undefined;
  const cut = raw.search(/[?#]/);
  const path = cut === -1 ? raw : raw.slice(0, cut);
  const lower = path.toLowerCase();
  if (options.exclude_static !== false && ASSET_SUFFIXES.some((s) => lower.endsWith(s))) {
    return undefined;
  }
  const agent = (record.http_user_agent ?? "").toLowerCase();
  if (options.exclude_bots === true && BOT_WORDS.some((word) => agent.includes(word))) {
    return undefined;
  }
  const statuses = options.statuses as string[] | undefined;
  if (
    statuses !== undefined &&
    (record.status === undefined || !statuses.includes(`${Math.floor(record.status / 100)}xx`))
  ) {
    return undefined;
  }
  return options.strip_query === false ? raw : path;
}
