import assert from "assert";
import { z } from "zod";
import { validateAt } from "./zod_issues.ts";
import type { PathSegment } from "./issues.ts";

function messages(schema: z.ZodType, value: unknown): string[] {
  const found: string[] = [];
  const report = (path: PathSegment[], message: string, target = "value") =>
    found.push(`${path.join(".")} [${target}]: ${message}`);
  validateAt(schema, value, ["options"], report);
  return found;
}

const schema = z.strictObject({
  n: z.number().int().min(1).max(5),
  name: z.string().min(1),
  tags: z.array(z.string()).max(2).optional(),
  mode: z.enum(["fast", "slow"]).optional(),
  nested: z.strictObject({ depth: z.number() }).optional(),
  topic: z.string().regex(/^[A-Z]+$/, "expected an upper case topic").optional(),
});

Deno.test("validateAt returns parsed data when valid", () => {
  const report = () => assert.fail("no issue expected");
  assert.deepEqual(validateAt(schema, { n: 2, name: "x" }, [], report), { n: 2, name: "x" });
});

Deno.test("validateAt says what was expected and found", () => {
  assert.deepEqual(
    messages(schema, { n: 9, name: "", tags: ["a", "b", "c"], mode: "fsat", topic: "low" }),
    [
      "options.n [value]: expected a number <= 5, found 9",
      "options.name [value]: expected a non-empty string, found an empty string",
      "options.tags [value]: expected at most 2 items, found 3 items",
      `options.mode [value]: expected one of "fast", "slow", found "fsat" (did you mean 'fast'?)`,
      "options.topic [value]: expected an upper case topic",
    ],
  );
  assert.deepEqual(messages(schema, "n=1"), ['options [value]: expected a mapping, found "n=1"']);
});

Deno.test("validateAt reports unknown keys at the key, nested too", () => {
  assert.deepEqual(messages(schema, { n: 1, name: "x", nested: { dept: 1 }, extra: true }), [
    "options.nested.depth [value]: expected a number, found nothing (missing required key)",
    "options.nested.dept [key]: unknown key 'dept' (did you mean 'depth'?)",
    "options.extra [key]: unknown key 'extra'; known keys: n, name, tags, mode, nested, topic",
  ]);
});

Deno.test("validateAt reports a throwing schema instead of crashing", () => {
  const throwing = z.string().transform(() => {
    throw new Error("bad schema");
  });
  assert.deepEqual(messages(throwing, "x"), [
    "options [value]: options could not be validated: bad schema",
  ]);
});
