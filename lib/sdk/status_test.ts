import assert from "assert";
import { isErrorStatus, STATUS_CLASSES, statusClass } from "./status.ts";

Deno.test("statusClass: every code of 100..599 in its class, others apart", () => {
  for (let status = 100; status < 600; status++) {
    assert.equal(statusClass(status), STATUS_CLASSES[Math.floor(status / 100) - 1]);
  }
  assert.deepEqual([99, 600, NaN, -1].map(statusClass), ["other", "other", "other", "other"]);
});

Deno.test("isErrorStatus: 4xx and 5xx", () => {
  assert.deepEqual(
    [100, 200, 304, 399, 400, 404, 499, 500, 599, 600].map(isErrorStatus),
    [false, false, false, false, true, true, true, true, true, false],
  );
});
