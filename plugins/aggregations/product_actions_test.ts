import assert from "assert";
import { assertAggregationLaws, type LogRecord } from "../../lib/sdk/mod.ts";
import productActions from "./product_actions.ts";

function event(product_id: string | undefined, event_type: string | undefined): LogRecord {
  return { timestamp: Date.UTC(2026, 10, 23, 10), product_id, event_type, session_id: "s-1" };
}

function build(options: Record<string, unknown> = {}) {
  return productActions.create(productActions.options.parse(options));
}

Deno.test("product_actions counts per product and action, keyed by both columns", () => {
  const aggregation = build();
  assert.deepEqual(aggregation.shape.key, [
    { name: "product_id", type: "text" },
    { name: "action", type: "text" },
  ]);
  const records = [
    event("p-2", "view"),
    event("p-1", "view"),
    event("p-1", "add_to_cart"),
    event("p-1", "view"),
    event(undefined, "page_view"),
    event("p-3", undefined),
    { timestamp: 0, request_uri: "/p/p-1", status: 200 },
  ];
  const state = records.reduce(aggregation.add, aggregation.start());
  assert.deepEqual(aggregation.finish(state), [
    { key: ["p-1", "add_to_cart"], values: { count: 1 } },
    { key: ["p-1", "view"], values: { count: 2 } },
    { key: ["p-2", "view"], values: { count: 1 } },
  ]);
});

Deno.test("product_actions keeps ids apart that a separator would join", () => {
  const aggregation = build();
  const state = [event("a,b", "c"), event("a", "b,c"), event("__proto__", "view")]
    .reduce(aggregation.add, aggregation.start());
  assert.deepEqual(aggregation.finish(state).map((row) => row.key), [
    ["__proto__", "view"],
    ["a", "b,c"],
    ["a,b", "c"],
  ]);
});

Deno.test("product_actions filters actions when told", () => {
  const aggregation = build({ actions: ["purchase"] });
  const state = [event("p-1", "view"), event("p-1", "purchase")]
    .reduce(aggregation.add, aggregation.start());
  assert.deepEqual(aggregation.finish(state), [
    { key: ["p-1", "purchase"], values: { count: 1 } },
  ]);
  assert.equal(productActions.options.safeParse({ actions: [] }).success, false);
  assert.equal(productActions.options.safeParse(productActions.example).success, true);
});

Deno.test("product_actions obeys the aggregation laws", () => {
  const actions = ["view", "add_to_cart", "checkout", "purchase", "payment_failed"];
  const records = Array.from(
    { length: 400 },
    (_, i) => event(`p-${(i * 7) % 23}`, actions[(i * 3) % actions.length]),
  );
  assertAggregationLaws(build(), records);
});
