import assert from "assert";
import { assertAggregationLaws, type LogRecord, seededRandom } from "../../lib/sdk/mod.ts";
import sum from "./sum.ts";
import { finishOnePass, shopEvent } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown>) => sum.create(sum.options.parse(options));
const purchase = (product: string, price: string, quantity?: string, campaign?: string) =>
  shopEvent("purchase", {
    product_id: product,
    ...(campaign === undefined ? {} : { utm_campaign: campaign }),
    props: { price, ...(quantity === undefined ? {} : { quantity }) },
  });

Deno.test("sum: sum, count, average, min and max per key, price times quantity", () => {
  const records = [
    purchase("p1", "19.99", "2", "spring"),
    purchase("p1", "19.99", undefined, "spring"),
    purchase("p2", "5.5", "3"),
    purchase("p2", "not a price"),
    shopEvent("view", { product_id: "p3" }),
  ];
  const byProduct = build({ field: "price", multiply_by: "quantity", by: ["product_id"] });
  assert.deepEqual(byProduct.shape.key, [{ name: "product_id", type: "text" }]);
  assert.deepEqual(finishOnePass(byProduct, records), [
    { key: ["p1"], values: { sum: 59.97, count: 2, avg: 29.985, min: 19.99, max: 39.98, rank: 1 } },
    { key: ["p2"], values: { sum: 16.5, count: 1, avg: 16.5, min: 16.5, max: 16.5, rank: 2 } },
  ]);
  const byCampaign = build({ field: "props.price", by: ["utm_campaign", "product_id"], n: 1 });
  assert.deepEqual(finishOnePass(byCampaign, records), [
    {
      key: ["spring", "p1"],
      values: { sum: 39.98, count: 2, avg: 19.99, min: 19.99, max: 19.99, rank: 1 },
    },
  ]);
});

Deno.test("sum: exact in any order, and obeys the aggregation laws", () => {
  const random = seededRandom(7);
  const records: LogRecord[] = Array.from({ length: 400 }, (_, i) =>
    purchase(
      `p${i % 7}`,
      (random() * 200).toFixed(2),
      String(1 + Math.floor(random() * 4)),
      i % 3 === 0 ? undefined : `c${i % 4}`,
    ));
  const options = { field: "price", multiply_by: "quantity", by: ["utm_campaign"] };
  const forward = finishOnePass(build(options), records);
  assert.deepEqual(finishOnePass(build(options), [...records].reverse()), forward);
  assertAggregationLaws(build(options), records);
});

Deno.test("sum: by columns that cannot be result columns are refused", () => {
  const issues = sum.options.safeParse({ field: "price", by: ["props.count"] }).error?.issues;
  assert.deepEqual(issues?.map((issue) => [issue.path.join("."), issue.message]), [[
    "by.0",
    "column 'count' cannot be a result column (it must start with a letter and not be sum, " +
    "count, avg, min, max, rank)",
  ]]);
});
