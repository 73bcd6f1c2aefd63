/**
 * The parameters of `GET /api/results/{aggregation}`, validated: a range of local dates and a
 * format. Every refusal says which parameter was wrong, what was expected and what was found.
 *
 * @module
 */
import { z } from "zod";
import { errorText } from "../errors.ts";

/** Most days one request may cover: the cost of a request stays bounded. */
export const MAX_RANGE_DAYS = 92;

/** A validated results query. */
export interface ResultsQuery {
  /** First local date, `YYYY-MM-DD`. */
  from: string;
  /** Last local date, included. */
  to: string;
  /** Response format. */
  format: "json" | "csv";
  /** `previous`: also answer for the period of equal length before `from`. */
  compare?: "previous";
  /** Series only: the step (`1h`, `1d`, `1w`). */
  step?: "1h" | "1d" | "1w";
  /** Results only, for CSV: one line per row of each window (default) or of the range. */
  rows?: "windows" | "range";
}

/** Which endpoint a query is for: each takes its own parameters. */
export type QueryKind = "results" | "series";

const PARAMETERS: Record<QueryKind, string[]> = {
  results: ["from", "to", "format", "compare", "rows"],
  series: ["from", "to", "format", "compare", "step"],
};

const DAY_MS = 86_400_000;

const isoDate = (name: string) =>
  z.string().refine(
    (value) => {
      const time = Date.parse(`${value}T00:00:00Z`);
      return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(time) &&
        new Date(time).toISOString().slice(0, 10) === value;
    },
    {
      error: (issue) => `${name}: expected a date YYYY-MM-DD, found ${JSON.stringify(issue.input)}`,
    },
  );

const querySchema = z.strictObject({
  from: isoDate("from").optional(),
  to: isoDate("to").optional(),
  format: z.enum(["json", "csv"], {
    error: (issue) => `format: expected json or csv, found ${JSON.stringify(issue.input)}`,
  }).default("json"),
  compare: z.enum(["previous"], {
    error: (issue) => `compare: expected previous, found ${JSON.stringify(issue.input)}`,
  }).optional(),
  step: z.enum(["1h", "1d", "1w"], {
    error: (issue) => `step: expected 1h, 1d or 1w, found ${JSON.stringify(issue.input)}`,
  }).optional(),
  rows: z.enum(["windows", "range"], {
    error: (issue) => `rows: expected windows or range, found ${JSON.stringify(issue.input)}`,
  }).optional(),
});

/**
 * Reads and checks the query parameters (`token` is the auth layer's and ignored here).
 *
 * @param params The URL's search parameters.
 * @param today Today's local date, used when `from` is missing (`to` defaults to `from`).
 * @param kind Which endpoint: `results` takes `rows`, `series` takes `step`.
 * @returns The query, or the reason it is refused.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseResultsQuery } from "./results_query.ts";
 * const ok = parseResultsQuery(new URLSearchParams("from=2026-11-20&to=2026-11-21"), "2026-11-23");
 * assert.deepEqual(ok, { ok: true, query: { from: "2026-11-20", to: "2026-11-21", format: "json" } });
 * const bad = parseResultsQuery(new URLSearchParams("from=2026-02-30"), "2026-11-23");
 * assert.deepEqual(bad, { ok: false, reason: 'from: expected a date YYYY-MM-DD, found "2026-02-30"' });
 * ```
 */
export function parseResultsQuery(
  params: URLSearchParams,
  today: string,
  kind: QueryKind = "results",
): { ok: true; query: ResultsQuery } | { ok: false; reason: string } {
  const raw: Record<string, string> = {};
  const allowed = PARAMETERS[kind];
  for (const [name, value] of params) {
    if (name === "token") continue;
    if (!allowed.includes(name)) {
      return {
        ok: false,
        reason: `unknown parameter '${name}'; expected ${allowed.join(", ")}`,
      };
    }
    if (name in raw) return { ok: false, reason: `${name}: given more than once` };
    raw[name] = value;
  }
  const parsed = querySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const reason = issue.code === "unrecognized_keys"
      ? `unknown parameter ${issue.keys.map((key) => `'${key}'`).join(", ")}; ` +
        `expected ${allowed.join(", ")}`
      : issue.message;
    return { ok: false, reason };
  }
  const from = parsed.data.from ?? parsed.data.to ?? today;
  const to = parsed.data.to ?? from;
  if (to < from) return { ok: false, reason: `to (${to}) is before from (${from})` };
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days > MAX_RANGE_DAYS) {
    return {
      ok: false,
      reason: `from..to covers ${days} days; at most ${MAX_RANGE_DAYS} per request`,
    };
  }
  const { format, compare, step, rows } = parsed.data;
  return {
    ok: true,
    query: {
      from,
      to,
      format,
      ...(compare === undefined ? {} : { compare }),
      ...(step === undefined ? {} : { step }),
      ...(rows === undefined ? {} : { rows }),
    },
  };
}

/** The local date (`YYYY-MM-DD`) of an instant in an IANA time zone. */
export function localDate(at: number, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).format(at);
  } catch (error) {
    throw new Error(`time zone ${timeZone}: ${errorText(error)}`);
  }
}
