/**
 * Day words in `deno task cql` statements: `'today'` and `'yesterday'` stand for those local
 * dates, so a documented query works on any day.
 *
 * @module
 */
import { resolveSelection } from "../lib/batch/window_selection.ts";

/** What {@linkcode withDayWords} made of a statement. */
export interface ResolvedStatement {
  /** The statement with every day word replaced by its date. */
  statement: string;
  /** The day words found, each with the date it stands for, e.g. `today = 2026-12-07`. */
  replaced: string[];
}

/**
 * Replaces the CQL string literals `'today'` and `'yesterday'` (any case) with the local date
 * (`'YYYY-MM-DD'`) they name at `now` in `timeZone`, the way a schedule's `windows: today`
 * does. Only whole literals are replaced: `'today's pages'` or a column named `today` stay.
 *
 * @param statement A CQL statement.
 * @param timeZone The IANA time zone the result tables' dates are in (`runtime.time_zone`).
 * @param now The instant "today" is taken at.
 * @returns The statement to run, and what was replaced.
 * @throws when `timeZone` is not a time zone.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { withDayWords } from "./cql_dates.ts";
 *
 * const { statement } = withDayWords(
 *   "SELECT * FROM web_analytics.results WHERE date = 'today'",
 *   "UTC",
 *   Date.UTC(2026, 11, 7, 16),
 * );
 * assert.equal(statement, "SELECT * FROM web_analytics.results WHERE date = '2026-12-07'");
 * ```
 */
export function withDayWords(statement: string, timeZone: string, now: number): ResolvedStatement {
  const replaced = new Map<string, string>();
  // Every string literal as a whole (a quote inside one is doubled), so 'today''s' is no day word.
  const resolved = statement.replace(/'(?:[^']|'')*'/g, (literal) => {
    const kind = literal.slice(1, -1).toLowerCase();
    if (kind !== "today" && kind !== "yesterday") return literal;
    const date = resolveSelection({ kind }, timeZone, now).from;
    replaced.set(kind, date);
    return `'${date}'`;
  });
  return {
    statement: resolved,
    replaced: [...replaced].map(([word, date]) => `${word} = ${date}`),
  };
}
