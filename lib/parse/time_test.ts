import assert from "assert";
import { formatTimeLocal, parseIsoDateTime, parseTimeLocal, parseTimestamp } from "./time.ts";

const NOV_20 = Date.UTC(2026, 10, 20, 13, 5, 1);

Deno.test("parseIsoDateTime reads zones, fractions and separators", () => {
  assert.equal(parseIsoDateTime("2026-11-20T13:05:01Z"), NOV_20);
  assert.equal(parseIsoDateTime("2026-11-20t13:05:01z"), NOV_20);
  assert.equal(parseIsoDateTime("2026-11-20 13:05:01Z"), NOV_20);
  assert.equal(parseIsoDateTime("2026-11-20T14:05:01+01:00"), NOV_20);
  assert.equal(parseIsoDateTime("2026-11-20T14:05:01+0100"), NOV_20);
  assert.equal(parseIsoDateTime("2026-11-20T14:05:01+01"), NOV_20);
  assert.equal(parseIsoDateTime("2026-11-20T07:35:01-05:30"), NOV_20);
  assert.equal(parseIsoDateTime("2026-11-20T13:05:01.250Z"), NOV_20 + 250);
  assert.equal(parseIsoDateTime("2026-11-20T13:05:01.2Z"), NOV_20 + 200);
  assert.equal(parseIsoDateTime("2026-11-20T13:05:01.123456789Z"), NOV_20 + 123);
  assert.equal(parseIsoDateTime("2024-02-29T00:00:00Z"), Date.UTC(2024, 1, 29));
});

Deno.test("parseIsoDateTime rejects zone-less, impossible and sloppy dates", () => {
  for (
    const text of [
      "2026-11-20T13:05:01",
      "2026-11-20",
      "2026-11-20T13:05Z",
      "2026-13-20T13:05:01Z",
      "2026-11-31T13:05:01Z",
      "2025-02-29T00:00:00Z",
      "2026-11-20T24:00:00Z",
      "2026-11-20T13:60:00Z",
      "2026-11-20T13:05:01.Z",
      "2026-11-20T13:05:01+1:00",
      "2026-11-20T13:05:01+01:60",
      "2026-11-20T13:05:01Zjunk",
      "2026-11-20X13:05:01Z",
      "20261120T130501Z",
      "Fri, 20 Nov 2026 13:05:01 GMT",
    ]
  ) {
    assert.ok(Number.isNaN(parseIsoDateTime(text)), text);
  }
});

Deno.test("parseTimeLocal reads every month and zone", () => {
  assert.equal(parseTimeLocal("10/Oct/2026:13:55:36 -0700"), Date.UTC(2026, 9, 10, 20, 55, 36));
  assert.equal(parseTimeLocal("10/Oct/2026:13:55:36 +0000"), Date.UTC(2026, 9, 10, 13, 55, 36));
  assert.equal(parseTimeLocal("01/Jan/2027:05:30:00 +0530"), Date.UTC(2027, 0, 1, 0, 0, 0));
  assert.equal(parseTimeLocal("31/Dec/2026:23:00:00 -1100"), Date.UTC(2027, 0, 1, 10));
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  months.forEach((month, index) => {
    assert.equal(parseTimeLocal(`15/${month}/2026:00:00:00 +0000`), Date.UTC(2026, index, 15));
  });
});

Deno.test("parseTimeLocal rejects malformed times", () => {
  for (
    const text of [
      "10/oct/2026:13:55:36 -0700",
      "10/Okt/2026:13:55:36 -0700",
      "31/Apr/2026:13:55:36 -0700",
      "10/Oct/2026 13:55:36 -0700",
      "10/Oct/2026:13:55:36 0700",
      "10/Oct/2026:13:55:36 -07:0",
      "1/Oct/2026:13:55:36 -0700x",
      "10/Oct/2026:13:55:36",
    ]
  ) {
    assert.ok(Number.isNaN(parseTimeLocal(text)), text);
  }
});

Deno.test("parseTimestamp accepts epoch ms as number or digits", () => {
  assert.equal(parseTimestamp(NOV_20), NOV_20);
  assert.equal(parseTimestamp(String(NOV_20)), NOV_20);
  assert.equal(parseTimestamp(` ${NOV_20} `), NOV_20);
  assert.equal(parseTimestamp("20/Nov/2026:13:05:01 +0000"), NOV_20);
  assert.equal(parseTimestamp(" 2026-11-20T13:05:01Z "), NOV_20);
  for (const value of [NaN, Infinity, "", "-1", "1.5e12", "12abc", null, true, {}, []]) {
    assert.ok(Number.isNaN(parseTimestamp(value)), String(value));
  }
});

Deno.test("formatTimeLocal inverts parseTimeLocal in any zone", () => {
  for (const offset of [0, -420, 60, 330, -600, 840, -720]) {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 7_777_777_000) {
      const text = formatTimeLocal(t, offset);
      assert.equal(text.length, 26, text);
      assert.equal(parseTimeLocal(text), t, text);
    }
  }
  assert.equal(
    formatTimeLocal(Date.UTC(2026, 0, 1, 0, 0, 0, 999), 0),
    "01/Jan/2026:00:00:00 +0000",
  );
});
