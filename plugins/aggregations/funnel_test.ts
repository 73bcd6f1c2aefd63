import assert from "assert";
import { assertAggregationLaws } from "../../lib/sdk/mod.ts";
import funnel from "./funnel.ts";
import { finishOnePass, shopEvent } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown> = {}) =>
  funnel.create(funnel.options.parse(options));
const inSession = (session_id: string, ...types: string[]) =>
  types.map((type) => shopEvent(type, { session_id }));

Deno.test("funnel: sessions reaching each step, conversions from previous and first", () => {
  const records = [
    ...inSession("s1", "view", "view", "add_to_cart", "checkout", "purchase"),
    ...inSession("s2", "view", "add_to_cart"),
    ...inSession("s3", "view"),
    ...inSession("s4", "view", "checkout"), // skipped add_to_cart: reaches step 1 only
    ...inSession("s5", "add_to_cart"), // never viewed: reaches nothing
  ];
  assert.deepEqual(finishOnePass(build(), records), [
    { key: [1, "view"], values: { sessions: 4, from_previous_pct: 100, from_first_pct: 100 } },
    { key: [2, "add_to_cart"], values: { sessions: 2, from_previous_pct: 50, from_first_pct: 50 } },
    { key: [3, "checkout"], values: { sessions: 1, from_previous_pct: 50, from_first_pct: 25 } },
    { key: [4, "purchase"], values: { sessions: 1, from_previous_pct: 100, from_first_pct: 25 } },
  ]);
});

Deno.test("funnel by visitor joins a user's sessions", () => {
  const records = [
    shopEvent("view", { session_id: "a", user_id: "u1" }),
    shopEvent("purchase", { session_id: "b", user_id: "u1" }),
  ];
  const steps = ["view", "purchase"];
  assert.deepEqual(
    (finishOnePass(build({ steps }), records) as { values: { sessions: number } }[])
      .map((row) => row.values.sessions),
    [1, 0],
  );
  assert.deepEqual(
    (finishOnePass(build({ steps, by: "visitor" }), records) as { values: { sessions: number } }[])
      .map((row) => row.values.sessions),
    [1, 1],
  );
  assert.equal(funnel.options.safeParse({ steps: ["view"] }).success, false);
  assert.equal(funnel.options.safeParse({ steps: ["view", "view"] }).success, false);
  assert.equal(funnel.options.safeParse(funnel.example).success, true);
});

Deno.test("funnel obeys the aggregation laws", () => {
  const steps = ["view", "add_to_cart", "checkout", "purchase", "login"];
  const records = Array.from(
    { length: 400 },
    (_, i) =>
      shopEvent(
        steps[(i * 3) % 5]!,
        i % 10 ? { session_id: `s${i % 31}` } : { remote_addr: "10.0.0.1" },
      ),
  );
  assertAggregationLaws(build(), records);
  assertAggregationLaws(build({ by: "visitor", steps: ["add_to_cart", "purchase"] }), records);
});
