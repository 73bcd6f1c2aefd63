import assert from "assert";
import { assertAggregationLaws, type LogRecord } from "../../lib/sdk/mod.ts";
import sessions from "./sessions.ts";

function build(options: Record<string, unknown> = {}) {
  return sessions.create(sessions.options.parse(options));
}

function run(options: Record<string, unknown>, records: LogRecord[]) {
  const aggregation = build(options);
  return aggregation.finish(records.reduce(aggregation.add, aggregation.start()));
}

const minute = 60_000;
const t0 = Date.UTC(2026, 10, 23, 10);
const request = (remote_addr: string, atMinute: number, page = "/"): LogRecord => ({
  timestamp: t0 + atMinute * minute,
  request_uri: page,
  status: 200,
  remote_addr,
  http_user_agent: "Firefox",
});
const event = (session_id: string, atMinute: number, event_type: string): LogRecord => ({
  timestamp: t0 + atMinute * minute,
  session_id,
  event_type,
  page_path: "/p",
});

Deno.test("sessions: session ids, and clients cut by the gap; duration, pages, bounces", () => {
  const records = [
    // Client A: 0, 10, 20 -> one session of 20 min and 3 pages; then 60 -> a bounce.
    request("10.0.0.1", 20),
    request("10.0.0.1", 0),
    request("10.0.0.1", 10),
    request("10.0.0.1", 60),
    // Session s1: view at 0, add_to_cart at 50 (no page), view at 90: one session (an id
    // ignores the gap) of 90 min with 2 pages.
    event("s1", 0, "view"),
    event("s1", 50, "add_to_cart"),
    event("s1", 90, "view"),
    // Session s2: one add_to_cart only: 0 pages, a bounce of 0 min.
    event("s2", 5, "add_to_cart"),
    { timestamp: t0, event_type: "login" }, // no session, no client: skipped
  ];
  // 4 sessions: durations 20 + 0 + 90 + 0 = 110 min -> 27.5 min = 1650 s; pages 3+1+2+0 = 6.
  assert.deepEqual(run({}, records), [{
    key: "all",
    values: {
      sessions: 4,
      bounces: 2,
      bounce_rate: 0.5,
      avg_duration_s: 1650,
      pages_per_session: 1.5,
    },
  }]);
});

Deno.test("sessions: a shorter gap cuts client sessions, not session ids", () => {
  const records = [
    request("10.0.0.1", 0),
    request("10.0.0.1", 10),
    event("s1", 0, "view"),
    event("s1", 40, "view"),
  ];
  const rows = run({ gap: "5m" }, records);
  assert.equal(rows[0]?.values.sessions, 3);
  assert.equal(run({}, records)[0]?.values.sessions, 2);
  assert.equal(sessions.options.safeParse({ gap: "0m" }).success, false);
  assert.equal(sessions.options.safeParse({ gap: "soon" }).success, false);
  assert.deepEqual(run({}, []), []);
});

Deno.test("sessions: exclude_bots uses isBot", () => {
  const bot = { ...request("10.0.0.2", 0), http_user_agent: "curl/8.5.0" };
  assert.equal(run({ exclude_bots: true }, [request("10.0.0.1", 0), bot])[0]?.values.sessions, 1);
  assert.equal(run({}, [request("10.0.0.1", 0), bot])[0]?.values.sessions, 2);
});

Deno.test("sessions obeys the aggregation laws", () => {
  // Events out of order and split anywhere: gaps bridged only by events in another part.
  const records = Array.from(
    { length: 400 },
    (_, i) =>
      i % 3 === 0
        ? event(`s${i % 7}`, (i * 37) % 300, i % 2 ? "view" : "add_to_cart")
        : request(`10.0.0.${i % 5}`, (i * 53) % 400, `/p${i % 4}`),
  );
  for (const options of [{}, { gap: "10m" }, { gap: "1m", exclude_bots: true }]) {
    assertAggregationLaws(build(options), records);
  }
  assert.equal(sessions.options.safeParse(sessions.example).success, true);
});

Deno.test("sessions: requests for static assets extend a session but are no page view", () => {
  const records = [
    request("10.0.0.1", 0, "/shoes"),
    request("10.0.0.1", 0, "/static/app.js?v=3"),
    request("10.0.0.1", 1, "/img/logo.PNG"),
  ];
  // One page view over 1 minute: a bounce of 60 s.
  assert.deepEqual(run({}, records)[0]?.values, {
    sessions: 1,
    bounces: 1,
    bounce_rate: 1,
    avg_duration_s: 60,
    pages_per_session: 1,
  });
});

Deno.test("sessions: state saved with a [first, last, pages] array per session still counts", () => {
  const keyed = build().keyed!;
  const key = "c 10.0.0.1 Firefox";
  // A visit as saved before lists were flat: 0..20 min (3 pages), 60 min (a bounce).
  const saved = {
    by_id: false,
    spans: [[t0, t0 + 20 * minute, 3], [t0 + 60 * minute, t0 + 60 * minute, 1]],
  };
  const flat = [
    request("10.0.0.1", 0),
    request("10.0.0.1", 10),
    request("10.0.0.1", 20),
    request("10.0.0.1", 60),
  ]
    .reduce(keyed.add, keyed.start());
  const expected = keyed.finish(new Map([[key, flat]]));
  // Read back and added to, merged either way, or finished as it is: as if saved flat.
  const added = keyed.add(structuredClone(saved), request("10.0.0.1", 25));
  assert.deepEqual(added, {
    by_id: false,
    spans: [t0, t0 + 25 * minute, 4, t0 + 60 * minute, t0 + 60 * minute, 1],
  });
  assert.deepEqual(keyed.merge(keyed.start(), structuredClone(saved)), flat);
  assert.deepEqual(keyed.merge(structuredClone(saved), keyed.start()), flat);
  assert.deepEqual(keyed.finish(new Map([[key, structuredClone(saved)]])), expected);
  assert.equal(expected[0]!.values.sessions, 2);
});
