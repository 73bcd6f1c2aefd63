import assert from "assert";
import { compileLogFormat, LogFormatError } from "./log_format.ts";
import type { LogRecord } from "../records.ts";

const NOW = Date.UTC(2026, 10, 21);

function parsed(format: string, line: string, options = {}): LogRecord {
  const result = compileLogFormat(format, options).parse(line, NOW);
  assert.ok(result.ok, result.ok ? "" : `${result.reason} <- ${line}`);
  return result.record;
}

function reason(format: string, line: string): string {
  const result = compileLogFormat(format).parse(line, NOW);
  assert.equal(result.ok, false, line);
  return result.ok ? "" : result.reason;
}

// The sample line of the Apache httpd log documentation (mod_log_config, "Combined Log Format").
const APACHE_SAMPLE = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif ' +
  'HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';

const APACHE_RECORD: LogRecord = {
  timestamp: Date.UTC(2000, 9, 10, 20, 55, 36),
  request_uri: "/apache_pb.gif",
  status: 200,
  body_bytes_sent: 2326,
  request_time: 0,
  http_referrer: "http://www.example.com/start.html",
  http_user_agent: "Mozilla/4.08 [en] (Win98; I ;Nav)",
  remote_addr: "127.0.0.1",
  method: "GET",
  props: { remote_user: "frank" },
};

Deno.test("Apache's documented combined LogFormat reads its sample line field for field", () => {
  // As written in httpd.conf, quotes escaped.
  const format = String.raw`%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"`;
  assert.deepEqual(parsed(format, APACHE_SAMPLE), APACHE_RECORD);
});

Deno.test("Apache's documented common LogFormat reads its sample line", () => {
  const line = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" ' +
    "200 2326";
  assert.deepEqual(parsed('%h %l %u %t "%r" %>s %b', line), {
    ...APACHE_RECORD,
    http_referrer: "-",
    http_user_agent: "-",
  });
  assert.deepEqual(parsed("common", line), {
    ...APACHE_RECORD,
    http_referrer: "-",
    http_user_agent: "-",
  });
});

Deno.test("nginx's combined log_format, named or written out, reads a combined line", () => {
  const format = '$remote_addr - $remote_user [$time_local] "$request" $status ' +
    '$body_bytes_sent "$http_referer" "$http_user_agent"';
  assert.deepEqual(parsed(format, APACHE_SAMPLE), APACHE_RECORD);
  assert.deepEqual(parsed("combined", APACHE_SAMPLE), APACHE_RECORD);
});

Deno.test("nginx's documented compression format keeps $gzip_ratio in props", () => {
  // ngx_http_log_module: log_format compression '... $bytes_sent ... "$gzip_ratio"';
  const format = '$remote_addr - $remote_user [$time_local] "$request" $status $bytes_sent ' +
    '"$http_referer" "$http_user_agent" "$gzip_ratio"';
  const line = '192.0.2.7 - - [20/Nov/2026:10:00:00 +0100] "GET /index.html HTTP/1.1" 200 ' +
    '1843 "-" "curl/8.5.0" "2.81"';
  assert.deepEqual(parsed(format, line), {
    timestamp: Date.UTC(2026, 10, 20, 9),
    request_uri: "/index.html",
    status: 200,
    body_bytes_sent: 1843,
    request_time: 0,
    http_referrer: "-",
    http_user_agent: "curl/8.5.0",
    remote_addr: "192.0.2.7",
    method: "GET",
    props: { gzip_ratio: "2.81" },
  });
});

Deno.test("a custom nginx format maps request time, host and X-Forwarded-For", () => {
  const format = '$host $remote_addr [$time_iso8601] "$request_method $request_uri" ' +
    "$status $body_bytes_sent rt=$request_time uct=$upstream_connect_time " +
    'xff="$http_x_forwarded_for"';
  const line = "shop.example 10.0.0.2 [2026-11-20T10:00:00+00:00] " +
    '"POST /cart?add=1" 201 17 rt=0.125 uct=0.002 xff="203.0.113.9, 10.0.0.1"';
  const record = parsed(format, line, { clientFromForwardedFor: true });
  assert.deepEqual(record, {
    timestamp: Date.UTC(2026, 10, 20, 10),
    request_uri: "/cart?add=1",
    status: 201,
    body_bytes_sent: 17,
    request_time: 0.125,
    http_referrer: "-",
    http_user_agent: "-",
    remote_addr: "203.0.113.9",
    method: "POST",
    props: {
      site: "shop.example",
      upstream_connect_time: "0.002",
      forwarded_for: "203.0.113.9, 10.0.0.1",
    },
  });
  // Not configured: the direct peer stays the client.
  assert.equal(parsed(format, line).remote_addr, "10.0.0.2");
});

Deno.test("nginx_timed reads the request time, and Apache %D and %{ms}T their units", () => {
  const timed = parsed("nginx_timed", `${APACHE_SAMPLE} 0.042`);
  assert.equal(timed.request_time, 0.042);
  const upstream = parsed(
    "combined $request_time $upstream_response_time".replace(
      "combined",
      '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
    ),
    `${APACHE_SAMPLE} 0.042 0.040`,
  );
  assert.deepEqual(upstream.props, { remote_user: "frank", upstream_response_time: "0.040" });
  assert.equal(
    parsed('%h %t "%r" %>s %D', '1.2.3.4 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1500')
      .request_time,
    0.0015,
  );
  assert.equal(
    parsed('%h %t "%r" %>s %{ms}T', '1.2.3.4 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12')
      .request_time,
    0.012,
  );
  assert.equal(
    parsed("vhost_combined", `www.example:443 ${APACHE_SAMPLE}`).props?.site,
    "www.example",
  );
});

Deno.test("$msec, ${var} and escaped bytes are read", () => {
  const record = parsed(
    '${msec} "$request" $status $body_bytes_sent "$http_user_agent"',
    '1763632800.250 "GET /caf\\xC3\\xA9 HTTP/1.1" 200 5 "say \\x22hi\\x22"',
  );
  assert.equal(record.timestamp, 1763632800250);
  assert.equal(record.request_uri, "/café");
  assert.equal(record.http_user_agent, 'say "hi"');
});

Deno.test("a line that does not match is rejected with the column where it failed", () => {
  assert.equal(
    reason("combined", '127.0.0.1 - frank 10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1'),
    'line does not match format combined: expected " [" after $remote_user at column 18, ' +
      'found " 10/Oct/2000:13:55:36 -0700] \\"GET / HTTP/1.0\\" 200 1"',
  );
  assert.match(
    reason("combined", "127.0.0.1 x"),
    /expected " - " after \$remote_addr at column 10, found " x"/,
  );
  assert.equal(
    reason("combined", '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2x0 1 "-" "-"'),
    'format combined: $status at column 61: expected a status code like 200, found "2x0"',
  );
  assert.match(
    reason(
      "combined",
      '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-" x',
    ),
    /expected the end of the line at column 74/,
  );
  assert.match(
    reason("common", '127.0.0.1 - - [yesterday] "GET / HTTP/1.0" 200 1'),
    /\$time_local at column 16: expected a time/,
  );
  assert.match(
    reason("common", '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "-" 400 0'),
    /\$request at column 45/,
  );
});

Deno.test("json and auto formats read as the kafka source does", () => {
  const json = '{"timestamp":"2026-11-20T10:00:00Z","request_uri":"/","status":200,' +
    '"body_bytes_sent":1,"request_time":0.5,"http_referrer":"-","http_user_agent":"x"}';
  assert.equal(parsed("json", json).request_time, 0.5);
  assert.equal(parsed("auto", json).request_time, 0.5);
  assert.equal(parsed("auto", `${APACHE_SAMPLE} 0.3`).request_time, 0.3);
});

Deno.test("a format that cannot be compiled says where and what to write", () => {
  const error = (format: string) => {
    try {
      compileLogFormat(format);
    } catch (caught) {
      assert.ok(caught instanceof LogFormatError);
      return `${caught.column}: ${caught.message}`;
    }
    assert.fail(`compiled: ${format}`);
  };
  assert.match(error("$remote_addr$status $request"), /^13: .*\$remote_addr and \$status/);
  assert.match(error("plain text"), /neither a named format/);
  assert.match(error("combined2"), /neither a named format \(combined, common/);
  assert.match(error("$remote_addr $status"), /no request path/);
  assert.match(error('%h "%r" %{Referer'), /^9: .*not closed/);
  assert.match(error('$remote_addr "$request"'), /no status/);
});
