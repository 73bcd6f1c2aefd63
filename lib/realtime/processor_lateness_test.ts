import assert from "assert";
import { createProcessor, STATE_RETENTION_MS } from "./processor.ts";
import { windowCutter } from "../windows.ts";
import {
  countRecords,
  DAY,
  fakeLogWriter,
  fakeSink,
  fakeSource,
  fakeStateStore,
  logMessage,
} from "./_fakes.ts";
import type { RawMessage } from "../contracts.ts";

const HOUR = 3_600_000;
const DAY_END = Date.parse("2026-11-21T00:00:00Z"); // end of the window 2026-11-20

function setup(allowedLatenessMs: number, now = DAY_END) {
  const states = fakeStateStore();
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
    states,
    log: () => {},
    allowedLatenessMs,
    now: () => now,
  });
  return { states, logWriter, sink, processor };
}

/** A record of 2026-11-20 10:00 whose message was produced at `producedAt`. */
function lateMessage(offset: number, producedAt: number): RawMessage {
  return logMessage(offset, "2026-11-20T10:00:00Z", producedAt);
}

Deno.test("lateness: a record later than allowed is logged, counted as too late, not added", async () => {
  const test = setup(2 * HOUR);
  await test.processor.onBatch({
    stream: "RAWLOG",
    partition: 0,
    messages: [lateMessage(0, DAY_END + 2 * HOUR - 1), lateMessage(1, DAY_END + 2 * HOUR)],
  });
  await test.processor.flush();
  assert.deepEqual([...test.logWriter.ids], ["RAWLOG/0/0", "RAWLOG/0/1"], "both logged");
  assert.equal(test.processor.stats().tooLate, 1);
  assert.equal(test.sink.latest.get("count/2026-11-20")?.records, 1, "only the first counted");
});

Deno.test("lateness: the verdict depends on the message time, not on when it is processed", async () => {
  for (const processedAt of [DAY_END, DAY_END + 30 * 86_400_000]) {
    const test = setup(2 * HOUR, processedAt);
    await test.processor.onBatch({
      stream: "RAWLOG",
      partition: 0,
      messages: [lateMessage(0, DAY_END + HOUR), lateMessage(1, DAY_END + 3 * HOUR)],
    });
    await test.processor.flush();
    assert.equal(test.processor.stats().tooLate, 1, `processed at ${processedAt}`);
    assert.equal(test.sink.latest.get("count/2026-11-20")?.records, 1);
  }
});

Deno.test("lateness: a closed window leaves memory after its result is written, and its rows expire", async () => {
  const test = setup(2 * HOUR);
  await test.processor.onBatch({
    stream: "RAWLOG",
    partition: 0,
    messages: [lateMessage(0, DAY_END - HOUR)],
  });
  await test.processor.flush();
  assert.equal(test.processor.stats().stateRows, 1, "open window held");
  const [expiry] = [...test.states.expiries.values()];
  assert.equal(expiry, DAY_END + 2 * HOUR + STATE_RETENTION_MS);

  // A record of the next day, produced after the first day closed: the first day leaves memory.
  await test.processor.onBatch({
    stream: "RAWLOG",
    partition: 0,
    messages: [logMessage(1, "2026-11-21T03:00:00Z", DAY_END + 3 * HOUR)],
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
