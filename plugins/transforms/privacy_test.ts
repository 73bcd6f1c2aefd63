import assert from "assert";
import privacy from "./privacy.ts";
import { visitorOf } from "../../lib/sdk/mod.ts";

const DAY = 86_400_000;
const MONDAY = Date.UTC(2026, 10, 23, 10);
const apply = await privacy.open(
  privacy.options.parse({ salt: "a salt of sixteen or more" }),
  { log: () => {} },
);

Deno.test("privacy: the visitor becomes a key that holds within a day and changes the next", () => {
  const first = apply({ timestamp: MONDAY, user_id: "u-1", remote_addr: "203.0.113.77" })!;
  const later = apply({ timestamp: MONDAY + 3600_000, user_id: "u-1" })!;
  const tomorrow = apply({ timestamp: MONDAY + DAY, user_id: "u-1" })!;
  const other = apply({ timestamp: MONDAY, user_id: "u-2" })!;
  assert.match(first.user_id!, /^[0-9a-f]{32}$/);
  assert.equal(first.user_id, later.user_id);
  assert.notEqual(first.user_id, tomorrow.user_id);
  assert.notEqual(first.user_id, other.user_id);
  assert.equal(first.remote_addr, "203.0.113.0");
});

Deno.test("privacy: without a user id the address and agent are the visitor, hashed before the cut", () => {
  const a = apply({ timestamp: MONDAY, remote_addr: "198.51.100.1", http_user_agent: "UA" })!;
  const b = apply({ timestamp: MONDAY, remote_addr: "198.51.100.2", http_user_agent: "UA" })!;
  assert.equal(a.remote_addr, b.remote_addr);
  assert.notEqual(visitorOf(a), visitorOf(b));
});

Deno.test("privacy: IPv6 is cut to /48, an invalid address is removed", () => {
  assert.equal(
    apply({ timestamp: 0, remote_addr: "2001:db8:1:2::99" })?.remote_addr,
    "2001:db8:1::",
  );
  assert.equal(apply({ timestamp: 0, remote_addr: "not-an-ip" })?.remote_addr, undefined);
});

Deno.test("privacy: a short salt is refused", () => {
  assert.equal(privacy.options.safeParse({ salt: "short" }).success, false);
});
