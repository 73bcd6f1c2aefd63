import assert from "assert";
import { parseCombinedLine } from "./combined_log.ts";

const NOW = Date.UTC(2026, 10, 21);
const APACHE_EXAMPLE =
  '127.0.0.1 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" ' +
  '200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';

function parse(line: string) {
  const result = parseCombinedLine(line, NOW);
  assert.ok(result.ok, result.ok ? "" : `${result.reason} <- ${line}`);
  return result.record;
}

function reasonFor(line: string): string {
  const result = parseCombinedLine(line, NOW);
  assert.equal(result.ok, false, line);
  return result.ok ? "" : result.reason;
}

Deno.test("parseCombinedLine reads the Apache documentation example", () => {
  assert.deepEqual(parse(APACHE_EXAMPLE), {
    timestamp: Date.UTC(2026, 9, 10, 20, 55, 36),
    request_uri: "/apache_pb.gif",
    status: 200,
    body_bytes_sent: 2326,
    request_time: 0,
    http_referrer: "http://www.example.com/start.html",
    http_user_agent: "Mozilla/4.08 [en] (Win98; I ;Nav)",
    remote_addr: "127.0.0.1",
    method: "GET",
  });
});

Deno.test("parseCombinedLine reads the trailing nginx request time", () => {
  assert.equal(parse(APACHE_EXAMPLE + " 0.123").request_time, 0.123);
  assert.equal(parse(APACHE_EXAMPLE + "   12").request_time, 12);
  assert.equal(parse(APACHE_EXAMPLE + " 0.000").request_time, 0);
});

Deno.test("parseCombinedLine converts every zone to UTC", () => {
  const cases: [string, number][] = [
    ["+0000", Date.UTC(2026, 9, 10, 13, 55, 36)],
    ["-0700", Date.UTC(2026, 9, 10, 20, 55, 36)],
    ["+0200", Date.UTC(2026, 9, 10, 11, 55, 36)],
    ["+0530", Date.UTC(2026, 9, 10, 8, 25, 36)],
    ["-0930", Date.UTC(2026, 9, 10, 23, 25, 36)],
    ["+1400", Date.UTC(2026, 9, 9, 23, 55, 36)],
    ["-1200", Date.UTC(2026, 9, 11, 1, 55, 36)],
  ];
  for (const [zone, expected] of cases) {
    const line = APACHE_EXAMPLE.replace("-0700", zone);
    assert.equal(parse(line).timestamp, expected, zone);
  }
});

Deno.test("parseCombinedLine handles dashes, methods, escapes and odd requests", () => {
  const record = parse(
    '2001:db8::7 - - [20/Nov/2026:00:00:00 +0000] "POST /cart?add=1 HTTP/2.0" 304 - "-" "-"',
  );
  assert.equal(record.body_bytes_sent, 0);
  assert.equal(record.method, "POST");
  assert.equal(record.remote_addr, "2001:db8::7");
  assert.equal(record.http_referrer, "-");
  const escaped = parse(
    '10.1.1.1 - - [20/Nov/2026:00:00:00 +0000] "GET /q HTTP/1.1" 200 5 "-" "say \\"hi\\" \\\\o/"',
  );
  assert.equal(escaped.http_user_agent, 'say "hi" \\o/');
  assert.equal(
    parse('h - - [20/Nov/2026:00:00:00 +0000] "GET /old" 200 5 "-" "ua"').request_uri,
    "/old",
  );
  assert.equal(
    parse('h - - [20/Nov/2026:00:00:00 +0000] "OPTIONS * HTTP/1.1" 200 0 "-" "ua"').request_uri,
    "*",
  );
  // The common log format: no referrer and user agent.
  const common = parse('h - - [20/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 10');
  assert.equal(common.http_user_agent, "-");
  // Extra spaces between fields are tolerated.
  assert.equal(
    parse('h  -  -  [20/Nov/2026:00:00:00 +0000]  "GET /x HTTP/1.1"  200  10  "r"  "u"  0.5')
      .request_time,
    0.5,
  );
});

Deno.test("parseCombinedLine rejects lines that are not combined format", () => {
  for (const line of ["hello world", "a b c", "GET / HTTP/1.1", "a b c d [x]", "-"]) {
    assert.equal(
      reasonFor(line),
      `not JSON and not a combined-format line: ${JSON.stringify(line)}`,
    );
  }
  const long = "lorem ipsum ".repeat(20);
  assert.equal(
    reasonFor(long),
    `not JSON and not a combined-format line: ${JSON.stringify(long.slice(0, 60) + "...")}`,
  );
});

Deno.test("parseCombinedLine says where a combined line breaks", () => {
  assert.match(
    reasonFor('h - - [20/Nov/2026:00:00:00] "GET / HTTP/1.1" 200 1 "-" "-"'),
    /^combined-format line: expected \[dd\/Mon\/yyyy:HH:mm:ss \+zzzz\] at column 7/,
  );
  assert.match(
    reasonFor('h - - [20/Nov/2026:00:00:00 +0000] GET / HTTP/1.1 200 1 "-" "-"'),
    /expected "request"/,
  );
  assert.match(
    reasonFor('h - - [20/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1 200 1'),
    /expected a closing quote/,
  );
  assert.match(
    reasonFor('h - - [20/Nov/2026:00:00:00 +0000] "-" 400 0 "-" "-"'),
    /expected "METHOD \/path HTTP\/x.y" as the request/,
  );
  assert.match(reasonFor('h - - [20/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1"'), /a status code/);
  assert.match(reasonFor('h - - [20/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200'), /body size/);
  assert.match(
    reasonFor('h - - [20/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-"'),
    /expected "user agent"/,
  );
  assert.match(
    reasonFor('h - - [20/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" 0.1 upstream'),
    /expected the end of the line after the request time/,
  );
  assert.equal(
    reasonFor('h - - [20/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" abc 1 "-" "-"'),
    'status: expected an integer 100..599, found "abc"',
  );
  assert.match(
    reasonFor('h - - [20/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-" -1'),
    /^request_time:/,
  );
  assert.match(
    reasonFor('h - - [32/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"'),
    /^timestamp:/,
  );
  assert.match(
    reasonFor('h - - [20/Nov/2036:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"'),
    /^timestamp: expected a time between year 2000 and now \+ 1 day/,
  );
  assert.match(
    reasonFor('h - - [20/Nov/2026:00:00:00 +0000] "GET x HTTP/1.1" 200 1 "-" "-"'),
    /^request_uri: expected a path starting with \//,
  );
});

// The parser scans each line once with index loops (no backtracking regular expression), so
// hostile input cannot make it slow; here it must still reject each line with a reason.
Deno.test("parseCombinedLine rejects hostile input with a reason", () => {
  const hostile = [
    "a ".repeat(200_000),
    'h - - [20/Nov/2026:00:00:00 +0000] "' + "\\".repeat(400_000),
    'h - - [20/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "' + '\\"'.repeat(200_000),
  ];
  for (const line of hostile) assert.ok(reasonFor(line).length > 0);
});
