/**
 * Conditions without code: one small, safe form for "which records" that `pipeline.yaml`
 * writes as data, used by the `filter` transform and by `where:` on any aggregation.
 *
 * ```yaml
 * { field: device, equals: mobile }            # text equality (numbers compare as text)
 * { field: country, in: [DE, AT, CH] }         # one of a list
 * { field: page_path, prefix: /shop/ }         # starts with
 * { field: page_path, matches: "^/p/[0-9]+$" } # regular expression (JavaScript syntax)
 * { field: price, gte: 100 }                   # numeric: gt, gte, lt, lte (may be combined)
 * { field: user_id, exists: true }             # set (or, with false, absent)
 * { all: [ ... ] }  { any: [ ... ] }  { not: { ... } }
 * ```
 *
 * A field is a record field (`device`, `status`, `utm_campaign`, ...) or, when the record has
 * no such field, a key of its `props` (`price`, `referrer_channel`; `props.price` reads `props`
 * only). Nothing is evaluated as
 * code: a condition is parsed once into a tree and tested by walking it.
 *
 * @module
 */
import type { LogRecord } from "../records.ts";

/** A parsed condition. */
export type Condition =
  | { field: string; equals: string }
  | { field: string; in: string[] }
  | { field: string; prefix: string }
  | { field: string; matches: RegExp }
  | { field: string; exists: boolean }
  | { field: string; range: NumericRange }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** Bounds of a numeric comparison; each is optional, all that are set must hold. */
export interface NumericRange {
  /** Greater than. */
  gt?: number;
  /** Greater than or equal. */
  gte?: number;
  /** Less than. */
  lt?: number;
  /** Less than or equal. */
  lte?: number;
}

/** A problem of a condition as written, at a path below the condition. */
export interface ConditionIssue {
  /** Keys and indexes from the condition's root to the problem. */
  path: (string | number)[];
  /** What is wrong and what to write instead. */
  message: string;
}

const TESTS = ["equals", "in", "prefix", "matches", "exists", "gt", "gte", "lt", "lte"] as const;
const COMBINATORS = ["all", "any", "not"] as const;
const NUMERIC = ["gt", "gte", "lt", "lte"] as const;
const FORM = "a condition is { field: NAME, equals | in | prefix | matches | exists | gt | gte | " +
  "lt | lte: VALUE }, or { all: [...] }, { any: [...] } or { not: {...} }";

/**
 * Parses a condition as written in pipeline.yaml.
 *
 * @param value The YAML value.
 * @returns The condition, or every problem found, each at its path.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseCondition } from "./condition.ts";
 * assert.equal(parseCondition({ field: "device", equals: "mobile" }).ok, true);
 * const bad = parseCondition({ any: [{ field: "x", matches: "(" }] });
 * assert.equal(bad.ok, false);
 * if (!bad.ok) assert.deepEqual(bad.issues[0]?.path, ["any", 0, "matches"]);
 * ```
 */
export function parseCondition(
  value: unknown,
): { ok: true; condition: Condition } | { ok: false; issues: ConditionIssue[] } {
  const issues: ConditionIssue[] = [];
  const condition = parseAt(value, [], issues);
  return issues.length === 0 && condition !== undefined
    ? { ok: true, condition }
    : { ok: false, issues };
}

function parseAt(
  value: unknown,
  path: (string | number)[],
  issues: ConditionIssue[],
): Condition | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.push({ path, message: `expected a mapping: ${FORM}; found ${JSON.stringify(value)}` });
    return undefined;
  }
  const entries = value as Record<string, unknown>;
  const keys = Object.keys(entries);
  const combinator = COMBINATORS.find((name) => keys.includes(name));
  if (combinator !== undefined) {
    const extra = keys.filter((key) => key !== combinator);
    if (extra.length > 0) {
      issues.push({
        path: [...path, extra[0]!],
        message: `'${combinator}' stands alone; move '${extra[0]}' into a condition of its list`,
      });
      return undefined;
    }
    const inner = entries[combinator];
    if (combinator === "not") {
      const condition = parseAt(inner, [...path, "not"], issues);
      return condition && { not: condition };
    }
    if (!Array.isArray(inner) || inner.length === 0) {
      issues.push({
        path: [...path, combinator],
        message: `expected a non-empty list of conditions, found ${JSON.stringify(inner)}`,
      });
      return undefined;
    }
    const parts = inner.map((item, index) => parseAt(item, [...path, combinator, index], issues));
    if (parts.some((part) => part === undefined)) return undefined;
    return combinator === "all" ? { all: parts as Condition[] } : { any: parts as Condition[] };
  }
  return parseTest(entries, keys, path, issues);
}

function parseTest(
  entries: Record<string, unknown>,
  keys: string[],
  path: (string | number)[],
  issues: ConditionIssue[],
): Condition | undefined {
  const field = entries.field;
  if (typeof field !== "string" || field === "") {
    issues.push({
      path: "field" in entries ? [...path, "field"] : path,
      message: `expected field: NAME (a record field or a props key); ${FORM}`,
    });
    return undefined;
  }
  const unknown = keys.filter((key) =>
    key !== "field" && !(TESTS as readonly string[]).includes(key)
  );
  if (unknown.length > 0) {
    issues.push({
      path: [...path, unknown[0]!],
      message: `unknown test '${unknown[0]}'; expected one of ${TESTS.join(", ")}`,
    });
    return undefined;
  }
  const tests = keys.filter((key) => key !== "field");
  const numeric = tests.filter((key) => (NUMERIC as readonly string[]).includes(key));
  if (tests.length === 0 || (tests.length > 1 && numeric.length !== tests.length)) {
    issues.push({
      path,
      message: tests.length === 0
        ? `field '${field}' has no test; add one of ${TESTS.join(", ")}`
        : `one test per condition (found ${tests.join(", ")}); combine them with all: [...]`,
    });
    return undefined;
  }
  const test = tests[0]!;
  const value = entries[test];
  const at = [...path, test];
  const fail = (message: string) => (issues.push({ path: at, message }), undefined);
  if (numeric.length > 0) {
    const range: NumericRange = {};
    for (const bound of numeric) {
      const limit = entries[bound];
      if (typeof limit !== "number" || !Number.isFinite(limit)) {
        issues.push({
          path: [...path, bound],
          message: `expected a number, found ${JSON.stringify(limit)}`,
        });
        return undefined;
      }
      range[bound as keyof NumericRange] = limit;
    }
    return { field, range };
  }
  switch (test) {
    case "equals":
    case "prefix":
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
        return test === "equals"
          ? { field, equals: String(value) }
          : { field, prefix: String(value) };
      }
      return fail(`expected a text or a number, found ${JSON.stringify(value)}`);
    case "in":
      if (Array.isArray(value) && value.length > 0 && value.every(isScalar)) {
        return { field, in: value.map(String) };
      }
      return fail(`expected a non-empty list of texts or numbers, found ${JSON.stringify(value)}`);
    case "exists":
      if (typeof value === "boolean") return { field, exists: value };
      return fail(`expected true or false, found ${JSON.stringify(value)}`);
    default: // matches
      if (typeof value !== "string") {
        return fail(`expected a regular expression as text, found ${JSON.stringify(value)}`);
      }
      try {
        return { field, matches: new RegExp(value) };
      } catch (error) {
        return fail(
          `invalid regular expression ${JSON.stringify(value)}: ${(error as Error).message}`,
        );
      }
  }
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/**
 * A field of a record as text or number: the record's own field when it has one, else the
 * key of its `props` (`props.<key>` reads `props` only); undefined when neither is set.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { fieldOf } from "./condition.ts";
 * const record = { timestamp: 0, device: "mobile", props: { price: "9.5" } };
 * assert.equal(fieldOf(record, "device"), "mobile");
 * assert.equal(fieldOf(record, "price"), "9.5");
 * assert.equal(fieldOf(record, "__proto__"), undefined);
 * ```
 */
export function fieldOf(record: LogRecord, field: string): string | number | undefined {
  const props = record.props;
  if (field.startsWith("props.")) {
    const key = field.slice("props.".length);
    return props !== undefined && Object.hasOwn(props, key) ? props[key] : undefined;
  }
  if (field !== "props" && Object.hasOwn(record, field)) {
    const value = (record as unknown as Record<string, unknown>)[field];
    if (typeof value === "string" || typeof value === "number") return value;
  }
  return props !== undefined && Object.hasOwn(props, field) ? props[field] : undefined;
}

/**
 * Whether a record meets a condition.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { matchesCondition, parseCondition } from "./condition.ts";
 * const parsed = parseCondition({ all: [{ field: "device", in: ["mobile", "tablet"] },
 *   { not: { field: "status", gte: 400 } }] });
 * if (!parsed.ok) throw new Error("invalid");
 * assert.equal(matchesCondition(parsed.condition, { timestamp: 0, device: "mobile", status: 200 }), true);
 * assert.equal(matchesCondition(parsed.condition, { timestamp: 0, device: "mobile", status: 404 }), false);
 * ```
 */
export function matchesCondition(condition: Condition, record: LogRecord): boolean {
  if ("all" in condition) return condition.all.every((part) => matchesCondition(part, record));
  if ("any" in condition) return condition.any.some((part) => matchesCondition(part, record));
  if ("not" in condition) return !matchesCondition(condition.not, record);
  const value = fieldOf(record, condition.field);
  if ("exists" in condition) return (value !== undefined) === condition.exists;
  if (value === undefined) return false;
  if ("range" in condition) return inRange(value, condition.range);
  const text = String(value);
  if ("equals" in condition) return text === condition.equals;
  if ("in" in condition) return condition.in.includes(text);
  if ("prefix" in condition) return text.startsWith(condition.prefix);
  return condition.matches.test(text);
}

function inRange(value: string | number, range: NumericRange): boolean {
  const number = typeof value === "number" ? value : value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(number)) return false;
  return (range.gt === undefined || number > range.gt) &&
    (range.gte === undefined || number >= range.gte) &&
    (range.lt === undefined || number < range.lt) &&
    (range.lte === undefined || number <= range.lte);
}

/**
 * Compiles a parsed condition into a test of records.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { compileCondition, parseCondition } from "./condition.ts";
 * const parsed = parseCondition({ field: "page_path", prefix: "/shop" });
 * if (!parsed.ok) throw new Error("invalid");
 * const test = compileCondition(parsed.condition);
 * assert.equal(test({ timestamp: 0, page_path: "/shop/1" }), true);
 * ```
 */
export function compileCondition(condition: Condition): (record: LogRecord) => boolean {
  return (record) => matchesCondition(condition, record);
}
