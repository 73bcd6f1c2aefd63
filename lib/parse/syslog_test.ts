import assert from "assert";
import { parseSyslogMessage } from "./syslog.ts";

function read(text: string) {
  const result = parseSyslogMessage(text);
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.message;
}

Deno.test("RFC 5424: the examples of the RFC (section 6.5)", () => {
  const first = read(
    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " +
      "\uFEFF'su root' failed for lonvick on /dev/pts/8",
  );
  assert.deepEqual(first, {
    protocol: "RFC5424",
    facility: 4,
    severity: 2,
    time: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
    host: "mymachine.example.com",
    app: "su",
    body: "'su root' failed for lonvick on /dev/pts/8",
  });
  const structured = read(
    "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 " +
      'iut="3" eventSource="Application" eventID="1011"] An application event log entry...',
  );
  assert.equal(structured.body, "An application event log entry...");
  assert.equal(structured.facility, 20);
});

Deno.test("RFC 3164: nginx's syslog output keeps the access line as the body", () => {
  const line = '10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET /a  b HTTP/1.1" 200 5 "-" "x"';
  const message = read(`<190>Nov 20 10:00:00 web1 nginx[42]: ${line}`);
  assert.equal(message.protocol, "RFC3164");
  assert.equal(message.host, "web1");
  assert.equal(message.app, "nginx");
  assert.equal(message.body, line);
  assert.equal(message.facility, 23);
  assert.equal(message.severity, 6);
});

Deno.test("malformed frames say what is wrong", () => {
  const reason = (text: string) => {
    const result = parseSyslogMessage(text);
    assert.equal(result.ok, false, text);
    return result.ok ? "" : result.reason;
  };
  assert.match(reason("no priority here"), /expected <PRI> at column 1/);
  assert.match(reason("<999>1 2003-10-11T22:14:15Z host app - - - x"), /above 191/);
  assert.match(reason("<13>hello world"), /RFC 5424 header .* or an RFC 3164 one/);
});
