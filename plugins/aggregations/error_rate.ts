/**
 * `error_rate`: the share of 4xx and 5xx responses per window, overall and per path prefix.
 *
 * @module
 */
import {
  type AggregationPlugin,
  keyedAggregation,
  type KeyedValues,
  type LogRecord,
  percentOf,
  type ResultRow,
  withoutQuery,
  z,
} from "../../lib/sdk/mod.ts";

/** The key of the row over every response of the window. */
export const ALL_PATHS = "*";
/** The key of requests under none of the configured prefixes. */
export const OTHER_PATHS = "(other)";

const options = z.strictObject({
  prefixes: z.array(z.string().regex(/^\/.{0,255}$/, "a path starting with /")).min(1).optional()
    .describe(
      "Path prefixes to report on their own (the longest matching one wins; /checkout " +
        "matches /checkout and /checkout/pay, not /checkouts); requests under none count " +
        "as (other). When omitted, each first path segment is a prefix (/checkout, /api).",
    )
    .meta({ examples: [["/checkout", "/api", "/products"]] }),
  n: z.number().int().min(1).max(1000).default(20)
    .describe("How many prefixes to report (those with the most requests).")
    .meta({ examples: [20] }),
});

/** Validated `error_rate` options. */
export type ErrorRateOptions = z.output<typeof options>;

/** Responses of one prefix: all, client errors (4xx), server errors (5xx). */
export interface ResponseCounts {
  /** All responses. */
  requests: number;
  /** 4xx responses. */
  client_errors: number;
  /** 5xx responses. */
  server_errors: number;
}

/** Response counts by path prefix. */
export type ErrorRateState = KeyedValues<ResponseCounts>;

/** The `error_rate` aggregation plugin. */
const errorRate: AggregationPlugin<ErrorRateOptions, ErrorRateState> = {
  kind: "aggregation",
  name: "error_rate",
  summary: "Share of 4xx and 5xx responses per window, overall and per path prefix.",
  description: "Counts web-server responses (records with a status; events are skipped) per " +
    "path prefix of request_uri. Row `*` covers every response; the N prefixes with the " +
    "most requests follow. Each row: requests, 4xx and 5xx counts and their shares, and the " +
    "error rate (4xx + 5xx), in percent with two decimals.",
  options,
  example: { prefixes: ["/checkout", "/api"] },
  chart: "line",
  create(settings) {
    const prefixes = [...settings.prefixes ?? []].sort((a, b) => b.length - a.length);
    const prefixOf = (path: string): string => {
      if (settings.prefixes === undefined) {
        const end = path.indexOf("/", 1);
        return end < 0 ? path : path.slice(0, end);
      }
      const match = prefixes.find((prefix) =>
        path === prefix || (path.startsWith(prefix) &&
          (prefix.endsWith("/") || path[prefix.length] === "/"))
      );
      return match ?? OTHER_PATHS;
    };
    const keyOf = (record: LogRecord): string | undefined =>
      record.status === undefined || record.request_uri === undefined
        ? undefined
        : prefixOf(withoutQuery(record.request_uri));
    const row = (key: string, counts: ResponseCounts): ResultRow => ({
      key,
      values: {
        requests: counts.requests,
        client_errors: counts.client_errors,
        server_errors: counts.server_errors,
        client_error_pct: percentOf(counts.client_errors, counts.requests),
        server_error_pct: percentOf(counts.server_errors, counts.requests),
        error_pct: percentOf(counts.client_errors + counts.server_errors, counts.requests),
      },
    });
    return keyedAggregation<ResponseCounts>({
      shape: {
        key: { name: "path_prefix", type: "text" },
        values: [
          { name: "requests", type: "bigint" },
          { name: "client_errors", type: "bigint" },
          { name: "server_errors", type: "bigint" },
          { name: "client_error_pct", type: "double" },
          { name: "server_error_pct", type: "double" },
          { name: "error_pct", type: "double" },
        ],
      },
      keyOf,
      start: () => ({ requests: 0, client_errors: 0, server_errors: 0 }),
      add(counts, record) {
        counts.requests++;
        const status = record.status!;
        if (status >= 400 && status < 500) counts.client_errors++;
        else if (status >= 500) counts.server_errors++;
        return counts;
      },
      merge(into, other) {
        into.requests += other.requests;
        into.client_errors += other.client_errors;
        into.server_errors += other.server_errors;
        return into;
      },
      finish(byPrefix) {
        if (byPrefix.size === 0) return [];
        const all = { requests: 0, client_errors: 0, server_errors: 0 };
        for (const counts of byPrefix.values()) {
          all.requests += counts.requests;
          all.client_errors += counts.client_errors;
          all.server_errors += counts.server_errors;
        }
        const ranked = [...byPrefix]
          .sort(([a, x], [b, y]) => y.requests - x.requests || (a < b ? -1 : a > b ? 1 : 0))
          .slice(0, settings.n);
        return [row(ALL_PATHS, all), ...ranked.map(([prefix, counts]) => row(prefix, counts))];
      },
    });
  },
};

export default errorRate;
