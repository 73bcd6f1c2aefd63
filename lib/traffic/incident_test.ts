import assert from "assert";
import { generateTraffic, type TrafficOptions } from "./simulate.ts";
import { parseIncidentStart } from "./incident.ts";

const START = Date.UTC(2026, 10, 20, 10);
const BASE: TrafficOptions = {
  seed: 7,
  count: 6000,
  start: START,
  spanMs: 3_600_000,
  malformedShare: 0,
  lateShare: 0,
  combinedShare: 0,
};
/** The incident covers the middle 20 minutes of the hour. */
const MIDDLE = { from: START + 20 * 60_000, to: START + 40 * 60_000 };

function split(options: TrafficOptions) {
  const events = [...generateTraffic(options)];
  const inside = (t: number) => t >= MIDDLE.from && t < MIDDLE.to;
  const kept = events.filter((event) => !event.dropped);
  return {
    events,
    inside: kept.filter((event) => inside(event.record!.timestamp)).map((e) => e.record!),
    outside: kept.filter((event) => !inside(event.record!.timestamp)).map((e) => e.record!),
    dropped: events.filter((event) => event.dropped).length,
  };
}

const share = (records: { status?: number }[], test: (r: { status?: number }) => boolean) =>
  records.filter(test).length / records.length;

Deno.test("error spike: about 40% 5xx inside, the stream outside untouched", () => {
  const plain = split(BASE);
  const spiked = split({ ...BASE, incident: { kind: "error-spike", ...MIDDLE } });
  const failed = (r: { status?: number }) => (r.status ?? 0) >= 500;
  assert.ok(share(spiked.inside, failed) > 0.35, String(share(spiked.inside, failed)));
  assert.ok(share(plain.inside, failed) < 0.05);
  assert.deepEqual(spiked.outside, plain.outside);
});

Deno.test("traffic drop: about 80% of the requests inside are lost, counted as events", () => {
  const dropped = split({ ...BASE, incident: { kind: "traffic-drop", ...MIDDLE } });
  assert.equal(dropped.events.length, BASE.count);
  const insideShare = dropped.dropped / (dropped.dropped + dropped.inside.length);
  assert.ok(insideShare > 0.75 && insideShare < 0.85, String(insideShare));
  assert.deepEqual(dropped.outside, split(BASE).outside);
});

Deno.test("bot surge: most requests inside come from one bot", () => {
  const surge = split({ ...BASE, incident: { kind: "bot-surge", ...MIDDLE } });
  const bots =
    surge.inside.filter((record) => /SemrushBot/.test(record.http_user_agent ?? "")).length /
    surge.inside.length;
  assert.ok(bots > 0.6, String(bots));
  assert.deepEqual(surge.outside, split(BASE).outside);
});

Deno.test("parseIncidentStart: relative and absolute", () => {
  assert.equal(parseIncidentStart("+90s", 0), 90_000);
  assert.equal(parseIncidentStart("+1h", 0), 3_600_000);
  assert.equal(parseIncidentStart("2026-11-20T10:00:00Z", 0), START);
  assert.equal(parseIncidentStart("2m", 0), undefined);
  assert.equal(parseIncidentStart("tomorrow", 0), undefined);
});
