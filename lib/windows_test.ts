import assert from "assert";
import { daysBetween, holdsOnlyItsInstants, utcBucket, windowCutter } from "./windows.ts";
import { parseWindowSize, windowSize } from "./window_size.ts";

const at = (iso: string) => Date.parse(iso);
const M1 = windowSize("1m");
const M5 = windowSize("5m");
const H1 = windowSize("1h");
const H6 = windowSize("6h");
const D1 = windowSize("1d");
const W1 = windowSize("1w");
const NONE = windowSize("none");

Deno.test("windowOf cuts UTC minutes, hours and days", () => {
  const cutter = windowCutter("UTC");
  const t = at("2026-11-22T13:07:31Z");
  assert.deepEqual(cutter.windowOf(t, H1), {
    key: "2026-11-22T13",
    size: "1h",
    date: "2026-11-22",
    hour: 13,
    localStart: at("2026-11-22T13:00:00Z"),
    start: at("2026-11-22T13:00:00Z"),
    end: at("2026-11-22T14:00:00Z"),
  });
  const minute = cutter.windowOf(t, M1);
  assert.equal(minute.key, "2026-11-22T13:07");
  assert.equal(minute.end - minute.start, 60_000);
  const five = cutter.windowOf(t, M5);
  assert.equal(five.key, "2026-11-22T13:05");
  assert.equal(five.start, at("2026-11-22T13:05:00Z"));
  assert.equal(five.end, at("2026-11-22T13:10:00Z"));
  assert.equal(cutter.windowOf(at("2026-11-22T13:04:59.999Z"), M5).key, "2026-11-22T13:00");
  assert.equal(cutter.windowOf(at("2026-11-22T13:10:00Z"), M5).key, "2026-11-22T13:10");
  assert.equal(cutter.windowOf(t, H6).key, "2026-11-22T12");
  const day = cutter.windowOf(t, D1);
  assert.equal(day.key, "2026-11-22");
  assert.equal(day.start, at("2026-11-22T00:00:00Z"));
  assert.equal(day.end, at("2026-11-23T00:00:00Z"));
  assert.equal(cutter.windowOf(at("2026-11-22T23:59:59.999Z"), D1).key, "2026-11-22");
  assert.equal(cutter.windowOf(at("2026-11-23T00:00:00Z"), D1).key, "2026-11-23");
});

Deno.test("windowOf cuts weeks starting Monday", () => {
  const cutter = windowCutter("UTC");
  // 2026-11-23 is a Monday; the 22nd a Sunday.
  for (const day of ["2026-11-23", "2026-11-25", "2026-11-29"]) {
    const week = cutter.windowOf(at(`${day}T12:00:00Z`), W1);
    assert.equal(week.key, "2026-11-23", day);
    assert.equal(week.start, at("2026-11-23T00:00:00Z"));
    assert.equal(week.end, at("2026-11-30T00:00:00Z"));
  }
  assert.equal(cutter.windowOf(at("2026-11-22T23:59:59Z"), W1).key, "2026-11-16");
  assert.equal(cutter.windowOf(at("2026-11-30T00:00:00Z"), W1).key, "2026-11-30");
  // Across a year end: 2026-12-28 is a Monday, its week ends in 2027.
  assert.equal(cutter.windowOf(at("2027-01-03T10:00:00Z"), W1).key, "2026-12-28");
});

Deno.test("windowOf follows the wall clock in a zone with daylight saving (Europe/Berlin)", () => {
  const berlin = windowCutter("Europe/Berlin");
  // Clocks go back on 2026-10-25 at 03:00 CEST (01:00 UTC): 02:00..03:00 happens twice.
  const firstPass = at("2026-10-25T00:30:00Z"); // 02:30 CEST
  const secondPass = at("2026-10-25T01:30:00Z"); // 02:30 CET
  assert.equal(berlin.windowOf(firstPass, H1).key, "2026-10-25T02");
  assert.deepEqual(berlin.windowOf(secondPass, H1), berlin.windowOf(firstPass, H1));
  const repeated = berlin.windowOf(firstPass, H1);
  assert.equal(repeated.start, at("2026-10-25T00:00:00Z"));
  assert.equal(repeated.end, at("2026-10-25T02:00:00Z"));
  assert.equal(berlin.windowOf(firstPass, M5).key, "2026-10-25T02:30");
  assert.equal(berlin.windowOf(secondPass, M5).key, "2026-10-25T02:30");
  // 02:30..02:35 happens from 00:30 to 00:35 UTC and again from 01:30 to 01:35 UTC.
  assert.equal(berlin.windowOf(firstPass, M5).start, at("2026-10-25T00:30:00Z"));
  assert.equal(berlin.windowOf(firstPass, M5).end, at("2026-10-25T01:35:00Z"));
  // 01:55..02:00 happens once, just before the first pass of 02:00.
  const beforeRepeat = berlin.windowOf(at("2026-10-24T23:57:00Z"), M5);
  assert.equal(beforeRepeat.key, "2026-10-25T01:55");
  assert.equal(beforeRepeat.end, at("2026-10-25T00:00:00Z"));
  // Every instant of the night lies inside its own window.
  for (let t = at("2026-10-24T22:00:00Z"); t < at("2026-10-25T04:00:00Z"); t += 60_000) {
    for (const spec of [M1, M5, H1, H6, D1]) {
      const window = berlin.windowOf(t, spec);
      assert.ok(window.start <= t && t < window.end, `${spec.size} ${new Date(t).toISOString()}`);
    }
  }
  // That day is 25 hours long; the week holding it is 169.
  const longDay = berlin.windowOf(firstPass, D1);
  assert.equal(longDay.start, at("2026-10-24T22:00:00Z"));
  assert.equal(longDay.end, at("2026-10-25T23:00:00Z"));
  const week = berlin.windowOf(firstPass, W1);
  assert.equal(week.key, "2026-10-19");
  assert.equal(week.end - week.start, 169 * 3_600_000);
  assert.equal(week.end, berlin.windowOf(at("2026-10-26T00:00:00Z"), W1).start);
  // Clocks go forward on 2026-03-29 at 02:00 CET (01:00 UTC): 02:00..03:00 never happens.
  const before = at("2026-03-29T00:59:59Z");
  const after = at("2026-03-29T01:00:00Z");
  assert.equal(berlin.windowOf(before, H1).key, "2026-03-29T01");
  assert.equal(berlin.windowOf(after, H1).key, "2026-03-29T03");
  assert.equal(berlin.windowOf(before, H1).end, after);
  assert.equal(berlin.windowOf(after, M5).key, "2026-03-29T03:00");
  const shortDay = berlin.windowOf(after, D1);
  assert.equal(shortDay.end - shortDay.start, 23 * 3_600_000);
  // Monday midnight in Berlin is Sunday 23:00 UTC in winter.
  assert.equal(berlin.windowOf(at("2026-11-22T23:30:00Z"), W1).key, "2026-11-23");
  assert.equal(berlin.windowOf(at("2026-11-22T23:30:00Z"), W1).start, at("2026-11-22T23:00:00Z"));
});

Deno.test("a window that lasts its wall-clock length holds only its own instants", () => {
  const nights = [
    ["Europe/Berlin", "2026-10-24T22:00:00Z"], // clocks go back an hour
    ["Europe/Berlin", "2026-03-28T22:00:00Z"], // clocks go forward an hour
    ["Australia/Lord_Howe", "2026-04-04T12:00:00Z"], // back half an hour
    ["Australia/Lord_Howe", "2026-10-03T12:00:00Z"], // forward half an hour
  ] as const;
  let cached = 0;
  let uncached = 0;
  const checked = new Set<string>();
  for (const [zone, from] of nights) {
    const cutter = windowCutter(zone);
    for (let t = at(from); t < at(from) + 8 * 3_600_000; t += 60_000) {
      for (const spec of [M1, M5, H1, H6, D1, W1]) {
        const window = cutter.windowOf(t, spec);
        assert.ok(window.start <= t && t < window.end, `${zone} ${spec.size} ${t}`);
        if (!holdsOnlyItsInstants(window, spec)) {
          uncached++;
          continue;
        }
        cached++;
        if (checked.has(`${zone} ${spec.size} ${window.key}`)) continue;
        checked.add(`${zone} ${spec.size} ${window.key}`);
        const step = spec.ms > 6 * 3_600_000 ? 15 * 60_000 : 60_000;
        for (let u = window.start; u < window.end; u += step) {
          const other = cutter.windowOf(u, spec).key;
          assert.equal(other, window.key, `${zone} ${spec.size} ${new Date(u).toISOString()}`);
        }
      }
    }
  }
  // Both kinds occur in these nights: the check is not vacuous.
  assert.ok(cached > 0 && uncached > 0, `${cached} cached, ${uncached} not`);
  // The five minutes repeated in Berlin are not reusable, and neither is `none`.
  const berlin = windowCutter("Europe/Berlin");
  assert.ok(!holdsOnlyItsInstants(berlin.windowOf(at("2026-10-25T00:40:00Z"), M5), M5));
  assert.ok(!holdsOnlyItsInstants(berlin.windowOf(0, NONE), NONE));
});

Deno.test("windowOf handles zones off the hour (Asia/Kolkata)", () => {
  const kolkata = windowCutter("Asia/Kolkata");
  assert.equal(kolkata.windowOf(at("2026-11-22T18:29:00Z"), D1).key, "2026-11-22");
  assert.equal(kolkata.windowOf(at("2026-11-22T18:30:00Z"), D1).key, "2026-11-23");
  const five = kolkata.windowOf(at("2026-11-22T10:02:00Z"), M5); // 15:32 local
  assert.equal(five.key, "2026-11-22T15:30");
  assert.equal(five.start, at("2026-11-22T10:00:00Z"));
});

Deno.test("windowOf with none gives one all-time window", () => {
  const cutter = windowCutter("Europe/Paris");
  const all = cutter.windowOf(at("2026-11-22T10:00:00Z"), NONE);
  assert.equal(all.key, "all");
  assert.equal(all.size, "none");
  assert.deepEqual(cutter.windowOf(at("2001-01-01T00:00:00Z"), NONE), all);
  assert.deepEqual(cutter.windowFromKey("all", NONE), all);
  assert.deepEqual(cutter.next(all, NONE), all);
});

Deno.test("windowFromKey round-trips keys, and next walks windows without gaps", () => {
  for (const zone of ["UTC", "Europe/Berlin", "America/New_York"]) {
    const cutter = windowCutter(zone);
    for (const spec of [M1, M5, H1, H6, D1, W1]) {
      let window = cutter.windowOf(at("2026-10-24T20:00:00Z"), spec);
      for (let i = 0; i < 40; i++) {
        assert.deepEqual(cutter.windowFromKey(window.key, spec), window, `${zone} ${window.key}`);
        const next = cutter.next(window, spec);
        assert.equal(next.start, window.end, `${zone} ${spec.size} after ${window.key}`);
        window = next;
      }
    }
  }
  const cutter = windowCutter("UTC");
  assert.throws(() => cutter.windowFromKey("22/11/2026", D1), /not the key of a 1d window/);
  assert.throws(() => cutter.windowFromKey("2026-11-22T13:07", M5), /YYYY-MM-DDTHH:MM/);
  assert.throws(() => cutter.windowFromKey("2026-11-24", W1), /a Monday/);
  assert.throws(() => cutter.windowFromKey("2026-11-22T13", D1), /1d window/);
});

Deno.test("parseWindowSize accepts 1m..1w and none, and says what else it takes", () => {
  for (const size of ["1m", "5m", "15m", "30m", "1h", "2h", "12h", "1d", "1w", "none"]) {
    const parsed = parseWindowSize(size);
    assert.ok(parsed.ok && parsed.spec.size === size, size);
  }
  for (const value of ["7m", "60m", "5h", "24h", "2d", "2w", "1y", "5 m", "", 5, undefined]) {
    const parsed = parseWindowSize(value);
    assert.equal(parsed.ok, false, String(value));
    assert.match(
      parsed.ok ? "" : parsed.message,
      /^expected a window size 1m, 2m, .* or none, found/,
    );
  }
  const twoDays = parseWindowSize("2d");
  assert.match(twoDays.ok ? "" : twoDays.message, /found "2d" \(longer windows than a day are 1w/);
});

Deno.test("utcBucket and daysBetween", () => {
  assert.deepEqual(utcBucket(at("2026-11-22T07:59:59Z")), { date: "2026-11-22", hour: 7 });
  assert.deepEqual(daysBetween("2026-11-30", "2026-12-02"), [
    "2026-11-30",
    "2026-12-01",
    "2026-12-02",
  ]);
  assert.deepEqual(daysBetween("2026-12-02", "2026-11-30"), []);
});
