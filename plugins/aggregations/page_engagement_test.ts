import assert from "assert";
import { assertAggregationLaws, type LogRecord } from "../../lib/sdk/mod.ts";
import pageEngagement from "./page_engagement.ts";
import { finishOnePass, shopEvent } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown> = {}) =>
  pageEngagement.create(pageEngagement.options.parse(options));
const visit = (page_path: string, user_id: string): LogRecord =>
  shopEvent("page_visited", { page_path, user_id });
const close = (page_path: string, ms: string): LogRecord =>
  shopEvent("page_closed", { page_path, session_id: "s", props: { time_on_page_ms: ms } });

Deno.test("page_engagement: visits, unique users, average time on page from page_closed", () => {
  const records = [
    visit("/shoes", "u1"),
    visit("/shoes?color=red", "u1"),
    visit("/shoes", "u2"),
    visit("/cart", "u1"),
    { timestamp: 0, request_uri: "/cart", status: 200, remote_addr: "10.0.0.1" },
    { timestamp: 0, request_uri: "/cart.css", status: 200, remote_addr: "10.0.0.1" }, // asset
    close("/shoes", "4000"),
    close("/shoes", "11000"),
    close("/shoes", "-5"), // not a valid time: ignored
    close("/cart", "oops"),
    shopEvent("button_clicked", { page_path: "/shoes", button_id: "buy" }), // neither
  ];
  assert.deepEqual(finishOnePass(build(), records), [
    { key: "/shoes", values: { visits: 3, unique_users: 2, avg_time_on_page_s: 7.5, rank: 1 } },
    { key: "/cart", values: { visits: 2, unique_users: 2, avg_time_on_page_s: 0, rank: 2 } },
  ]);
  const top1 = finishOnePass(build({ n: 1 }), records) as unknown[];
  assert.equal(top1.length, 1);
});

Deno.test("page_engagement obeys the aggregation laws", () => {
  const records = Array.from(
    { length: 300 },
    (_, i) => i % 4 === 0 ? close(`/p${i % 5}`, String(i * 10)) : visit(`/p${i % 7}`, `u${i % 11}`),
  );
  assertAggregationLaws(build({ n: 4 }), records);
  assert.equal(pageEngagement.options.safeParse(pageEngagement.example).success, true);
});
