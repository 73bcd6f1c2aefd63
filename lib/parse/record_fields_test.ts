import assert from "assert";
import { parseLogMessage } from "./parse_log_message.ts";
import { validateRecordFields } from "./record_fields.ts";

const NOW = Date.UTC(2026, 10, 21);

function parse(object: Record<string, unknown>) {
  const result = parseLogMessage(JSON.stringify(object), NOW);
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.record;
}

function reasonFor(object: unknown): string {
  const result = parseLogMessage(JSON.stringify(object), NOW);
  assert.equal(result.ok, false, JSON.stringify(object));
  return result.ok ? "" : result.reason;
}

// The shape a FastAPI click tracker posts.
const TRACKER_EVENT = {
  event_id: "2f1c7d1e-8a4b-4c1e-9a63-0c7c3b0b9a11",
  event_type: "button_clicked",
  event_time: "2026-11-20T10:15:30.250Z",
  user_id: 1042,
  session_id: "s-88f3",
  page_path: "/products/shoes-42",
  button_id: "add-to-cart",
  device: "mobile",
  country: "DE",
  utm_source: "newsletter",
  utm_medium: "email",
  utm_campaign: "black-friday",
  props: { screen: "390x844", experiment: { variant: "B" }, logged_in: true },
};

// The shape of an e-commerce application log.
const SHOP_LOG = {
  timestamp: "2026-11-20T10:16:02+01:00",
  ip: "203.0.113.9",
  user_id: "u-77",
  session_id: "s-1",
  product_id: "p-1093",
  action: "purchase",
  category: "shoes",
  price: 59.9,
  quantity: 2,
  user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)",
};

Deno.test("a tracker event is accepted with its fields, props and time", () => {
  assert.deepEqual(parse(TRACKER_EVENT), {
    timestamp: Date.UTC(2026, 10, 20, 10, 15, 30, 250),
    event_id: "2f1c7d1e-8a4b-4c1e-9a63-0c7c3b0b9a11",
    event_type: "button_clicked",
    user_id: "1042",
    session_id: "s-88f3",
    page_path: "/products/shoes-42",
    button_id: "add-to-cart",
    device: "mobile",
    country: "DE",
    utm_source: "newsletter",
    utm_medium: "email",
    utm_campaign: "black-friday",
    props: { screen: "390x844", experiment: '{"variant":"B"}', logged_in: "true" },
  });
});

Deno.test("an e-commerce log is accepted: ip, action and user_agent read, extras in props", () => {
  assert.deepEqual(parse(SHOP_LOG), {
    timestamp: Date.UTC(2026, 10, 20, 9, 16, 2),
    remote_addr: "203.0.113.9",
    user_id: "u-77",
    session_id: "s-1",
    product_id: "p-1093",
    event_type: "purchase",
    http_user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)",
    props: { category: "shoes", price: "59.9", quantity: "2" },
  });
});

Deno.test("unknown fields are never dropped: extras and shadowed aliases land in props", () => {
  const record = parse({
    ...SHOP_LOG,
    remote_addr: "198.51.100.1",
    coupon: null,
    tags: ["a", "b"],
    __proto__field: 1,
    props: { note: "first" },
  });
  assert.equal(record.remote_addr, "198.51.100.1");
  assert.deepEqual(record.props, {
    note: "first",
    ip: "203.0.113.9",
    category: "shoes",
    price: "59.9",
    quantity: "2",
    coupon: "null",
    tags: '["a","b"]',
    __proto__field: "1",
  });
  const proto = parseLogMessage('{"event_type":"x","timestamp":1,"__proto__":"p"}', NOW);
  assert.equal(proto.ok, false); // timestamp 1 is before 2000
  const withProto = parse(
    JSON.parse('{"event_type":"x","timestamp":1763600000000,"__proto__":"p"}'),
  );
  // A field named __proto__ is kept too, as an ordinary entry.
  assert.deepEqual(Object.entries(withProto.props ?? {}), [["__proto__", "p"]]);
});

Deno.test("a page event needs no event_type, and the web-log fields stay as they were", () => {
  const record = parse({ event_time: "2026-11-20T10:00:00Z", page_path: "/cart" });
  assert.deepEqual(record, { timestamp: Date.UTC(2026, 10, 20, 10), page_path: "/cart" });
  const web = parse({
    timestamp: "2026-11-20T10:00:00Z",
    request_uri: "/a",
    status: 200,
    body_bytes_sent: 1,
    request_time: 0,
    http_referrer: "-",
    http_user_agent: "curl/8",
    session_id: "s-9",
  });
  assert.equal(web.request_uri, "/a");
  assert.equal(web.session_id, "s-9");
  assert.equal(web.props, undefined);
});

Deno.test("bad event fields are rejected with the field named", () => {
  const event = { event_type: "page_visited", event_time: "2026-11-20T10:00:00Z" };
  assert.equal(
    reasonFor({ ...event, event_time: "yesterday" }),
    'timestamp: expected epoch milliseconds, ISO-8601 with a zone or dd/Mon/yyyy:HH:mm:ss +zzzz, found "yesterday"',
  );
  assert.match(reasonFor({ page_path: "/a" }), /^timestamp: .* found nothing \(field missing\)$/);
  assert.equal(
    reasonFor({ event_time: "2026-11-20T10:00:00Z", user_id: "u1" }),
    "event_type: expected the event's type (or page_path, or request_uri for a web-server " +
      "log), found nothing (field missing)",
  );
  for (const blank of [null, "", "  "]) {
    assert.match(
      reasonFor({ event_time: "2026-11-20T10:00:00Z", event_type: blank }),
      /^event_type: expected the event's type/,
    );
  }
  assert.equal(
    reasonFor({ ...event, user_id: { id: 1 } }),
    "user_id: expected text of at most 256 characters without control characters, found an object",
  );
  assert.match(reasonFor({ ...event, session_id: "x".repeat(300) }), /^session_id: expected text/);
  assert.match(reasonFor({ ...event, button_id: "a\u0000b" }), /^button_id: expected text/);
  assert.equal(
    reasonFor({ ...event, page_path: "products" }),
    'page_path: expected a path starting with /, found "products"',
  );
  assert.equal(
    reasonFor({ ...event, status: "abc" }),
    'status: expected an integer 100..599, found "abc"',
  );
  assert.equal(
    reasonFor({ ...event, props: "x" }),
    'props: expected an object of extra fields, found "x"',
  );
  assert.equal(
    reasonFor({ ...event, props: { big: "y".repeat(5000) } }),
    "props.big: expected at most 4096 characters, found 5000",
  );
  const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
  assert.equal(reasonFor({ ...event, ...many }), "props: expected at most 100 extra fields");
});

Deno.test("a source may supply the time of a record that has none", () => {
  const fallback = Date.UTC(2026, 10, 20, 8);
  const result = validateRecordFields({ event_type: "login" }, NOW, fallback);
  assert.deepEqual(result, { ok: true, record: { timestamp: fallback, event_type: "login" } });
  const own = validateRecordFields({ event_type: "login", event_time: 1763625600000 }, NOW, 5);
  assert.ok(own.ok && own.record.timestamp === 1763625600000);
});
