import assert from "assert";
import { fieldOf, matchesCondition, parseCondition } from "./condition.ts";
import type { LogRecord } from "../records.ts";

function test(condition: unknown, record: Partial<LogRecord>): boolean {
  const parsed = parseCondition(condition);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return matchesCondition(parsed.condition, { timestamp: 0, ...record });
}

Deno.test("conditions: each test, on fields and props", () => {
  assert.equal(test({ field: "device", equals: "mobile" }, { device: "mobile" }), true);
  assert.equal(test({ field: "device", equals: "mobile" }, {}), false);
  assert.equal(test({ field: "status", equals: 404 }, { status: 404 }), true);
  assert.equal(test({ field: "country", in: ["DE", "AT"] }, { country: "AT" }), true);
  assert.equal(test({ field: "country", in: ["DE", "AT"] }, { country: "FR" }), false);
  assert.equal(test({ field: "page_path", prefix: "/shop" }, { page_path: "/shop/1" }), true);
  assert.equal(test({ field: "page_path", matches: "^/p/[0-9]+$" }, { page_path: "/p/12" }), true);
  assert.equal(test({ field: "page_path", matches: "^/p/[0-9]+$" }, { page_path: "/p/x" }), false);
  assert.equal(test({ field: "price", gte: 10, lt: 20 }, { props: { price: "10" } }), true);
  assert.equal(test({ field: "price", gte: 10, lt: 20 }, { props: { price: "20" } }), false);
  assert.equal(test({ field: "price", gt: 0 }, { props: { price: "abc" } }), false);
  assert.equal(test({ field: "price", gt: 0 }, { props: { price: "" } }), false);
  assert.equal(test({ field: "props.price", exists: true }, { props: { price: "1" } }), true);
  assert.equal(test({ field: "user_id", exists: false }, {}), true);
  assert.equal(test({ field: "__proto__", exists: true }, {}), false);
  assert.equal(test({ field: "constructor", equals: "x" }, { props: {} }), false);
});

Deno.test("conditions: all, any, not nest", () => {
  const condition = {
    all: [
      { any: [{ field: "device", equals: "mobile" }, { field: "device", equals: "tablet" }] },
      { not: { field: "status", gte: 400 } },
    ],
  };
  assert.equal(test(condition, { device: "tablet", status: 200 }), true);
  assert.equal(test(condition, { device: "tablet", status: 500 }), false);
  assert.equal(test(condition, { device: "desktop", status: 200 }), false);
});

Deno.test("conditions: every problem is reported at its own path, saying what to write", () => {
  const parsed = parseCondition({
    any: [
      { field: "device", matches: "(" },
      { field: "price", gt: "ten" },
      { field: "x", contains: "y" },
      { field: "x", equals: "a", prefix: "b" },
      { all: [] },
      { not: "device" },
      { any: [{ equals: 1 }], field: "y" },
    ],
  });
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  const issues = parsed.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  assert.match(issues[0]!, /^any\.0\.matches: invalid regular expression "\("/);
  assert.match(issues[1]!, /^any\.1\.gt: expected a number, found "ten"/);
  assert.match(issues[2]!, /^any\.2\.contains: unknown test 'contains'; expected one of equals/);
  assert.match(issues[3]!, /^any\.3: one test per condition \(found equals, prefix\)/);
  assert.match(issues[4]!, /^any\.4\.all: expected a non-empty list/);
  assert.match(issues[5]!, /^any\.5\.not: expected a mapping/);
  assert.match(issues[6]!, /^any\.6\.field: 'any' stands alone/);
  assert.equal(issues.length, 7);
});

Deno.test("fieldOf: the record's field first, then props; props.<key> reads props only", () => {
  const record: LogRecord = { timestamp: 5, country: "DE", props: { country: "FR", tier: "gold" } };
  assert.equal(fieldOf(record, "country"), "DE");
  assert.equal(fieldOf(record, "props.country"), "FR");
  assert.equal(fieldOf(record, "tier"), "gold");
  assert.equal(fieldOf(record, "timestamp"), 5);
  assert.equal(fieldOf(record, "props"), undefined);
});
