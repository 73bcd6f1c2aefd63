import assert from "assert";
import { assertAggregationLaws, type LogRecord } from "../../lib/sdk/mod.ts";
import clickThrough from "./click_through.ts";
import { finishOnePass, shopEvent } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown> = {}) =>
  clickThrough.create(clickThrough.options.parse(options));
const view = (page_path: string): LogRecord => shopEvent("page_visited", { page_path });
const click = (page_path: string, button_id: string): LogRecord =>
  shopEvent("button_clicked", { page_path, button_id });

Deno.test("click_through: clicks per button over views of its page, in percent", () => {
  const records = [
    view("/shoes"),
    view("/shoes"),
    view("/shoes?x=1"),
    view("/cart"),
    click("/shoes", "add-to-cart"),
    click("/shoes", "add-to-cart"),
    click("/shoes", "size-guide"),
    click("/cart", "checkout"),
    click("/help", "chat"), // page not viewed in this window
    shopEvent("button_clicked", { page_path: "/cart" }), // no button: not a click
  ];
  assert.deepEqual(finishOnePass(build(), records), [
    { key: ["/shoes", "add-to-cart"], values: { clicks: 2, page_views: 3, ctr_pct: 66.67 } },
    { key: ["/cart", "checkout"], values: { clicks: 1, page_views: 1, ctr_pct: 100 } },
    { key: ["/help", "chat"], values: { clicks: 1, page_views: 0, ctr_pct: 0 } },
    { key: ["/shoes", "size-guide"], values: { clicks: 1, page_views: 3, ctr_pct: 33.33 } },
  ]);
  assert.equal((finishOnePass(build({ n: 2 }), records) as unknown[]).length, 2);
});

Deno.test("click_through obeys the aggregation laws", () => {
  const records = Array.from(
    { length: 300 },
    (_, i) =>
      i % 3 === 0 ? view(`/p${i % 4}`) : click(`/p${i % 5}`, i % 7 ? `b${i % 3}` : "__proto__"),
  );
  assertAggregationLaws(build({ n: 6 }), records);
  assert.equal(clickThrough.options.safeParse(clickThrough.example).success, true);
});
