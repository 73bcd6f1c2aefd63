import assert from "assert";
import { assertAggregationLaws, type LogRecord, seededRandom } from "../../lib/sdk/mod.ts";
import entryExitPages from "./entry_exit_pages.ts";
import { finishOnePass } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown> = {}) =>
  entryExitPages.create(entryExitPages.options.parse(options));
const T0 = Date.UTC(2026, 10, 23, 10);
const MINUTE = 60_000;
const view = (minute: number, page: string, fields: Partial<LogRecord>): LogRecord => ({
  timestamp: T0 + minute * MINUTE,
  event_type: "page_visited",
  page_path: page,
  ...fields,
});

Deno.test("entry_exit_pages: sessions by id, and gap-cut by client", () => {
  const records = [
    view(0, "/home?utm_source=x", { session_id: "s1" }),
    view(5, "/shoes", { session_id: "s1" }),
    view(300, "/cart", { session_id: "s1" }), // one session per id, whatever the gap
    { ...view(6, "/ignored", { session_id: "s1" }), event_type: "add_to_cart" },
    view(0, "/shoes", { remote_addr: "10.0.0.1", http_user_agent: "UA" }),
    view(10, "/home", { remote_addr: "10.0.0.1", http_user_agent: "UA" }),
    view(100, "/shoes", { remote_addr: "10.0.0.1", http_user_agent: "UA" }), // a new session
  ];
  assert.deepEqual(finishOnePass(build(), records), [
    { key: "/shoes", values: { entrances: 2, exits: 1, exit_rate: 0.3333, rank: 1 } },
    { key: "/home", values: { entrances: 1, exits: 1, exit_rate: 0.5, rank: 2 } },
    { key: "/cart", values: { entrances: 0, exits: 1, exit_rate: 1, rank: 3 } },
  ]);
});

Deno.test("entry_exit_pages: the same sessions in any order; the aggregation laws", () => {
  const random = seededRandom(11);
  const pages = ["/", "/a", "/b", "/c", "/d"];
  const records: LogRecord[] = Array.from({ length: 500 }, () => {
    const client = Math.floor(random() * 30);
    const fields = client < 10
      ? { session_id: `s${client}` }
      : { remote_addr: `10.0.0.${client}`, http_user_agent: "UA" };
    return view(Math.floor(random() * 600), pages[Math.floor(random() * 5)]!, fields);
  });
  const forward = finishOnePass(build({ n: 100 }), records);
  assert.deepEqual(finishOnePass(build({ n: 100 }), [...records].reverse()), forward);
  assertAggregationLaws(build({ n: 100 }), records);
});
