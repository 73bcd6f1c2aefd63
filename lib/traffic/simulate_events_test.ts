import assert from "assert";
import { parseLogMessage } from "../parse/mod.ts";
import type { LogRecord } from "../records.ts";
import { generateTraffic, type TrafficEvent, type TrafficOptions } from "./simulate.ts";

const START = Date.UTC(2026, 10, 20);
const HOUR = 3_600_000;
const NOW = START + 30 * 86_400_000;
const BASE: TrafficOptions = {
  mode: "ecommerce",
  seed: 42,
  count: 30_000,
  start: START,
  spanMs: 2 * HOUR,
  malformedShare: 0.03,
  lateShare: 0.03,
  combinedShare: 0,
};
const decoder = new TextDecoder();

function collect(overrides: Partial<TrafficOptions> = {}): TrafficEvent[] {
  return [...generateTraffic({ ...BASE, ...overrides })];
}

function records(events: TrafficEvent[]): LogRecord[] {
  return events.flatMap((event) => event.record === undefined ? [] : [event.record]);
}

function share<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.filter(test).length / items.length;
}

for (const mode of ["ecommerce", "clickstream"] as const) {
  Deno.test(`${mode}: the same seed gives the same bytes, another seed others`, () => {
    const text = (events: TrafficEvent[]) => events.map((e) => decoder.decode(e.value)).join("\n");
    const first = text(collect({ mode, count: 3000 }));
    assert.equal(first, text(collect({ mode, count: 3000 })));
    assert.notEqual(first, text(collect({ mode, count: 3000, seed: 43 })));
  });

  Deno.test(`${mode}: every valid event parses to exactly its record, malformed ones never`, () => {
    let malformed = 0;
    for (const event of collect({ mode })) {
      const result = parseLogMessage(event.value, NOW);
      const text = decoder.decode(event.value);
      if (event.record === undefined) {
        malformed++;
        assert.equal(result.ok, false, `malformed event ${event.seq} was accepted: ${text}`);
      } else {
        assert.deepEqual(result, { ok: true, record: event.record }, text);
      }
    }
    assert.ok(malformed > 600 && malformed < 1200, `${malformed} malformed of 30000`);
  });
}

Deno.test("ecommerce: sessions shop like people do, and one bot scrapes", () => {
  const all = records(collect({ malformedShare: 0, lateShare: 0 }));
  const actions = new Map<string, number>();
  for (const record of all) {
    actions.set(record.event_type!, (actions.get(record.event_type!) ?? 0) + 1);
  }
  const count = (action: string) => actions.get(action) ?? 0;
  // A funnel: views > cart adds > checkouts > purchases and failed payments.
  assert.ok(count("view") > 3 * count("add_to_cart"), JSON.stringify([...actions]));
  assert.ok(count("add_to_cart") > count("checkout"));
  assert.ok(count("checkout") > count("payment_failed"));
  assert.ok(count("purchase") > 0 && count("page_view") > 0);
  const failures = count("payment_failed") / (count("payment_failed") + count("checkout"));
  assert.ok(failures > 0.02 && failures < 0.2, `payment failures ${failures}`);

  // The bot: one address, 5% of the events, product views only, no user or device.
  const byAddr = new Map<string, number>();
  for (const record of all) {
    byAddr.set(record.remote_addr!, (byAddr.get(record.remote_addr!) ?? 0) + 1);
  }
  const [botAddr, botEvents] = [...byAddr].sort(([, a], [, b]) => b - a)[0]!;
  const botShare = botEvents / all.length;
  assert.ok(Math.abs(botShare - 0.05) < 0.01, `bot share ${botShare}`);
  for (const record of all.filter((r) => r.remote_addr === botAddr)) {
    assert.equal(record.event_type, "view");
    assert.match(record.http_user_agent!, /PriceScraper/);
    assert.equal(record.device, undefined);
  }

  // People: sessions of several steps in time order, devices matching their user agents,
  // countries, campaigns, logged-in and anonymous visitors.
  const people = all.filter((r) => r.remote_addr !== botAddr);
  const sessions = new Map<string, LogRecord[]>();
  for (const record of people) {
    const list = sessions.get(record.session_id!) ?? [];
    list.push(record);
    sessions.set(record.session_id!, list);
  }
  const steps = people.length / sessions.size;
  assert.ok(steps > 3 && steps < 15, `${steps} steps per session`);
  for (const list of sessions.values()) {
    for (let i = 1; i < list.length; i++) assert.ok(list[i]!.timestamp >= list[i - 1]!.timestamp);
    assert.equal(new Set(list.map((r) => r.user_id)).size, 1);
    assert.equal(new Set(list.map((r) => r.utm_campaign)).size, 1);
  }
  const mobile = people.filter((r) => r.device === "mobile");
  assert.ok(mobile.every((r) => /iPhone|Android/.test(r.http_user_agent!)));
  assert.ok(
    people.filter((r) => r.device === "tablet").every((r) => /iPad/.test(r.http_user_agent!)),
  );
  assert.ok(share(people, (r) => r.device === "mobile") > 0.3);
  assert.ok(new Set(people.map((r) => r.country)).size >= 10);
  const campaigned = [...sessions.values()].filter((list) => list[0]!.utm_source !== undefined);
  assert.ok(Math.abs(campaigned.length / sessions.size - 0.25) < 0.05, "campaign share");
  const loggedIn = share(people, (r) => r.user_id !== undefined);
  assert.ok(loggedIn > 0.4 && loggedIn < 0.85, `logged in ${loggedIn}`);

  // Orders: every purchased product was added to that session's cart first.
  for (const list of sessions.values()) {
    const carted = new Set(
      list.filter((r) => r.event_type === "add_to_cart").map((r) => r.product_id),
    );
    for (const purchase of list.filter((r) => r.event_type === "purchase")) {
      assert.ok(carted.has(purchase.product_id), "purchase of a product never added");
      assert.ok(Number(purchase.props?.price) > 0 && Number(purchase.props?.quantity) >= 1);
    }
  }
});

Deno.test("the model's shares are options", () => {
  const all = records(collect({
    malformedShare: 0,
    lateShare: 0,
    model: { botShare: 0, campaignShare: 1, paymentFailureShare: 1 },
  }));
  assert.ok(all.every((r) => r.utm_source !== undefined && r.device !== undefined));
  assert.equal(all.filter((r) => r.event_type === "purchase").length, 0);
  assert.ok(all.some((r) => r.event_type === "payment_failed"));
  assert.throws(() => collect({ model: { botShare: 2 } }), /botShare: expected a share/);
  assert.throws(() => collect({ mode: "logs" as never }), /mode: expected one of weblog/);
});

Deno.test("clickstream: page visits, button clicks and tracker fields", () => {
  const all = records(collect({ mode: "clickstream", malformedShare: 0, lateShare: 0 }));
  const types = new Set(all.map((r) => r.event_type));
  for (const type of ["page_visited", "button_clicked", "checkout_started", "order_completed"]) {
    assert.ok(types.has(type), type);
  }
  for (const record of all) {
    assert.match(
      record.event_id!,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.ok(record.page_path!.startsWith("/"));
    assert.ok(record.props?.browser !== undefined && record.props.screen !== undefined);
    if (record.event_type === "button_clicked") assert.ok(record.button_id !== undefined);
  }
  assert.equal(new Set(all.map((r) => r.event_id)).size, all.length, "event ids are unique");
  const late = records(collect({ mode: "clickstream", malformedShare: 0, lateShare: 0.5 }));
  assert.ok(late.some((r) => r.timestamp < START), "late events reach back before the start");
});
