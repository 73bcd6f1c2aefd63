import assert from "assert";
import { parseLogMessage } from "../../../lib/sdk/mod.ts";
import { prepareItem, type RequestFacts } from "./prepare_item.ts";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const facts: RequestFacts = { remoteAddr: "203.0.113.9", userAgent: "Mozilla/5.0 (X11)", now: NOW };
const LOG_EVENT = {
  timestamp: "2026-11-23T11:00:00Z",
  request_uri: "/products/42",
  status: 200,
  body_bytes_sent: 512,
  request_time: 0.01,
  http_referrer: "-",
  http_user_agent: "curl/8",
  remote_addr: "10.0.0.1",
};

Deno.test("prepare: a web-log object keeps its fields and gains an event id", () => {
  const prepared = prepareItem({ kind: "json", value: LOG_EVENT }, facts);
  assert.ok(prepared.ok);
  const written = JSON.parse(prepared.value);
  assert.match(
    written.event_id,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.equal(prepared.key, written.event_id);
  assert.equal(prepared.eventId, written.event_id);
  assert.deepEqual({ ...written, event_id: undefined }, { ...LOG_EVENT, event_id: undefined });
  const parsed = parseLogMessage(prepared.value, NOW);
  assert.ok(parsed.ok && parsed.record.remote_addr === "10.0.0.1", "the Kafka path accepts it");
});

Deno.test("prepare: a client's event id and time are kept; the server fills a missing time", () => {
  const withId = prepareItem({ kind: "json", value: { ...LOG_EVENT, event_id: "abc-1" } }, facts);
  assert.ok(withId.ok && withId.eventId === "abc-1");
  const { timestamp: _, ...untimed } = LOG_EVENT;
  const filled = prepareItem({ kind: "json", value: untimed }, facts);
  assert.ok(filled.ok);
  const written = JSON.parse(filled.value);
  assert.equal(written.event_time, "2026-11-23T12:00:00.000Z");
  const parsed = parseLogMessage(filled.value, NOW);
  assert.ok(parsed.ok && parsed.record.timestamp === NOW);
});

Deno.test("prepare: a tracker event is stored as an event, request facts filled", () => {
  const prepared = prepareItem({
    kind: "json",
    value: {
      event_type: "button_clicked",
      page_path: "/cart",
      session_id: "s1",
      button_id: "buy",
      event_time: "2026-11-23T11:59:00Z",
    },
  }, facts);
  assert.ok(prepared.ok);
  const written = JSON.parse(prepared.value);
  assert.equal(written.session_id, "s1", "event fields travel on to Kafka");
  const parsed = parseLogMessage(prepared.value, NOW);
  assert.ok(parsed.ok);
  const { timestamp, event_type, page_path, session_id, button_id, remote_addr, http_user_agent } =
    parsed.record;
  assert.deepEqual(
    { timestamp, event_type, page_path, session_id, button_id, remote_addr, http_user_agent },
    {
      timestamp: Date.UTC(2026, 10, 23, 11, 59),
      event_type: "button_clicked",
      page_path: "/cart",
      session_id: "s1",
      button_id: "buy",
      remote_addr: "203.0.113.9",
      http_user_agent: "Mozilla/5.0 (X11)",
    },
  );
  assert.equal(parsed.record.event_id, written.event_id);
  assert.equal(parsed.record.status, undefined, "an event is not made into a web-log line");
});

Deno.test("prepare: invalid items are refused with the field named, as on the Kafka path", () => {
  const reasons = [
    { kind: "json" as const, value: 42 },
    { kind: "json" as const, value: { ...LOG_EVENT, status: "abc" } },
    { kind: "json" as const, value: { ...LOG_EVENT, event_id: "" } },
    { kind: "json" as const, value: { ...LOG_EVENT, event_id: "a\nb" } },
    { kind: "json" as const, value: { session_id: "s1" } },
    { kind: "json" as const, value: { event_type: "page_visited", page_path: "nope" } },
    { kind: "line" as const, text: "hello", line: 4 },
    { kind: "invalid" as const, reason: "invalid JSON (x)", line: 2 },
  ].map((item) => {
    const prepared = prepareItem(item, facts);
    assert.ok(!prepared.ok);
    return prepared.reason;
  });
  assert.deepEqual(reasons, [
    "expected a JSON object, found 42",
    'status: expected an integer 100..599, found "abc"',
    'event_id: expected text of 1 to 128 characters without control characters, found ""',
    'event_id: expected text of 1 to 128 characters without control characters, found "a\\nb"',
    "event_type: expected the event's type (or page_path, or request_uri for a web-server log), " +
    "found nothing (field missing)",
    'page_path: expected a path starting with /, found "nope"',
    'not JSON and not a combined-format line: "hello"',
    "invalid JSON (x)",
  ]);
});

Deno.test("prepare: a combined-format line goes on unchanged, without an event id", () => {
  const line = '10.0.0.1 - - [23/Nov/2026:11:00:00 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/8"';
  const prepared = prepareItem({ kind: "line", text: line, line: 1 }, facts);
  assert.deepEqual(prepared, { ok: true, value: line, key: undefined, eventId: undefined });
});

Deno.test("prepare: an event larger than the per-event limit is refused with both sizes", () => {
  const props = (count: number, text: string) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${i}`, text]));
  const huge = { ...LOG_EVENT, ...props(20, "é".repeat(4_000)) };
  const prepared = prepareItem({ kind: "json", value: huge }, facts);
  assert.ok(!prepared.ok);
  assert.match(prepared.reason, /^the event is \d+ bytes as written, more than the limit of 65536/);
  const fits = { ...LOG_EVENT, ...props(10, "x".repeat(4_000)) };
  assert.ok(prepareItem({ kind: "json", value: fits }, facts).ok);
});
