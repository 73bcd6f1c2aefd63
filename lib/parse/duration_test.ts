import assert from "assert";
import { formatDuration, parseDuration } from "./duration.ts";

Deno.test("parseDuration reads every unit", () => {
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("60s"), 60_000);
  assert.equal(parseDuration("5m"), 300_000);
  assert.equal(parseDuration("1h"), 3_600_000);
  assert.equal(parseDuration("3d"), 259_200_000);
  assert.equal(parseDuration(" 2h "), 7_200_000);
});

Deno.test("parseDuration rejects anything else", () => {
  for (const text of ["", "5", "m", "1.5h", "-1h", "5 m", "5min", "1w", "1h30m", "10000000000s"]) {
    assert.equal(parseDuration(text), undefined, text);
  }
});

Deno.test("formatDuration is compact", () => {
  assert.equal(formatDuration(850), "850ms");
  assert.equal(formatDuration(12_500), "12.5s");
  assert.equal(formatDuration(200_000), "3m 20s");
  assert.equal(formatDuration(7_500_000), "2h 5m");
  assert.equal(formatDuration(273_600_000), "3d 4h");
  assert.equal(formatDuration(3_600_000), "1h");
  assert.equal(formatDuration(60_000), "1m");
  assert.equal(formatDuration(259_200_000), "3d");
});
