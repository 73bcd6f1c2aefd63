import assert from "assert";
import { parseJsonLog } from "./json_log.ts";

const NOW = Date.UTC(2026, 10, 21);
const GOOD = {
  timestamp: "2026-11-20T10:00:00.000Z",
  request_uri: "/blog/hello-world",
  status: 200,
  body_bytes_sent: 1234,
  request_time: 0.042,
  http_referrer: "-",
  http_user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
  remote_addr: "2001:db8::1",
  method: "HEAD",
};

function reasonFor(text: string): string {
  const result = parseJsonLog(text, NOW);
  assert.equal(result.ok, false, text);
  return result.ok ? "" : result.reason;
}

Deno.test("parseJsonLog reads a complete object", () => {
  const result = parseJsonLog(JSON.stringify(GOOD), NOW);
  assert.deepEqual(result, {
    ok: true,
    record: { ...GOOD, timestamp: Date.UTC(2026, 10, 20, 10) },
  });
});

Deno.test("parseJsonLog accepts every timestamp form and numeric strings", () => {
  const expected = Date.UTC(2026, 10, 20, 10);
  for (
    const timestamp of [
      expected,
      String(expected),
      "2026-11-20T10:00:00Z",
      "2026-11-20T11:00:00+01:00",
      "2026-11-20T02:00:00-0800",
      "20/Nov/2026:10:00:00 +0000",
      "20/Nov/2026:15:30:00 +0530",
    ]
  ) {
    const result = parseJsonLog(
      JSON.stringify({
        ...GOOD,
        timestamp,
        status: "301",
        body_bytes_sent: "0",
        request_time: "2",
      }),
      NOW,
    );
    assert.ok(result.ok, String(timestamp));
    assert.equal(result.record.timestamp, expected);
    assert.equal(result.record.status, 301);
    assert.equal(result.record.body_bytes_sent, 0);
    assert.equal(result.record.request_time, 2);
  }
});

Deno.test("parseJsonLog keeps unknown fields in props and defaults optional ones", () => {
  const { remote_addr: _addr, method: _method, ...required } = GOOD;
  const result = parseJsonLog(JSON.stringify({ ...required, upstream: "app-1", extra: [1] }), NOW);
  assert.ok(result.ok);
  assert.equal(result.record.remote_addr, "-");
  assert.equal(result.record.method, "GET");
  assert.deepEqual(result.record.props, { upstream: "app-1", extra: "[1]" });
});

Deno.test("parseJsonLog explains what is wrong", () => {
  assert.match(reasonFor('{"timestamp": "2026-11-20T10:00:00Z", "requ'), /^invalid JSON \(/);
  assert.match(reasonFor("{}"), /^timestamp: expected .* found nothing \(field missing\)$/);
  assert.equal(
    reasonFor(JSON.stringify({ ...GOOD, status: "abc" })),
    'status: expected an integer 100..599, found "abc"',
  );
  const { request_uri: _uri, ...noUri } = GOOD;
  assert.equal(
    reasonFor(JSON.stringify(noUri)),
    "event_type: expected the event's type (or page_path, or request_uri for a web-server " +
      "log), found nothing (field missing)",
  );
  assert.match(
    reasonFor(JSON.stringify({ ...GOOD, request_uri: 42 })),
    /^request_uri: expected a string, found 42/,
  );
  assert.match(reasonFor("[1,2]"), /^expected a JSON object, found an array$/);
  assert.match(reasonFor("null"), /^expected a JSON object, found null$/);
});
