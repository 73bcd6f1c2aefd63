/**
 * Parses a schedule's `windows:` value.
 *
 * @module
 */
import type { WindowSelection } from "./pipeline.ts";
import { describeValue } from "./zod_issues.ts";

/** Largest N accepted in `last_N_days`. */
const MAX_LAST_DAYS = 366;

/** A parsed selection, or why the value is not one (with the sub-path of the bad part). */
export type WindowsParse =
  | { ok: true; windows: WindowSelection }
  | { ok: false; message: string; path: (string | number)[] };

const EXPECTED = "expected today, yesterday, last_N_days (N 1..366) or { from: YYYY-MM-DD, " +
  "to: YYYY-MM-DD }";

/**
 * Reads `today`, `yesterday`, `last_N_days` or `{ from: YYYY-MM-DD, to: YYYY-MM-DD }`.
 *
 * @param value The YAML value.
 * @returns The selection, or a message saying what was expected and found.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseWindows } from "./windows.ts";
 * assert.deepEqual(parseWindows("last_7_days"), { ok: true, windows: { kind: "last_days", days: 7 } });
 * assert.equal(parseWindows("last_0_days").ok, false);
 * ```
 */
export function parseWindows(value: unknown): WindowsParse {
  if (value === "today" || value === "yesterday") return { ok: true, windows: { kind: value } };
  if (typeof value === "string") {
    const last = /^last_(\d+)_days$/.exec(value);
    const days = Number(last?.[1]);
    if (last && days >= 1 && days <= MAX_LAST_DAYS) {
      return { ok: true, windows: { kind: "last_days", days } };
    }
    return { ok: false, message: `${EXPECTED}, found ${describeValue(value)}`, path: [] };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: `${EXPECTED}, found ${describeValue(value)}`, path: [] };
  }
  const range = value as Record<string, unknown>;
  for (const key of Object.keys(range)) {
    if (key !== "from" && key !== "to") {
      return { ok: false, message: `unknown key '${key}' (expected from and to)`, path: [key] };
    }
  }
  for (const key of ["from", "to"] as const) {
    if (!isDate(range[key])) {
      return {
        ok: false,
        message: `expected a date YYYY-MM-DD, found ${describeValue(range[key])}`,
        path: [key],
      };
    }
  }
  const from = range.from as string;
  const to = range.to as string;
  if (from > to) {
    return { ok: false, message: `expected 'from' (${from}) on or before 'to' (${to})`, path: [] };
  }
  return { ok: true, windows: { kind: "range", from, to } };
}

/** Whether `value` is a real calendar date written `YYYY-MM-DD`. */
function isDate(value: unknown): value is string {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * Renders a selection as written in pipeline.yaml, for `--check` output.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { describeWindows } from "./windows.ts";
 * assert.equal(describeWindows({ kind: "last_days", days: 7 }), "last 7 days");
 * ```
 */
export function describeWindows(windows: WindowSelection): string {
  switch (windows.kind) {
    case "today":
    case "yesterday":
      return windows.kind;
    case "last_days":
      return `last ${windows.days} day${windows.days === 1 ? "" : "s"}`;
    case "range":
      return `${windows.from} to ${windows.to}`;
  }
}
