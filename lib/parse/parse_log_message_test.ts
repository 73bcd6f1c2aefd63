import assert from "assert";
import { parseLogMessage } from "./parse_log_message.ts";

const NOW = Date.UTC(2026, 10, 21);
const JSON_LOG = JSON.stringify({
  timestamp: "2026-11-20T10:00:00Z",
  request_uri: "/",
  status: 200,
  body_bytes_sent: 10,
  request_time: 0.01,
  http_referrer: "-",
  http_user_agent: "curl/8",
});
const COMBINED_LOG =
  '10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "curl/8" 0.010';

Deno.test("parseLogMessage dispatches JSON and combined lines to the same record", () => {
  const fromJson = parseLogMessage(JSON_LOG, NOW);
  const fromLine = parseLogMessage(COMBINED_LOG, NOW);
  assert.ok(fromJson.ok && fromLine.ok);
  assert.deepEqual(fromLine.record, { ...fromJson.record, remote_addr: "10.0.0.1" });
});

Deno.test("parseLogMessage accepts bytes and surrounding whitespace", () => {
  const bytes = new TextEncoder().encode(`\n  ${JSON_LOG}\r\n`);
  assert.ok(parseLogMessage(bytes, NOW).ok);
  assert.ok(parseLogMessage(new TextEncoder().encode(COMBINED_LOG + "\n"), NOW).ok);
});

Deno.test("parseLogMessage rejects empty, binary and garbage input", () => {
  assert.deepEqual(parseLogMessage("", NOW), { ok: false, reason: "message is empty" });
  assert.deepEqual(parseLogMessage(new Uint8Array(), NOW), {
    ok: false,
    reason: "message is empty",
  });
  assert.deepEqual(parseLogMessage(new Uint8Array([0xff, 0xfe, 0x41]), NOW), {
    ok: false,
    reason: "message is not valid UTF-8",
  });
  assert.deepEqual(parseLogMessage("the quick brown fox", NOW), {
    ok: false,
    reason: 'not JSON and not a combined-format line: "the quick brown fox"',
  });
  const truncated = parseLogMessage(JSON_LOG.slice(0, 40), NOW);
  assert.ok(!truncated.ok && truncated.reason.startsWith("invalid JSON"));
});

Deno.test("parseLogMessage defaults now to the clock", () => {
  const future = JSON_LOG.replace(
    "2026-11-20T10:00:00Z",
    new Date(Date.now() + 3 * 86_400_000).toISOString(),
  );
  assert.ok(!parseLogMessage(future).ok);
  const recent = JSON_LOG.replace(
    "2026-11-20T10:00:00Z",
    new Date(Date.now() - 1000).toISOString(),
  );
  assert.ok(parseLogMessage(recent).ok);
});

// Parsing speed is a figure for `deno task bench`, not a timed assertion here: on a loaded
// machine a wall-clock bound fails for reasons that have nothing to do with the code.
Deno.test("parseLogMessage gives every message of a long mixed run its own record", () => {
  const encoder = new TextEncoder();
  const messages = [encoder.encode(JSON_LOG), encoder.encode(COMBINED_LOG)];
  const count = 20_000;
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    const result = parseLogMessage(messages[i & 1]!, NOW);
    if (result.ok && result.record.request_uri === "/" && result.record.props === undefined) {
      accepted++;
    }
  }
  assert.equal(accepted, count);
});
