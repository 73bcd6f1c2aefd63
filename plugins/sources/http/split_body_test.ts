import assert from "assert";
import { splitBody } from "./split_body.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("split body: one JSON event, or an array of them", () => {
  assert.deepEqual(splitBody(bytes('{"a":1}'), "application/json", 5), {
    ok: true,
    items: [{ kind: "json", value: { a: 1 } }],
  });
  assert.deepEqual(splitBody(bytes('[{"a":1}, 7]'), "application/json; charset=utf-8", 5), {
    ok: true,
    items: [{ kind: "json", value: { a: 1 } }, { kind: "json", value: 7 }],
  });
});

Deno.test("split body: NDJSON lines, a bad line is a bad item with its line number", () => {
  const split = splitBody(bytes('{"a":1}\r\n\n{"b":\n'), "application/x-ndjson", 5);
  assert.ok(split.ok);
  assert.deepEqual(split.items[0], { kind: "json", value: { a: 1 }, line: 1 });
  assert.equal(split.items[1]?.kind, "invalid");
  assert.equal(split.items[1]?.line, 3);
});

Deno.test("split body: text lines are JSON events or log lines", () => {
  const split = splitBody(
    bytes('1.2.3.4 - - [x] "GET / HTTP/1.1" 200 1 "-" "-"\n{"c":3}'),
    "text/plain",
    5,
  );
  assert.ok(split.ok);
  assert.deepEqual(split.items.map((item) => item.kind), ["line", "json"]);
});

Deno.test("split body: whole-body refusals say what to send instead", () => {
  const form = splitBody(bytes("a=1"), "application/x-www-form-urlencoded", 5);
  assert.ok(!form.ok && form.status === 415 && form.error.includes("application/x-ndjson"));
  const none = splitBody(bytes("{}"), null, 5);
  assert.ok(!none.ok && none.status === 415 && none.error.includes('"(none)"'));
  const broken = splitBody(bytes('{"a":'), "application/json", 5);
  assert.ok(
    !broken.ok && broken.status === 400 && broken.error.startsWith("the body is not valid JSON"),
  );
  const empty = splitBody(bytes("[]"), "application/json", 5);
  assert.ok(!empty.ok && empty.status === 400);
  const blank = splitBody(bytes("\n\n"), "text/plain", 5);
  assert.ok(!blank.ok && blank.status === 400);
  const latin1 = splitBody(new Uint8Array([0x7b, 0xff, 0x7d]), "application/json", 5);
  assert.ok(!latin1.ok && latin1.status === 400 && latin1.error.includes("UTF-8"));
});

Deno.test("split body: more items than the limit is 413 with both numbers", () => {
  const split = splitBody(bytes("[1,2,3]"), "application/json", 2);
  assert.ok(!split.ok && split.status === 413);
  assert.match(split.error, /holds 3 events, more than the limit of 2/);
  assert.ok(splitBody(bytes("[1,2]"), "application/json", 2).ok);
});
