import assert from "assert";
import { cronProblem, nextFireTimes } from "./cron.ts";

Deno.test("cronProblem accepts five valid fields only", () => {
  assert.equal(cronProblem("*/5 * * * *"), undefined);
  assert.equal(cronProblem("0 3 * * 1-5"), undefined);
  assert.match(cronProblem("0 0 3 * * *") ?? "", /5 fields .* found 6/);
  assert.match(cronProblem("@daily") ?? "", /found 1/);
  assert.equal(
    cronProblem("0 25 * * *"),
    'invalid cron expression "0 25 * * *": Invalid value for hour: 25',
  );
});

Deno.test("nextFireTimes are in UTC", () => {
  const runs = nextFireTimes("15 0 * * *", 2, new Date("2026-03-01T12:00:00Z"));
  assert.deepEqual(runs.map((d) => d.toISOString()), [
    "2026-03-02T00:15:00.000Z",
    "2026-03-03T00:15:00.000Z",
  ]);
});
