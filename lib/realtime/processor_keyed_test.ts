import assert from "assert";
import { createProcessor, type ProcessorOptions } from "./processor.ts";
import { MAX_WRITE_BYTES } from "./state_store.ts";
import {
  fakeSink,
  fakeSource,
  pagesBatch,
  pagesProcessor,
  publishedVisits,
  range,
  visitsPerPage,
} from "./_fakes.ts";

const setup = (overrides: Partial<ProcessorOptions> = {}) =>
  pagesProcessor(visitsPerPage, overrides);
const published = publishedVisits;

/** Another process on the same store as `a`, with a source and a sink of its own. */
function otherProcess(a: ReturnType<typeof setup>) {
  return createProcessor({
    ...a.options,
    source: fakeSource(),
    aggregations: a.options.aggregations.map((bound) => ({
      ...bound,
      sinks: [{ name: "s", sink: fakeSink() }],
    })),
  });
}

/** Visits per page counted directly from the offsets sent. */
function expected(offsets: number[], pageOf: (offset: number) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const offset of offsets) counts[pageOf(offset)] = (counts[pageOf(offset)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const sevenPages = (offset: number) => `/p${offset % 7}`;

Deno.test("keyed state: a flush writes only the keys that changed, plus the head", async () => {
  const test = setup();
  await test.processor.onBatch(pagesBatch(0, range(0, 699), sevenPages));
  assert.equal((await test.processor.flush()).states, 7 + 1);
  await test.processor.onBatch(pagesBatch(0, [700, 701], sevenPages)); // pages /p0 and /p1
  assert.equal((await test.processor.flush()).states, 2 + 1);
  assert.deepEqual(published(test.sink), expected(range(0, 701), sevenPages));
});

Deno.test("keyed state: no single write exceeds the limit, however many keys change", async () => {
  const test = setup();
  const longPages = (offset: number) => `/catalog/${"x".repeat(900)}/${offset}`;
  await test.processor.onBatch(pagesBatch(0, range(0, 4_999), longPages));
  const summary = await test.processor.flush();
  assert.equal(summary.states, 5_000 + 1);
  const largest = Math.max(...test.states.saves.map((save) => save.largestWriteBytes));
  assert.ok(largest <= MAX_WRITE_BYTES, `largest write ${largest} bytes`);
  assert.ok(largest > MAX_WRITE_BYTES / 2, "writes are batched, not one row each");
  assert.equal(test.processor.stats().largestWriteBytes, largest);
});

Deno.test("keyed state: a flush cut short after any of its writes stays exact on replay", async () => {
  const offsets = range(0, 59);
  const pageOf = (offset: number) => `/p${offset % 5}`;
  for (let cutAfter = 0; cutAfter <= 12; cutAfter++) {
    const test = setup();
    await test.processor.onBatch(pagesBatch(0, range(0, 29), pageOf));
    await test.processor.flush(); // 5 keys and a head, committed at 30
    await test.processor.onBatch(pagesBatch(0, range(30, 49), pageOf));
    test.states.cutSaveAfterRows = cutAfter;
    const cut = cutAfter < 6; // 5 key rows and a head: fewer than 6 rows is a partial save
    if (cut) await assert.rejects(test.processor.flush(), /connection reset mid-save/);
    else await test.processor.flush();

    // A new process replays from the last commit, over whatever part of the save landed, one
    // record per batch with a flush after each: a replayed record then changes a key at an
    // offset below keys already ahead, and every result must still see it.
    const restarted = createProcessor(test.options);
    const from = test.source.commits.at(-1)![0]!.nextOffset;
    for (const offset of range(from, 59)) {
      await restarted.onBatch(pagesBatch(0, [offset], pageOf));
      await restarted.flush();
      if (offset >= 49) {
        // Past what the first process had read (before, a key row saved ahead of its head can
        // show more than the records counted), every result counts every record so far.
        assert.deepEqual(
          published(test.sink),
          expected(range(0, offset), pageOf),
          `cut after ${cutAfter}, at ${offset}`,
        );
      }
    }
    assert.deepEqual(published(test.sink), expected(offsets, pageOf), `cut after ${cutAfter}`);
    const head = [...test.states.heads.values()][0]!.row;
    assert.equal(head.records, 60, `records after a cut after ${cutAfter} rows`);
  }
});

Deno.test("keyed state: a window another process is half-way through saving is published later", async () => {
  const a = setup();
  const b = otherProcess(a);
  await b.onBatch(pagesBatch(1, range(0, 9), sevenPages));
  await b.flush();
  await b.onBatch(pagesBatch(1, range(10, 16), sevenPages));
  a.states.cutSaveAfterRows = 3; // partition 1: 3 of its 7 changed key rows, its head not yet
  await assert.rejects(b.flush());

  await a.processor.onBatch(pagesBatch(0, range(0, 9), sevenPages));
  assert.equal((await a.processor.flush()).windows, 0, "not published from a half-saved state");
  assert.equal(a.sink.latest.size, 0);
  await b.flush(); // completes partition 1's save
  assert.equal((await a.processor.flush()).windows, 1, "the window stayed due");
  assert.deepEqual(
    published(a.sink),
    expected([...range(0, 9), ...range(0, 16)], sevenPages),
  );
});

Deno.test("keyed state: a result reads another process's partition only where it changed", async () => {
  // Two processes share one store: A owns partition 0, B partition 1.
  const a = setup();
  const b = otherProcess(a);
  await b.onBatch(pagesBatch(1, range(0, 699), sevenPages));
  await b.flush();
  a.states.entryReads.length = 0;
  await a.processor.onBatch(pagesBatch(0, range(0, 99), sevenPages));
  await a.processor.flush();
  const partition1 = a.states.entryReads.filter((read) => read.key.includes("\u00001"));
  assert.deepEqual(partition1.map((read) => read.above), [-Infinity], "first read: every row");

  // B's head has not moved: A reads nothing of partition 1.
  a.states.entryReads.length = 0;
  await a.processor.onBatch(pagesBatch(0, [100], sevenPages));
  await a.processor.flush();
  assert.deepEqual(a.states.entryReads, []);

  // B counted two pages more: A reads rows above B's previous head, and gets those two.
  await b.onBatch(pagesBatch(1, [700, 701], sevenPages));
  await b.flush();
  a.states.entryReads.length = 0;
  await a.processor.onBatch(pagesBatch(0, [101], sevenPages));
  await a.processor.flush();
  assert.deepEqual(a.states.entryReads.map((read) => read.above), [699]);
  const both = [...range(0, 101), ...range(0, 701)];
  const pageOf = (i: number) => sevenPages(both[i]!);
  assert.deepEqual(published(a.sink), expected(range(0, both.length - 1), pageOf));
});

Deno.test("backpressure: past the pending-key bound, a batch waits for the next flush", async () => {
  const test = setup({ maxPendingKeys: 5 });
  const everyPage = (offset: number) => `/p${offset}`;
  await test.processor.onBatch(pagesBatch(0, range(0, 9), everyPage)); // 10 keys pending
  let done = false;
  const next = test.processor.onBatch(pagesBatch(0, range(10, 11), everyPage)).then(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(done, false, "the second batch waits while 10 keys > 5 are not written");
  assert.equal(test.processor.stats().backpressureWaits, 1);
  assert.equal((await test.processor.flush()).states, 10 + 1);
  await next;
  assert.equal(done, true);
  await test.processor.flush();
  assert.deepEqual(published(test.sink), expected(range(0, 11), everyPage));
});

Deno.test("backpressure: a failed flush keeps the batch waiting; the next success lets it go", async () => {
  const test = setup({ maxPendingKeys: 5 });
  const everyPage = (offset: number) => `/p${offset}`;
  await test.processor.onBatch(pagesBatch(0, range(0, 9), everyPage));
  let done = false;
  const next = test.processor.onBatch(pagesBatch(0, [10], everyPage)).then(() => done = true);
  test.states.save$.failNext(new Error("Cassandra down"));
  await assert.rejects(() => test.processor.flush(), /Cassandra down/);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(done, false, "the failed flush wrote nothing, so the keys still wait");
  await test.processor.flush();
  await next;
  await test.processor.flush();
  assert.deepEqual(published(test.sink), expected(range(0, 10), everyPage));
});

Deno.test("keyed state: a window a failing sink is owed, half-way saved by another process, is published later", async () => {
  const clock = { now: Date.parse("2026-11-20T12:00:00Z") };
  const a = setup({ now: () => clock.now });
  const b = otherProcess(a);
  await a.processor.onBatch(pagesBatch(0, range(0, 9), sevenPages));
  a.sink.write$.failNext(new Error("sink down"));
  await a.processor.flush(); // the window's result is owed to the failing sink
  await b.onBatch(pagesBatch(1, range(0, 9), sevenPages));
  await b.flush();
  await b.onBatch(pagesBatch(1, range(10, 16), sevenPages));
  a.states.cutSaveAfterRows = 3; // partition 1: 3 of its 7 changed key rows, its head not yet
  await assert.rejects(b.flush());
  clock.now += 60_000; // past the sink's back-off: the owed window is due, but half-saved
  assert.equal((await a.processor.flush()).windows, 0, "not published from a half-saved state");
  await b.flush(); // completes partition 1's save
  clock.now += 60_000;
  assert.equal((await a.processor.flush()).windows, 1, "the owed window stayed due");
  assert.deepEqual(
    published(a.sink),
    expected([...range(0, 9), ...range(0, 16)], sevenPages),
  );
});
