import assert from "assert";
import { assertAggregationLaws } from "../../lib/sdk/mod.ts";
import productViews from "./product_views.ts";
import { finishOnePass, shopEvent } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown> = {}) =>
  productViews.create(productViews.options.parse(options));

Deno.test("product_views ranks products by views, ties by id", () => {
  const records = [
    shopEvent("view", { product_id: "p-2" }),
    shopEvent("view", { product_id: "p-1" }),
    shopEvent("page_visited", { product_id: "p-2" }),
    shopEvent("view", { product_id: "p-3" }),
    shopEvent("add_to_cart", { product_id: "p-3" }), // not a view
    shopEvent("view"), // no product
    shopEvent("view", {
      product_id: "p-4",
      http_user_agent: "Googlebot/2.1 (+http://www.google.com/bot.html)",
    }),
  ];
  assert.deepEqual(finishOnePass(build({ n: 3, exclude_bots: true }), records), [
    { key: "p-2", values: { views: 2, rank: 1 } },
    { key: "p-1", values: { views: 1, rank: 2 } },
    { key: "p-3", values: { views: 1, rank: 3 } },
  ]);
  assert.deepEqual(finishOnePass(build({ n: 1, view_events: ["add_to_cart"] }), records), [
    { key: "p-3", values: { views: 1, rank: 1 } },
  ]);
});

Deno.test("product_views obeys the aggregation laws", () => {
  const records = Array.from(
    { length: 400 },
    (_, i) =>
      shopEvent(["view", "page_visited", "purchase"][i % 3]!, {
        product_id: i % 19 ? `p-${i % 23}` : "__proto__",
      }),
  );
  assertAggregationLaws(build({ n: 5 }), records);
  assert.equal(productViews.options.safeParse(productViews.example).success, true);
  assert.equal(productViews.options.safeParse({ n: 0 }).success, false);
});
