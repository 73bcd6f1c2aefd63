import assert from "assert";
import { createProcessor } from "./processor.ts";
import { windowCutter } from "../windows.ts";
import {
  countRecords,
  DAY,
  fakeChangelogStore,
  fakeLogWriter,
  fakeSink,
  fakeSource,
  logMessage,
} from "./_fakes.ts";
import type { RawMessage } from "../contracts.ts";

const HOUR = 3_600_000;
const DAY_END = Date.parse("2026-11-21T00:00:00Z"); // end of the window 2026-11-20

function setup(allowedLatenessMs: number, now = DAY_END) {
  const changelog = fakeChangelogStore();
  const logWriter = fakeLogWriter();
  const sink = fakeSink();
  const processor = createProcessor({
    source: fakeSource(),
    aggregations: [{
      name: "count",
      aggregation: countRecords,
      window: DAY,
      sinks: [{ name: "s", sink }],
    }],
    cutter: windowCutter("UTC"),
    logWriter,
    changelog,
    log: () => {},
    allowedLatenessMs,
    now: () => now,
  });
  return { changelog, logWriter, sink, processor };
}

/** A record at `timestamp`, produced long after (a replay of old logs). */
function record(offset: number, timestamp: string): RawMessage {
  return logMessage(offset, timestamp, Date.parse("2026-12-07T00:00:00Z"));
}

Deno.test("lateness: judged against the partition's event-time watermark, not message time", async () => {
  const test = setup(2 * HOUR);
  await test.processor.onBatch({
    stream: "RAWLOG",
    partition: 0,
    messages: [
      record(0, "2026-11-20T10:00:00Z"),
      record(1, "2026-11-21T01:59:00Z"), // watermark 01:59: the 20th closes at 02:00
      record(2, "2026-11-20T23:00:00Z"), // still on time
      record(3, "2026-11-21T02:00:00Z"), // watermark 02:00: the 20th is closed
      record(4, "2026-11-20T23:30:00Z"), // too late
    ],
  });
  await test.processor.flush();
  assert.equal(test.logWriter.ids.size, 5, "every record logged");
  assert.equal(test.processor.stats().tooLate, 1);
  assert.equal(test.sink.latest.get("count/2026-11-20")?.records, 2);
  assert.equal(test.sink.latest.get("count/2026-11-21")?.records, 2);
});

Deno.test("lateness: old logs replayed in order count in real time, whenever they are processed", async () => {
  for (const processedAt of [DAY_END, DAY_END + 365 * 86_400_000]) {
    const test = setup(HOUR, processedAt);
    const messages = Array.from(
      { length: 48 },
      (_, i) => record(i, new Date(Date.parse("2024-03-01T00:00:00Z") + i * HOUR).toISOString()),
    );
    await test.processor.onBatch({ stream: "RAWLOG", partition: 0, messages });
    await test.processor.flush();
    assert.equal(test.processor.stats().tooLate, 0, `processed at ${processedAt}`);
    assert.equal(test.sink.latest.get("count/2024-03-01")?.records, 24);
    assert.equal(test.sink.latest.get("count/2024-03-02")?.records, 24);
  }
});

Deno.test("lateness: a record's time ahead of its message time does not close windows", async () => {
  const test = setup(HOUR);
  const producedAt = Date.parse("2026-11-20T12:00:00Z");
  await test.processor.onBatch({
    stream: "RAWLOG",
    partition: 0,
    messages: [
      logMessage(0, "2026-11-25T12:00:00Z", producedAt), // a sender's clock five days ahead
      logMessage(1, "2026-11-20T11:00:00Z", producedAt),
    ],
  });
  await test.processor.flush();
  assert.equal(test.processor.stats().tooLate, 0);
  assert.equal(test.sink.latest.get("count/2026-11-20")?.records, 1);
});

Deno.test("lateness: the watermark is checkpointed, so a restored partition reaches the same verdicts", async () => {
  const first = setup(HOUR);
  await first.processor.onBatch({
    stream: "RAWLOG",
    partition: 0,
    messages: [record(0, "2026-11-20T10:00:00Z"), record(1, "2026-11-21T05:00:00Z")],
  });
  await first.processor.flush();
  // Another process takes the partition from the changelog and sees a late record.
  const second = createProcessor({
    source: fakeSource(),
    aggregations: [{ name: "count", aggregation: countRecords, window: DAY, sinks: [] }],
    cutter: windowCutter("UTC"),
    logWriter: fakeLogWriter(),
    changelog: first.changelog,
    log: () => {},
    allowedLatenessMs: HOUR,
  });
  await second.onBatch({
    stream: "RAWLOG",
    partition: 0,
    messages: [record(2, "2026-11-20T11:00:00Z")],
  });
  assert.equal(second.stats().tooLate, 1);
});

Deno.test("lateness: a closed window leaves memory after its result is written", async () => {
  const test = setup(2 * HOUR);
  await test.processor.onBatch({
    stream: "RAWLOG",
    partition: 0,
    messages: [record(0, "2026-11-20T10:00:00Z")],
  });
  await test.processor.flush();
  assert.equal(test.processor.stats().stateRows, 1, "open window held");
  // A record of the next day moves the watermark past the first day's close.
  await test.processor.onBatch({
    stream: "RAWLOG",
    partition: 0,
    messages: [record(1, "2026-11-21T03:00:00Z")],
  });
  await test.processor.flush();
  assert.equal(test.processor.stats().stateRows, 1, "only the open window is held");
  assert.equal(test.sink.latest.get("count/2026-11-20")?.records, 1);
  assert.equal(test.sink.latest.get("count/2026-11-21")?.records, 1);
});

Deno.test("lateness: memory holds only open windows however many records arrive", async () => {
  const test = setup(HOUR);
  let offset = 0;
  for (let day = 0; day < 20; day++) {
    const start = Date.parse("2026-11-01T00:00:00Z") + day * 86_400_000;
    const iso = new Date(start + 12 * HOUR).toISOString();
    const messages = Array.from({ length: 50 }, () => logMessage(offset++, iso, start + 13 * HOUR));
    await test.processor.onBatch({ stream: "RAWLOG", partition: 0, messages });
    await test.processor.flush();
    assert.ok(test.processor.stats().stateRows <= 2, `day ${day}`);
  }
  assert.equal(test.processor.stats().accepted, 1_000);
});
