import assert from "assert";
import { describeValue, type RawLogFields, validateLogFields } from "./validate.ts";

const NOW = Date.UTC(2026, 10, 21);

function fields(overrides: Partial<RawLogFields> = {}): RawLogFields {
  return {
    timestamp: "2026-11-20T10:00:00Z",
    request_uri: "/products/42?ref=mail",
    status: 200,
    body_bytes_sent: 512,
    request_time: 0.05,
    http_referrer: "https://www.google.com/",
    http_user_agent: "Mozilla/5.0",
    remote_addr: "10.0.0.1",
    method: "GET",
    ...overrides,
  };
}

function reasonFor(overrides: Partial<RawLogFields>): string {
  const result = validateLogFields(fields(overrides), NOW);
  assert.equal(result.ok, false, JSON.stringify(overrides));
  return result.ok ? "" : result.reason;
}

Deno.test("validateLogFields builds the normalized record", () => {
  const result = validateLogFields(fields(), NOW);
  assert.deepEqual(result, {
    ok: true,
    record: {
      timestamp: Date.UTC(2026, 10, 20, 10),
      request_uri: "/products/42?ref=mail",
      status: 200,
      body_bytes_sent: 512,
      request_time: 0.05,
      http_referrer: "https://www.google.com/",
      http_user_agent: "Mozilla/5.0",
      remote_addr: "10.0.0.1",
      method: "GET",
    },
  });
});

Deno.test("validateLogFields applies defaults, trims and reads numeric strings", () => {
  const result = validateLogFields(
    fields({
      status: " 404 ",
      body_bytes_sent: "0",
      request_time: "1.250",
      request_uri: "  /a  ",
      http_referrer: "",
      http_user_agent: "  ",
      remote_addr: undefined,
      method: " post ",
    }),
    NOW,
  );
  assert.ok(result.ok);
  assert.equal(result.record.status, 404);
  assert.equal(result.record.body_bytes_sent, 0);
  assert.equal(result.record.request_time, 1.25);
  assert.equal(result.record.request_uri, "/a");
  assert.equal(result.record.http_referrer, "-");
  assert.equal(result.record.http_user_agent, "-");
  assert.equal(result.record.remote_addr, "-");
  assert.equal(result.record.method, "POST");
  const noMethod = validateLogFields(fields({ method: undefined, remote_addr: null }), NOW);
  assert.ok(noMethod.ok && noMethod.record.method === "GET" && noMethod.record.remote_addr === "-");
  assert.ok(validateLogFields(fields({ request_uri: "*", method: "OPTIONS" }), NOW).ok);
  assert.ok(validateLogFields(fields({ status: 100 }), NOW).ok);
  assert.ok(validateLogFields(fields({ status: 599 }), NOW).ok);
  assert.ok(validateLogFields(fields({ request_time: 0 }), NOW).ok);
  assert.ok(validateLogFields(fields({ timestamp: NOW + 86_400_000 }), NOW).ok);
  assert.ok(validateLogFields(fields({ timestamp: Date.UTC(2000, 0, 1) }), NOW).ok);
  assert.ok(validateLogFields(fields({ request_uri: "/" + "a".repeat(2047) }), NOW).ok);
});

Deno.test("validateLogFields names the field and the value at fault", () => {
  assert.equal(reasonFor({ status: "abc" }), 'status: expected an integer 100..599, found "abc"');
  assert.equal(reasonFor({ status: 99 }), "status: expected an integer 100..599, found 99");
  assert.equal(reasonFor({ status: 600 }), "status: expected an integer 100..599, found 600");
  assert.equal(reasonFor({ status: 200.5 }), "status: expected an integer 100..599, found 200.5");
  assert.equal(reasonFor({ status: "2e2" }), 'status: expected an integer 100..599, found "2e2"');
  assert.equal(
    reasonFor({ status: undefined }),
    "status: expected an integer 100..599, found nothing (field missing)",
  );
  assert.equal(reasonFor({ status: null }), "status: expected an integer 100..599, found null");
  assert.match(reasonFor({ body_bytes_sent: -1 }), /^body_bytes_sent: expected an integer ≥ 0/);
  assert.match(reasonFor({ body_bytes_sent: "1.5" }), /^body_bytes_sent:/);
  assert.match(reasonFor({ body_bytes_sent: "" }), /^body_bytes_sent:/);
  assert.match(reasonFor({ request_time: -0.1 }), /^request_time: expected a finite number/);
  assert.match(reasonFor({ request_time: "0x10" }), /^request_time:/);
  assert.match(reasonFor({ request_time: ".5" }), /^request_time:/);
  assert.match(reasonFor({ request_time: "1." }), /^request_time:/);
  assert.match(reasonFor({ request_time: "1.2.3" }), /^request_time:/);
  assert.match(reasonFor({ request_time: "Infinity" }), /^request_time:/);
  assert.match(reasonFor({ request_time: true }), /^request_time:/);
  assert.equal(
    reasonFor({ request_uri: "" }),
    'request_uri: expected a path starting with / (or *), found ""',
  );
  assert.match(reasonFor({ request_uri: "http://x/a" }), /^request_uri: expected a path/);
  assert.match(reasonFor({ request_uri: 42 }), /^request_uri: expected a string, found 42/);
  assert.match(reasonFor({ request_uri: "/a\nb" }), /^request_uri: expected text without control/);
  assert.match(reasonFor({ request_uri: "/" + "a".repeat(2048) }), /at most 2048 characters/);
  assert.match(reasonFor({ http_user_agent: "Mozilla\u0000" }), /^http_user_agent: .*control/);
  assert.match(reasonFor({ http_user_agent: undefined }), /^http_user_agent: expected a string/);
  assert.match(reasonFor({ http_referrer: "a\tb" }), /^http_referrer: .*control/);
  assert.match(reasonFor({ http_referrer: ["x"] }), /found an array$/);
  assert.match(reasonFor({ remote_addr: "\u0085" }), /^remote_addr:/);
  assert.match(reasonFor({ remote_addr: 17 }), /^remote_addr: expected a string/);
  assert.match(reasonFor({ method: "G E T" }), /^method: expected an HTTP method/);
  assert.match(reasonFor({ method: "" }), /^method:/);
  assert.match(reasonFor({ method: {} }), /found an object$/);
});

Deno.test("validateLogFields bounds the timestamp", () => {
  assert.match(reasonFor({ timestamp: "yesterday" }), /^timestamp: expected epoch milliseconds/);
  assert.match(reasonFor({ timestamp: "2026-11-20T10:00:00" }), /^timestamp: expected epoch/);
  assert.match(reasonFor({ timestamp: undefined }), /found nothing \(field missing\)$/);
  assert.equal(
    reasonFor({ timestamp: 1_700_000_000 }),
    "timestamp: expected a time between year 2000 and now + 1 day, found 1700000000",
  );
  assert.match(reasonFor({ timestamp: "1999-12-31T23:59:59Z" }), /between year 2000/);
  assert.match(reasonFor({ timestamp: NOW + 86_400_001 }), /between year 2000/);
  assert.match(reasonFor({ timestamp: "2030-01-01T00:00:00Z" }), /between year 2000/);
});

Deno.test("describeValue cuts long strings", () => {
  assert.equal(describeValue("x".repeat(100)), JSON.stringify("x".repeat(60) + "..."));
  assert.equal(describeValue(true), "true");
});
