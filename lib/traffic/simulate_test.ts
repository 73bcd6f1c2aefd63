import assert from "assert";
import { parseLogMessage } from "../parse/mod.ts";
import type { RequestRecord } from "../records.ts";
import { generateTraffic, type TrafficEvent, type TrafficOptions } from "./simulate.ts";

const START = Date.UTC(2026, 10, 20);
const HOUR = 3_600_000;
const NOW = START + 30 * 86_400_000;
const BASE: TrafficOptions = {
  seed: 42,
  count: 20_000,
  start: START,
  spanMs: 24 * HOUR,
  malformedShare: 0.05,
  lateShare: 0.05,
  combinedShare: 0.3,
};
const decoder = new TextDecoder();

function collect(overrides: Partial<TrafficOptions> = {}): TrafficEvent[] {
  return [...generateTraffic({ ...BASE, ...overrides })];
}

function records(events: TrafficEvent[]): RequestRecord[] {
  return events.flatMap((event) =>
    event.record === undefined ? [] : [event.record as RequestRecord]
  );
}

async function digest(events: TrafficEvent[]): Promise<string> {
  const total = events.reduce((sum, event) => sum + event.value.length + 1, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const event of events) {
    all.set(event.value, at);
    at += event.value.length + 1;
  }
  const hash = await crypto.subtle.digest("SHA-256", all);
  return Array.from(new Uint8Array(hash), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

Deno.test("generateTraffic is deterministic for a seed", async () => {
  const first = collect({ count: 5000 });
  const second = collect({ count: 5000 });
  assert.equal(await digest(first), await digest(second));
  assert.deepEqual(first.map((event) => event.key), second.map((event) => event.key));
  assert.notEqual(await digest(first), await digest(collect({ count: 5000, seed: 43 })));
});

Deno.test("every valid event parses to exactly its record; every malformed one is rejected", () => {
  const events = collect();
  let malformed = 0;
  let combined = 0;
  for (const event of events) {
    const result = parseLogMessage(event.value, NOW);
    const text = decoder.decode(event.value);
    if (event.record === undefined) {
      malformed++;
      assert.equal(result.ok, false, `malformed event ${event.seq} was accepted: ${text}`);
    } else {
      if (!text.startsWith("{")) combined++;
      assert.deepEqual(result, { ok: true, record: event.record }, text);
    }
  }
  assert.ok(Math.abs(malformed / events.length - 0.05) < 0.01, `malformed ${malformed}`);
  const valid = events.length - malformed;
  assert.ok(Math.abs(combined / valid - 0.3) < 0.02, `combined ${combined}`);
});

Deno.test("malformed events cover every kind of breakage", () => {
  const reasons = new Set<string>();
  for (const event of collect({ malformedShare: 1, count: 2000 })) {
    assert.equal(event.record, undefined);
    const result = parseLogMessage(event.value, NOW);
    assert.ok(!result.ok);
    reasons.add(result.reason.split(/[:( ]/)[0]!);
  }
  for (const kind of ["invalid", "status", "timestamp", "not", "combined-format"]) {
    assert.ok(reasons.has(kind), `no malformed event rejected for "${kind}": ${[...reasons]}`);
  }
  assert.ok(reasons.size >= 6, [...reasons].join(", "));
});

Deno.test("timestamps rise evenly through the span; late ones lie 1-48 h back", () => {
  const events = collect({ malformedShare: 0, lateShare: 0.1 });
  const step = BASE.spanMs / BASE.count;
  let late = 0;
  let previous = START;
  for (const event of events) {
    const record = event.record!;
    const position = START + Math.floor((event.seq * step) / 1000) * 1000;
    assert.equal(record.timestamp % 1000, 0);
    if (record.timestamp === position) {
      assert.ok(record.timestamp >= previous);
      previous = record.timestamp;
    } else {
      late++;
      const lateness = position - record.timestamp;
      assert.ok(lateness >= HOUR && lateness <= 48 * HOUR, `lateness ${lateness}`);
      assert.ok(record.timestamp >= START - 48 * HOUR);
    }
    assert.ok(record.timestamp < START + BASE.spanMs);
  }
  assert.ok(Math.abs(late / events.length - 0.1) < 0.01, `late ${late}`);
  assert.ok(previous >= START + BASE.spanMs - 60_000);
});

Deno.test("with a clock, events carry the clock's time", () => {
  let now = Date.UTC(2026, 10, 20, 12, 0, 0, 750);
  const stream = generateTraffic({
    ...BASE,
    count: Infinity,
    malformedShare: 0,
    lateShare: 0,
    clock: () => (now += 100),
  });
  for (let i = 0; i < 100; i++) {
    const event = stream.next().value as TrafficEvent;
    assert.equal(event.record!.timestamp, Math.floor(now / 1000) * 1000);
  }
});

Deno.test("the traffic looks like a real site's", () => {
  const all = records(collect({ count: 50_000, malformedShare: 0, lateShare: 0, pages: 500 }));
  const share = (test: (record: RequestRecord) => boolean) => all.filter(test).length / all.length;
  const near = (name: string, value: number, expected: number, tolerance: number) =>
    assert.ok(Math.abs(value - expected) <= tolerance, `${name}: ${value} vs ${expected}`);

  near("200", share((r) => r.status === 200), 0.855, 0.015);
  near("304", share((r) => r.status === 304), 0.05, 0.01);
  near("404", share((r) => r.status === 404), 0.04, 0.01);
  near("5xx", share((r) => r.status >= 500), 0.015, 0.005);
  near("GET", share((r) => r.method === "GET"), 0.94, 0.03);
  near("POST", share((r) => r.method === "POST"), 0.035, 0.015);
  near(
    "crawlers",
    share((r) => /Googlebot|bingbot|YandexBot|DuckDuck|Baidu|Ahrefs/.test(r.http_user_agent)),
    0.05,
    0.01,
  );
  near(
    "assets",
    share((r) => /\.(css|js|png|jpg|webp|svg|woff2|ico)$/.test(r.request_uri)),
    0.18,
    0.03,
  );
  near("no referrer", share((r) => r.http_referrer === "-"), 0.35, 0.1);

  const byAddr = new Map<string, number>();
  for (const record of all) {
    byAddr.set(record.remote_addr, (byAddr.get(record.remote_addr) ?? 0) + 1);
  }
  const heaviest = Math.max(...byAddr.values());
  near("bot address", heaviest / all.length, 0.03, 0.005);
  assert.ok(byAddr.size > 5000, `only ${byAddr.size} addresses`);

  const byUri = new Map<string, number>();
  for (const record of all) byUri.set(record.request_uri, (byUri.get(record.request_uri) ?? 0) + 1);
  assert.ok(byUri.size <= 500 && byUri.size > 400, `${byUri.size} distinct URIs`);
  const ranked = [...byUri.values()].sort((a, b) => b - a);
  assert.ok(ranked[0]! > 10 * ranked[50]!, "popularity is not Zipf-like");
  assert.ok(byUri.get("/")! === ranked[0], "the home page should lead");

  const sizes = all.filter((r) => r.status === 200 && r.method !== "HEAD").map((r) =>
    r.body_bytes_sent
  )
    .sort((a, b) => a - b);
  const median = sizes[Math.floor(sizes.length / 2)]!;
  assert.ok(sizes[sizes.length - 1]! > 20 * median, "body sizes lack a long tail");
  const times = all.map((r) => r.request_time).sort((a, b) => a - b);
  assert.ok(
    times[times.length - 1]! > 50 * times[Math.floor(times.length / 2)]!,
    "no latency tail",
  );
  for (const time of times) assert.equal(Math.round(time * 1000) / 1000, time);
});

Deno.test("keys spread evenly over partitions", () => {
  const counts = new Array(6).fill(0);
  for (const event of collect({ count: 6000 })) {
    assert.equal(event.key, String(event.seq));
    counts[event.seq % 6]++;
  }
  assert.deepEqual(counts, [1000, 1000, 1000, 1000, 1000, 1000]);
});

Deno.test("generateTraffic names the option that is out of range", () => {
  assert.throws(
    () => collect({ malformedShare: 1.5 }),
    /malformedShare: expected a share between 0 and 1/,
  );
  assert.throws(() => collect({ lateShare: -0.1 }), /lateShare/);
  assert.throws(() => collect({ count: 1.5 }), /count: expected a whole number/);
  assert.throws(() => collect({ count: Infinity }), /count: an endless stream needs a clock/);
  assert.throws(() => collect({ pages: 0 }), /pages: expected a whole number ≥ 1/);
  assert.throws(() => collect({ spanMs: -1 }), /start\/spanMs/);
  assert.equal(collect({ count: 0 }).length, 0);
  assert.equal(collect({ count: 10, pages: 1 }).length, 10);
});

// How fast the simulator generates is measured by `deno task bench` (its load rate), not here.
Deno.test("100k events come out whole and numbered", () => {
  let bytes = 0;
  let count = 0;
  for (const event of generateTraffic({ ...BASE, count: 100_000 })) {
    assert.equal(event.seq, count++);
    bytes += event.value.length;
  }
  assert.equal(count, 100_000);
  assert.ok(bytes > 10_000_000);
});
