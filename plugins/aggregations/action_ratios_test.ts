import assert from "assert";
import { assertAggregationLaws } from "../../lib/sdk/mod.ts";
import actionRatios from "./action_ratios.ts";
import { finishOnePass, shopEvent } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown> = {}) =>
  actionRatios.create(actionRatios.options.parse(options));

Deno.test("action_ratios: each action's count, share of all and ratio to the first", () => {
  const records = [
    ...Array.from({ length: 6 }, () => shopEvent("view")),
    shopEvent("add_to_cart"),
    shopEvent("add_to_cart"),
    shopEvent("purchase"),
    shopEvent("payment_failed"), // not configured
    shopEvent("login"),
  ];
  // 9 counted: view 6 (66.67%), add_to_cart 2 (22.22%), checkout 0, purchase 1 (11.11%).
  assert.deepEqual(finishOnePass(build(), records), [
    { key: "view", values: { count: 6, share_pct: 66.67, per_100_first: 100 } },
    { key: "add_to_cart", values: { count: 2, share_pct: 22.22, per_100_first: 33.33 } },
    { key: "checkout", values: { count: 0, share_pct: 0, per_100_first: 0 } },
    { key: "purchase", values: { count: 1, share_pct: 11.11, per_100_first: 16.67 } },
  ]);
  assert.deepEqual(finishOnePass(build(), [shopEvent("login")]), []);
});

Deno.test("action_ratios obeys the aggregation laws", () => {
  const actions = ["view", "add_to_cart", "checkout", "purchase", "click"];
  const records = Array.from({ length: 300 }, (_, i) => shopEvent(actions[(i * 7) % 5]!));
  assertAggregationLaws(build(), records);
  assertAggregationLaws(build({ actions: ["purchase", "view"] }), records);
  assert.equal(actionRatios.options.safeParse(actionRatios.example).success, true);
  assert.equal(actionRatios.options.safeParse({ actions: [] }).success, false);
});
