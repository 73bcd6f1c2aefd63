import assert from "assert";
import { pacingDelay } from "./pacing.ts";

Deno.test("pacingDelay keeps to the rate measured from the start, so late wake-ups do not drift", () => {
  // 400/s: the 40th event is due 100 ms after the start.
  assert.equal(pacingDelay(1_000, 40, 400, 1_000), 100);
  assert.equal(pacingDelay(1_000, 40, 400, 1_060), 40);
  // Woken late: no wait, and the next chunk's due time does not move.
  assert.equal(pacingDelay(1_000, 40, 400, 1_150), -50);
  assert.equal(pacingDelay(1_000, 80, 400, 1_150), 50);
});
