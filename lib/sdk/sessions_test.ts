import assert from "assert";
import { assertAggregationLaws } from "./conformance.ts";
import {
  addSessionEvent,
  addToSessions,
  DEFAULT_SESSION_GAP_MS,
  mergeSessionLists,
  mergeSessionSpans,
  sessionMetrics,
  type SessionSpans,
} from "./sessions.ts";
import { lawRecords, sketchAggregation } from "./_law_records.ts";

const MINUTE = 60_000;
const GAP = DEFAULT_SESSION_GAP_MS;

type Event = [visitor: string, minute: number, pages?: number];

function spansOf(events: readonly Event[], gap = GAP): SessionSpans {
  const spans: SessionSpans = {};
  for (const [visitor, minute, pages] of events) {
    addSessionEvent(spans, visitor, minute * MINUTE, gap, pages);
  }
  return spans;
}

// Hand-made: a: 0, 10, 25 (one session, 25 min, 3 pages), then 70 (a bounce);
// b: 5 (a bounce); c: 100, 130 (exactly 30 min apart: one session), 161 (31 min: a new one).
const EVENTS: Event[] = [
  ["a", 0],
  ["a", 10],
  ["b", 5],
  ["a", 25],
  ["a", 70],
  ["c", 100],
  ["c", 130],
  ["c", 161],
];

Deno.test("sessions: hand-computed count, duration, pages and bounces", () => {
  const spans = spansOf(EVENTS);
  assert.deepEqual(spans, {
    a: [0, 25 * MINUTE, 3, 70 * MINUTE, 70 * MINUTE, 1],
    b: [5 * MINUTE, 5 * MINUTE, 1],
    c: [100 * MINUTE, 130 * MINUTE, 2, 161 * MINUTE, 161 * MINUTE, 1],
  });
  assert.deepEqual(sessionMetrics(spans), {
    sessions: 5,
    totalDurationMs: 55 * MINUTE,
    averageDurationMs: 11 * MINUTE,
    pages: 8,
    pagesPerSession: 1.6,
    bounces: 3,
    bounceRate: 0.6,
  });
});

Deno.test("sessions: events out of order, an event bridging two sessions, zero-page events", () => {
  const spans = spansOf([["v", 50], ["v", 0], ["v", 100], ["v", 75, 0], ["v", 15]]);
  // 0, 15 | 50, 75, 100: 75 (a click, no page) joins 50 and 100.
  assert.deepEqual(spans, { v: [0, 15 * MINUTE, 2, 50 * MINUTE, 100 * MINUTE, 2] });
  // 32 is within 30 minutes of both 15 and 50.
  const bridged = addSessionEvent(structuredClone(spans), "v", 32 * MINUTE, GAP);
  assert.deepEqual(bridged, { v: [0, 100 * MINUTE, 5] });
});

Deno.test("sessions: any split, merged in any order through JSON, equals one pass", () => {
  const onePass = spansOf(EVENTS);
  const splits: Event[][][] = [
    [EVENTS.slice(0, 3), EVENTS.slice(3)],
    [EVENTS.filter((_, i) => i % 2 === 0), EVENTS.filter((_, i) => i % 2 === 1)],
    EVENTS.map((event) => [event]),
    [[...EVENTS].reverse(), []],
  ];
  for (const parts of splits) {
    const states = parts.map((part) => JSON.parse(JSON.stringify(spansOf(part))));
    for (const order of [states, [...states].reverse()]) {
      let merged: SessionSpans = {};
      for (const state of order) merged = mergeSessionSpans(merged, state, GAP);
      assert.deepEqual(merged, onePass);
    }
  }
});

Deno.test("sessions merge obeys the aggregation laws", () => {
  const sessions = sketchAggregation<SessionSpans>({
    start: () => ({}),
    add: (spans, record) =>
      addSessionEvent(spans, record.remote_addr ?? "-", record.timestamp, GAP),
    merge: (into, other) => mergeSessionSpans(into, other, GAP),
    answer: (spans) => JSON.stringify(sessionMetrics(spans)),
  });
  // 2,000 events of 40 visitors over 10 hours: many sessions each, split at random.
  assertAggregationLaws(sessions, lawRecords(2_000, 40));
  assertAggregationLaws(sessions, lawRecords(300, 250), { seed: 3 });
});

Deno.test("sessions: a session counts in the window where it starts", () => {
  const hour = 60 * MINUTE;
  // Visitor v: 10:50, 11:10 and 11:35 (one session across 11:00); w: 11:20 only.
  const at10 = spansOf([["v", 650]]);
  const at11 = spansOf([["v", 670], ["v", 695], ["w", 680]]);
  const ten = { start: 10 * hour, end: 11 * hour };
  const eleven = { start: 11 * hour, end: 12 * hour };
  // With its neighbours as context, each window counts the sessions that start in it, whole.
  const tenWithContext = sessionMetrics(at10, { ...ten, context: [at11], gapMs: GAP });
  assert.equal(tenWithContext.sessions, 1);
  assert.equal(tenWithContext.totalDurationMs, 45 * MINUTE); // 10:50 .. 11:35
  assert.equal(tenWithContext.pages, 3);
  const elevenWithContext = sessionMetrics(at11, { ...eleven, context: [at10], gapMs: GAP });
  assert.equal(elevenWithContext.sessions, 1); // w only
  assert.equal(elevenWithContext.bounces, 1);
  // Without context each window sees its own events only: v is counted in both, cut at 11:00.
  assert.equal(sessionMetrics(at10, ten).sessions, 1);
  assert.equal(sessionMetrics(at10, ten).totalDurationMs, 0);
  assert.equal(sessionMetrics(at11, eleven).sessions, 2);
  // Context is read only.
  assert.deepEqual(at10, spansOf([["v", 650]]));
  assert.throws(() => sessionMetrics(at10, { ...ten, context: [at11] }), /needs gapMs/);
});

Deno.test("sessions by session id: gap Infinity joins every event of the id", () => {
  const spans = spansOf([["s1", 0], ["s1", 300], ["s2", 10], ["s1", 120]], Infinity);
  assert.deepEqual(spans, { s1: [0, 300 * MINUTE, 3], s2: [10 * MINUTE, 10 * MINUTE, 1] });
  assert.deepEqual(mergeSessionSpans({ s1: [400 * MINUTE, 400 * MINUTE, 1] }, spans, Infinity), {
    s1: [0, 400 * MINUTE, 4],
    s2: [10 * MINUTE, 10 * MINUTE, 1],
  });
});

Deno.test("sessions: any visitor key, empty state and bad input", () => {
  const spans = spansOf([["__proto__", 0], ["__proto__", 5], ["constructor", 1]]);
  assert.equal(Object.getPrototypeOf(spans), Object.prototype);
  const copy = mergeSessionSpans({}, JSON.parse(JSON.stringify(spans)), GAP);
  assert.deepEqual(Object.keys(copy), ["__proto__", "constructor"]);
  assert.equal(sessionMetrics(copy).sessions, 2);
  assert.deepEqual(sessionMetrics({}), {
    sessions: 0,
    totalDurationMs: 0,
    averageDurationMs: 0,
    pages: 0,
    pagesPerSession: 0,
    bounces: 0,
    bounceRate: 0,
  });
  assert.throws(() => addSessionEvent({}, "v", 0, 0), /gap must be above 0 ms, found 0/);
  assert.throws(() => addSessionEvent({}, "v", NaN, GAP), /timestamp must be finite/);
  assert.throws(() => addSessionEvent({}, "v", 0, GAP, -1), /pages must be >= 0/);
});

Deno.test("sessions of one visitor: a list as addSessionEvent keeps it; merge reads both", () => {
  const spans = spansOf(EVENTS);
  let a: number[] = [];
  for (const [visitor, minute] of EVENTS) {
    if (visitor === "a") a = addToSessions(a, minute * MINUTE, GAP);
  }
  assert.deepEqual(a, spans.a);
  const early = addToSessions([], 0, GAP);
  const late = addToSessions(addToSessions([], 25 * MINUTE, GAP), 70 * MINUTE, GAP);
  const merged = mergeSessionLists(late, early, GAP);
  assert.deepEqual(merged, [0, 25 * MINUTE, 2, 70 * MINUTE, 70 * MINUTE, 1]);
  // Both parts read only, and no array shared with the result.
  assert.deepEqual(early, [0, 0, 1]);
  assert.deepEqual(late, [25 * MINUTE, 25 * MINUTE, 1, 70 * MINUTE, 70 * MINUTE, 1]);
  assert.notEqual(mergeSessionLists(early, [], GAP), early);
  assert.throws(() => mergeSessionLists([], [], 0), /gap must be above 0 ms/);
});
