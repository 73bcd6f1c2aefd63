import assert from "assert";
import { changeOf, formatMetric, queryOfView, rangeOf, viewFromQuery } from "./periods.js";

Deno.test("periods: presets are ranges of local dates ending today", () => {
  const today = "2026-03-01";
  assert.deepEqual(rangeOf("today", today), { from: today, to: today });
  assert.deepEqual(rangeOf("yesterday", today), { from: "2026-02-28", to: "2026-02-28" });
  assert.deepEqual(rangeOf("7d", today), { from: "2026-02-23", to: today });
  assert.deepEqual(rangeOf("30d", today), { from: "2026-01-31", to: today });
  assert.deepEqual(rangeOf("month", today), { from: "2026-03-01", to: today });
  assert.deepEqual(rangeOf("custom", today, "2026-01-05", "2026-01-09"), {
    from: "2026-01-05",
    to: "2026-01-09",
  });
  // A custom range that is not one falls back to today rather than asking the API for it.
  assert.deepEqual(rangeOf("custom", today, "2026-01-09", "2026-01-05"), {
    from: today,
    to: today,
  });
  assert.deepEqual(rangeOf("custom", today, "<b>", "x"), { from: today, to: today });
});

Deno.test("periods: a view survives the URL, which holds only what is not the default", () => {
  const today = "2026-11-21";
  for (
    const view of [
      { period: "today", from: today, to: today, metric: "visitors" },
      { period: "7d", from: "2026-11-15", to: today, metric: "pageviews" },
      { period: "custom", from: "2026-10-01", to: "2026-10-31", metric: "bounce_rate" },
    ]
  ) {
    assert.deepEqual(viewFromQuery(queryOfView(view), today), view);
  }
  assert.equal(queryOfView({ period: "today", from: today, to: today, metric: "visitors" }), "");
  assert.deepEqual(viewFromQuery("?period=bogus&metric=<x>", today), {
    period: "today",
    from: today,
    to: today,
    metric: "visitors",
  });
});

Deno.test("periods: changes and figures as shown", () => {
  assert.equal(changeOf(110, 100), 10);
  assert.equal(changeOf(5, 0), null);
  assert.equal(changeOf(5, undefined), null);
  assert.equal(formatMetric(12345, "count"), "12,345");
  assert.equal(formatMetric(0.4567, "percent"), "46%");
  assert.equal(formatMetric(61.4, "duration"), "1m 1s");
  assert.equal(formatMetric(undefined, "count"), "–");
});
