import assert from "assert";
import { clientOf, visitorOf } from "./visitor.ts";

Deno.test("visitorOf: user, else client (address and agent), else session; kinds never collide", () => {
  const at = 0;
  assert.equal(visitorOf({ timestamp: at, user_id: "u", session_id: "s" }), "u:u");
  assert.equal(
    visitorOf({ timestamp: at, remote_addr: "10.0.0.1", session_id: "s" }),
    "c:10.0.0.1 -",
  );
  assert.equal(visitorOf({ timestamp: at, session_id: "u" }), "s:u");
  assert.notEqual(
    visitorOf({ timestamp: at, user_id: "x" }),
    visitorOf({ timestamp: at, session_id: "x" }),
  );
  assert.equal(clientOf({ timestamp: at }), undefined);
});
