import assert from "assert";
import { daysBetween, utcBucket, windowCutter } from "./windows.ts";

Deno.test("windowOf cuts UTC hours and days", () => {
  const cutter = windowCutter("UTC");
  const t = Date.parse("2026-11-22T13:05:01Z");
  const hour = cutter.windowOf(t, "hour");
  assert.deepEqual(hour, {
    key: "2026-11-22T13",
    date: "2026-11-22",
    hour: 13,
    start: Date.parse("2026-11-22T13:00:00Z"),
    end: Date.parse("2026-11-22T14:00:00Z"),
  });
  const day = cutter.windowOf(t, "day");
  assert.equal(day.key, "2026-11-22");
  assert.equal(day.start, Date.parse("2026-11-22T00:00:00Z"));
  assert.equal(day.end, Date.parse("2026-11-23T00:00:00Z"));
  assert.equal(cutter.windowOf(Date.parse("2026-11-22T23:59:59.999Z"), "day").key, "2026-11-22");
  assert.equal(cutter.windowOf(Date.parse("2026-11-23T00:00:00Z"), "day").key, "2026-11-23");
});

Deno.test("windowOf uses the pipeline's time zone, including DST days", () => {
  const paris = windowCutter("Europe/Paris");
  // 23:30 UTC on Nov 22 is 00:30 on Nov 23 in Paris (UTC+1).
  const t = Date.parse("2026-11-22T23:30:00Z");
  assert.equal(paris.windowOf(t, "day").key, "2026-11-23");
  assert.equal(paris.windowOf(t, "hour").key, "2026-11-23T00");
  assert.equal(paris.windowOf(t, "day").start, Date.parse("2026-11-22T23:00:00Z"));
  // 2026-03-29 is 23 hours long in Paris (clocks go forward at 02:00).
  const dst = paris.windowOf(Date.parse("2026-03-29T12:00:00Z"), "day");
  assert.equal(dst.start, Date.parse("2026-03-28T23:00:00Z"));
  assert.equal(dst.end, Date.parse("2026-03-29T22:00:00Z"));
  const kolkata = windowCutter("Asia/Kolkata");
  assert.equal(kolkata.windowOf(Date.parse("2026-11-22T18:29:00Z"), "day").key, "2026-11-22");
  assert.equal(kolkata.windowOf(Date.parse("2026-11-22T18:30:00Z"), "day").key, "2026-11-23");
});

Deno.test("windowFromKey round-trips keys", () => {
  const cutter = windowCutter("UTC");
  assert.deepEqual(
    cutter.windowFromKey("2026-11-22T13"),
    cutter.windowOf(Date.parse("2026-11-22T13:00:00Z"), "hour"),
  );
  assert.deepEqual(
    cutter.windowFromKey("2026-11-22"),
    cutter.windowOf(Date.parse("2026-11-22T05:00:00Z"), "day"),
  );
  assert.throws(() => cutter.windowFromKey("22/11/2026"), /not a window key/);
});

Deno.test("utcBucket and daysBetween", () => {
  assert.deepEqual(utcBucket(Date.parse("2026-11-22T07:59:59Z")), { date: "2026-11-22", hour: 7 });
  assert.deepEqual(daysBetween("2026-11-30", "2026-12-02"), [
    "2026-11-30",
    "2026-12-01",
    "2026-12-02",
  ]);
  assert.deepEqual(daysBetween("2026-12-02", "2026-11-30"), []);
});
