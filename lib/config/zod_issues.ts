/**
 * Runs a zod schema over part of the configuration and turns its issues into readable
 * messages ("expected an integer, found "ten"") reported at the right path.
 *
 * @module
 */
import { z } from "zod";
import type { PathSegment } from "./issues.ts";
import { didYouMean } from "./suggest.ts";
import { errorText } from "../errors.ts";

/** Receives one problem at a configuration path (`target: "key"` points at the key itself). */
export type Report = (path: PathSegment[], message: string, target?: "value" | "key") => void;

/**
 * Validates `value` with `schema`, reporting every issue under `basePath`.
 *
 * Messages a schema sets itself (e.g. `.regex(re, "must be ...")`) are kept; the others say
 * what was expected and what was found. Unknown keys are reported one by one at the key, with
 * a suggestion among the keys the schema knows.
 *
 * @param schema Zod schema (a plugin's `options`, or one of the loader's own).
 * @param value Data to validate.
 * @param basePath Where `value` sits in the configuration.
 * @param report Receives each problem.
 * @returns The parsed value, or undefined when invalid.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { z } from "zod";
 * import { validateAt } from "./zod_issues.ts";
 * const messages: string[] = [];
 * const schema = z.strictObject({ n: z.number().int() });
 * const report = (path: unknown[], message: string) => messages.push(`${path.join(".")}: ${message}`);
 * validateAt(schema, { n: 1.5, colour: "red" }, ["options"], report);
 * assert.deepEqual(messages, [
 *   "options.n: expected an integer, found 1.5",
 *   "options.colour: unknown key 'colour'; known keys: n",
 * ]);
 * ```
 */
export function validateAt<T>(
  schema: z.ZodType<T>,
  value: unknown,
  basePath: PathSegment[],
  report: Report,
): T | undefined {
  let result: z.ZodSafeParseResult<T>;
  try {
    result = schema.safeParse(value, { error: describeIssue });
  } catch (error) {
    report(basePath, `options could not be validated: ${errorText(error, { firstLine: true })}`);
    return undefined;
  }
  if (result.success) return result.data;
  reportIssues(result.error.issues, schema, basePath, report);
  return undefined;
}

function reportIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  basePath: PathSegment[],
  report: Report,
): void {
  for (const issue of issues) {
    const path = [...basePath, ...issue.path.filter(isPathSegment)];
    if (issue.code === "unrecognized_keys") {
      const known = keysAt(schema, issue.path.filter(isPathSegment));
      for (const key of issue.keys) {
        report([...path, key], `unknown key '${key}'${suggestionOrList(key, known)}`, "key");
      }
    } else if (issue.code === "invalid_union" && issue.discriminator === undefined) {
      // A union whose branch matched the type but failed deeper: report that branch's issues.
      const deeper = issue.errors.find((branch) =>
        branch.length > 0 && branch.every((inner) => inner.path.length > 0)
      );
      if (deeper) reportIssues(deeper, schema, path, report);
      else report(path, issue.message);
    } else {
      report(path, issue.message);
    }
  }
}

function suggestionOrList(key: string, known: string[]): string {
  const suggestion = didYouMean(key, known);
  if (suggestion || known.length === 0) return suggestion;
  return `; known keys: ${known.join(", ")}`;
}

/**
 * Builds the message for one zod issue; used as zod's per-parse error map, so schema-defined
 * messages still win.
 */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  const found = describeValue(issue.input);
  switch (issue.code) {
    case "invalid_type": {
      const expected = expectedName(String(issue.expected));
      return issue.input === undefined
        ? `expected ${expected}, found nothing (missing required key)`
        : `expected ${expected}, found ${found}`;
    }
    case "invalid_value": {
      const values = issue.values.map((value) => JSON.stringify(value));
      const expected = values.length === 1 ? values[0] : `one of ${values.join(", ")}`;
      const suggestion = typeof issue.input === "string"
        ? didYouMean(issue.input, issue.values.filter((v) => typeof v === "string"))
        : "";
      return `expected ${expected}, found ${found}${suggestion}`;
    }
    case "too_small":
      return `expected ${bound(issue.origin, issue.minimum, issue.inclusive, "min")}, found ${
        sizeOf(issue.origin, issue.input)
      }`;
    case "too_big":
      return `expected ${bound(issue.origin, issue.maximum, issue.inclusive, "max")}, found ${
        sizeOf(issue.origin, issue.input)
      }`;
    case "invalid_format":
      return issue.format === "regex"
        ? `expected a string matching ${issue.pattern}, found ${found}`
        : `expected a valid ${issue.format}, found ${found}`;
    case "not_multiple_of":
      return `expected a multiple of ${issue.divisor}, found ${found}`;
    case "unrecognized_keys":
      return `unknown keys ${issue.keys.join(", ")}`;
    case "invalid_union": {
      if (issue.discriminator !== undefined) {
        const value = isRecord(issue.input) ? issue.input[issue.discriminator] : undefined;
        const accepted = Array.isArray(issue.options) ? issue.options.map(String) : [];
        const options = accepted.map((option) => JSON.stringify(option));
        const suggestion = typeof value === "string" ? didYouMean(value, accepted) : "";
        return `expected one of ${options.join(", ")}, found ${describeValue(value)}${suggestion}`;
      }
      const expected = issue.errors.flatMap((branch) =>
        branch.filter((inner) => inner.path.length === 0 && inner.code === "invalid_type")
          .map((inner) => expectedName(String((inner as { expected: unknown }).expected)))
      );
      return expected.length > 0
        ? `expected ${[...new Set(expected)].join(" or ")}, found ${found}`
        : `no accepted form matches ${found}`;
    }
    default:
      return undefined;
  }
}

function bound(origin: string, limit: unknown, inclusive: boolean | undefined, side: string) {
  const n = Number(limit);
  switch (origin) {
    case "string":
      if (side === "min" && n === 1) return "a non-empty string";
      return `${side === "min" ? "at least" : "at most"} ${n} characters`;
    case "array":
    case "set":
    case "file":
      return `${side === "min" ? "at least" : "at most"} ${n} item${n === 1 ? "" : "s"}`;
    default:
      return `a number ${side === "min" ? ">" : "<"}${inclusive ? "=" : ""} ${limit}`;
  }
}

function sizeOf(origin: string, input: unknown): string {
  if (Array.isArray(input)) return `${input.length} item${input.length === 1 ? "" : "s"}`;
  if (origin === "string" && typeof input === "string") {
    return input === "" ? "an empty string" : `${input.length} characters`;
  }
  return describeValue(input);
}

/** Names a zod type the way a YAML author thinks of it. */
function expectedName(expected: string): string {
  const names: Record<string, string> = {
    int: "an integer",
    number: "a number",
    bigint: "an integer",
    string: "a string",
    boolean: "true or false",
    array: "a list",
    tuple: "a list",
    object: "a mapping",
    record: "a mapping",
    map: "a mapping",
    null: "null",
    date: "a date",
  };
  return names[expected] ?? expected;
}

/**
 * Describes a found value for a message: strings and numbers literally, lists and mappings
 * by kind, an absent value as "nothing".
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { describeValue } from "./zod_issues.ts";
 * assert.equal(describeValue("ten"), '"ten"');
 * assert.equal(describeValue([1]), "a list");
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** The object keys a schema accepts at `path`, read from its JSON Schema. */
function keysAt(schema: z.ZodType, path: PathSegment[]): string[] {
  let json: unknown;
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  } catch {
    return [];
  }
  let nodes: unknown[] = [json];
  for (const segment of path) {
    nodes = nodes.flatMap(alternatives).flatMap((node) => {
      if (!isRecord(node)) return [];
      if (typeof segment === "number") return node.items === undefined ? [] : [node.items];
      const properties = node.properties;
      if (isRecord(properties) && properties[segment] !== undefined) return [properties[segment]];
      return node.additionalProperties && node.additionalProperties !== true
        ? [node.additionalProperties]
        : [];
    });
  }
  return [
    ...new Set(
      nodes.flatMap(alternatives).flatMap((node) =>
        isRecord(node) && isRecord(node.properties) ? Object.keys(node.properties) : []
      ),
    ),
  ];
}

function alternatives(node: unknown): unknown[] {
  if (!isRecord(node)) return [];
  const branches = [node.anyOf, node.oneOf, node.allOf].filter(Array.isArray).flat();
  return [node, ...branches.flatMap(alternatives)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPathSegment(segment: PropertyKey): segment is PathSegment {
  return typeof segment !== "symbol";
}
