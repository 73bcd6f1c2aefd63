/**
 * The zod schema of a condition, for plugin options (`filter`) and `where:`: it parses the
 * YAML value into a {@linkcode Condition} and reports each problem at its own path, so
 * `--check` names the line and column of the wrong test.
 *
 * @module
 */
import { z } from "zod";
import { type Condition, parseCondition } from "./condition.ts";

/**
 * A zod schema accepting a condition as written and producing the parsed {@linkcode Condition}.
 *
 * @returns The schema (one per use, so each can carry its own description).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { conditionSchema } from "./schema.ts";
 * assert.equal(conditionSchema().safeParse({ field: "device", equals: "mobile" }).success, true);
 * const wrong = conditionSchema().safeParse({ field: "price", gt: "ten" });
 * assert.deepEqual(wrong.error?.issues[0]?.path, ["gt"]);
 * ```
 */
export function conditionSchema(): z.ZodType<Condition, unknown> {
  // Titled, so the plugin reference shows its type as `condition` (see docs/transforms.md).
  return z.unknown().transform((value, context) => {
    const parsed = parseCondition(value);
    if (parsed.ok) return parsed.condition;
    for (const issue of parsed.issues) {
      context.addIssue({ code: "custom", message: issue.message, path: issue.path });
    }
    return z.NEVER;
  }).meta({ title: "condition" });
}
