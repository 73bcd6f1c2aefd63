import assert from "assert";
import { describeWindows, parseWindows } from "./windows.ts";

Deno.test("parseWindows reads every accepted form", () => {
  assert.deepEqual(parseWindows("today"), { ok: true, windows: { kind: "today" } });
  assert.deepEqual(parseWindows("yesterday"), { ok: true, windows: { kind: "yesterday" } });
  assert.deepEqual(parseWindows("last_366_days"), {
    ok: true,
    windows: { kind: "last_days", days: 366 },
  });
  assert.deepEqual(parseWindows({ from: "2026-01-01", to: "2026-01-01" }), {
    ok: true,
    windows: { kind: "range", from: "2026-01-01", to: "2026-01-01" },
  });
});

Deno.test("parseWindows explains what is wrong and where", () => {
  assert.equal(parseWindows("last_367_days").ok, false);
  assert.equal(parseWindows(7).ok, false);
  assert.deepEqual(parseWindows({ from: "2026-01-01", until: "2026-01-02" }), {
    ok: false,
    message: "unknown key 'until' (expected from and to)",
    path: ["until"],
  });
  assert.deepEqual(parseWindows({ from: "2026-13-01", to: "2026-01-02" }), {
    ok: false,
    message: 'expected a date YYYY-MM-DD, found "2026-13-01"',
    path: ["from"],
  });
  assert.deepEqual(parseWindows({ from: "2026-02-01", to: "2026-01-02" }).ok, false);
});

Deno.test("describeWindows", () => {
  assert.equal(describeWindows({ kind: "last_days", days: 1 }), "last 1 day");
  assert.equal(
    describeWindows({ kind: "range", from: "2026-01-01", to: "2026-01-31" }),
    "2026-01-01 to 2026-01-31",
  );
});
