/**
 * Keys dropped from memory above `maxKeptKeys`: every path that needs one back (a record of it,
 * a re-delivered record, a result merging it from another partition, a whole merge) and every
 * await it can meet (a rebalance, a flush dropping more keys meanwhile).
 */
import assert from "assert";
import type { ProcessorOptions } from "./processor.ts";
import { finishFromSummary, keyedAggregation } from "../sdk/keyed.ts";
import type { Aggregation, KeyedSummary } from "../contracts.ts";
import { pagesBatch, pagesProcessor, publishedVisits, range } from "./_fakes.ts";

/** When set, the summary throws at its next update (a plugin's fault). */
const faults = { throwOnce: false };

/** Visits per page, finished from a summary (so its keys may leave memory). */
const summary: KeyedSummary<number, Map<string, number>> = {
  start: () => new Map(),
  update(visits, page, value) {
    if (faults.throwOnce) {
      faults.throwOnce = false;
      throw new Error("summary fault");
    }
    visits.set(page, value);
    return visits;
  },
  finish: (visits) =>
    [...visits].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([page, visits]) => ({ key: page, values: { visits } })),
};
/** Visits per page finished from `summary`; with `totalKey`, every record also counts there. */
const visitsAggregation = (totalKey?: string) =>
  keyedAggregation<number, Map<string, number>>({
    shape: { key: { name: "page", type: "text" }, values: [{ name: "visits", type: "bigint" }] },
    keyOf: (record) => record.request_uri,
    totalKey,
    start: () => 0,
    add: (visits) => visits + 1,
    merge: (into, other) => into + other,
    finish: finishFromSummary(summary),
    summary,
  }) as Aggregation;
const summarizedVisits = visitsAggregation();
/** `summarizedVisits` with a total key, `*`. */
const visitsWithTotal = visitsAggregation("*");

/** The `pages` processor on `summarizedVisits`, keeping at most 5 keys in memory. */
const setup = (overrides: Partial<ProcessorOptions> = {}) =>
  pagesProcessor(summarizedVisits, { maxKeptKeys: 5, ...overrides });
const published = publishedVisits;

/** Visits per page counted directly from the pages sent. */
function expected(pages: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const page of pages) counts[page] = (counts[page] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const twentyPages = (offset: number) => `/p${offset % 20}`;

/**
 * Sends offsets 0..19 of partition 0 (twenty pages) and flushes until every key is dropped
 * (with `others` keys of other partitions).
 */
async function withDroppedKeys(test: ReturnType<typeof setup>, others = 0): Promise<void> {
  await test.processor.onBatch(pagesBatch(0, range(0, 19), twentyPages));
  await test.processor.flush();
  assert.equal(test.processor.stats().droppedKeys, 0, "keys changed lately stay");
  await test.processor.flush();
  assert.equal(test.processor.stats().droppedKeys, 20 + others);
  assert.equal(test.processor.stats().keptKeys, 0);
}

Deno.test("dropped keys: above the budget, saved keys not changed lately leave memory, and come back exact", async () => {
  const test = setup();
  await withDroppedKeys(test);
  await test.processor.onBatch(pagesBatch(0, range(20, 29), twentyPages)); // /p0../p9 again
  assert.equal(test.processor.stats().reloadedKeys, 10);
  assert.deepEqual(test.states.keyReads.map((read) => read.stateKeys.length), [10]);
  await test.processor.flush();
  assert.deepEqual(published(test.sink), expected(range(0, 29).map(twentyPages)));
});

Deno.test("dropped keys: a re-delivered record of a dropped key is recognised by its stored offset", async () => {
  const test = setup();
  await withDroppedKeys(test);
  // A restart of the consumer re-delivers offsets it had applied already.
  await test.processor.onBatch(pagesBatch(0, range(10, 24), twentyPages));
  assert.equal(test.processor.stats().duplicates, 10);
  await test.processor.flush();
  assert.deepEqual(published(test.sink), expected(range(0, 24).map(twentyPages)));
});

Deno.test("dropped keys: a key never seen costs no read", async () => {
  const test = setup();
  await withDroppedKeys(test);
  await test.processor.onBatch(pagesBatch(0, range(20, 29), (offset) => `/new${offset}`));
  assert.deepEqual(test.states.keyReads, []);
  await test.processor.flush();
  assert.deepEqual(
    published(test.sink),
    expected([...range(0, 19).map(twentyPages), ...range(20, 29).map((o) => `/new${o}`)]),
  );
});

Deno.test("dropped keys: a rebalance while they are read back abandons the batch", async () => {
  const test = setup();
  await withDroppedKeys(test);
  const gate = test.states.keyLoad$.holdNext();
  const batch = test.processor.onBatch(pagesBatch(0, range(20, 29), twentyPages));
  await gate.reached;
  test.processor.onReassigned();
  gate.open();
  await batch;
  assert.equal(test.processor.stats().abandonedBatches, 1);
  // The new generation gets the batch again (from the committed offset) and counts it once.
  await test.processor.onBatch(pagesBatch(0, range(20, 29), twentyPages));
  await test.processor.flush();
  assert.deepEqual(published(test.sink), expected(range(0, 29).map(twentyPages)));
});

Deno.test("dropped keys: a failing read back fails the batch, which counts once when re-delivered", async () => {
  const test = setup();
  await withDroppedKeys(test);
  test.states.keyLoad$.failNext(new Error("Cassandra timeout"));
  await assert.rejects(
    test.processor.onBatch(pagesBatch(0, range(20, 29), twentyPages)),
    /reading aggregate state failed: Cassandra timeout/,
  );
  await test.processor.onBatch(pagesBatch(0, range(20, 29), twentyPages));
  await test.processor.flush();
  assert.deepEqual(published(test.sink), expected(range(0, 29).map(twentyPages)));
});

Deno.test("dropped keys: a flush that drops more keys while a batch reads some back", async () => {
  const test = setup({ maxKeptKeys: 0 });
  await withDroppedKeys(test);
  await test.processor.onBatch(pagesBatch(0, [20], twentyPages)); // /p0 back in memory
  await test.processor.flush();
  // The next batch needs /p0 (in memory when it looks) and /p1 (read back, held here).
  const gate = test.states.keyLoad$.holdNext();
  const batch = test.processor.onBatch(pagesBatch(0, [21, 40], twentyPages)); // /p1, /p0
  await gate.reached;
  await test.processor.flush(); // /p0 is not changed lately any more: it leaves memory
  assert.equal(test.processor.stats().keptKeys, 0);
  gate.open();
  await batch;
  assert.deepEqual(test.states.keyReads.map((read) => read.stateKeys), [
    range(0, 9).map((i) => `/p${i}`).filter((page) => page === "/p0"),
    ["/p1"],
    ["/p0"],
  ]);
  await test.processor.flush();
  assert.deepEqual(published(test.sink), expected([...range(0, 21), 40].map(twentyPages)));
});

Deno.test("dropped keys: a result merges a key another local partition dropped", async () => {
  const test = setup();
  await test.processor.onBatch(pagesBatch(1, [0], () => "/q"));
  await withDroppedKeys(test, 1); // partition 0 dropped /p0../p19
  // Partition 1 counts /p3 and /p4: the window's result must add partition 0's counts.
  await test.processor.onBatch(pagesBatch(1, [1, 2], (offset) => `/p${offset + 2}`));
  await test.processor.flush();
  assert.deepEqual(
    published(test.sink),
    expected([...range(0, 19).map(twentyPages), "/q", "/p3", "/p4"]),
  );
  const reads = test.states.keyReads.filter((read) => read.key.endsWith("\u00000"));
  assert.deepEqual(reads.map((read) => read.stateKeys.sort()), [["/p3", "/p4"]]);
  assert.equal(test.processor.stats().reloadedKeys, 2, "counted with the batches' reads");

  // Partition 0 kept what the result read back: /p3 changing again in partition 1, and in
  // partition 0 itself, is merged and counted from memory, with no read.
  assert.equal(test.processor.stats().keptKeys, 4, "/p3 and /p4 of partition 1, and of 0");
  await test.processor.onBatch(pagesBatch(1, [3], () => "/p3"));
  await test.processor.onBatch(pagesBatch(0, [20], () => "/p3"));
  await test.processor.flush();
  assert.equal(test.states.keyReads.length, 1, "nothing read again");
  assert.deepEqual(
    published(test.sink),
    expected([...range(0, 19).map(twentyPages), "/q", "/p3", "/p4", "/p3", "/p3"]),
  );
});

Deno.test("dropped keys: a whole merge (after a plugin's fault) reads every dropped key back", async () => {
  const clock = { now: Date.parse("2026-11-20T12:00:00Z") };
  const test = setup({ now: () => clock.now });
  await test.processor.onBatch(pagesBatch(1, [0], () => "/q"));
  await withDroppedKeys(test, 1);
  faults.throwOnce = true;
  await test.processor.onBatch(pagesBatch(1, [1], () => "/p7"));
  await test.processor.flush(); // the result fails in the summary: the window's merge is lost
  assert.equal(faults.throwOnce, false);
  await test.processor.onBatch(pagesBatch(1, [2], () => "/p8"));
  clock.now += 30_000; // past the retry's back-off
  test.states.entryReads.length = 0;
  await test.processor.flush();
  assert.deepEqual(
    published(test.sink),
    expected([...range(0, 19).map(twentyPages), "/q", "/p7", "/p8"]),
  );
  const partition0 = test.states.entryReads.filter((read) => read.key.endsWith("\u00000"));
  assert.deepEqual(partition0.map((read) => read.above), [-Infinity], "every row read back");
});

Deno.test("dropped keys: the total key is read back like any key, and a re-delivered record adds to it once", async () => {
  const test = pagesProcessor(visitsWithTotal, { maxKeptKeys: 5 });
  await test.processor.onBatch(pagesBatch(0, range(0, 19), twentyPages));
  await test.processor.flush();
  await test.processor.flush();
  assert.equal(test.processor.stats().droppedKeys, 21, "twenty pages and the total");
  // Offsets 15..19 again (a restart re-delivers them), then 20..29 new.
  await test.processor.onBatch(pagesBatch(0, range(15, 29), twentyPages));
  assert.ok(test.states.keyReads.some((read) => read.stateKeys.includes("*")), "total read back");
  await test.processor.flush();
  assert.deepEqual(published(test.sink), { "*": 30, ...expected(range(0, 29).map(twentyPages)) });
});

Deno.test("dropped keys: an idle row drops its keys and stays, so a late record reads back only its own", async () => {
  const clock = { now: Date.parse("2026-11-20T12:00:00Z") };
  const test = setup({ now: () => clock.now, maxKeptKeys: 1_000 }); // far from the budget
  await test.processor.onBatch(pagesBatch(0, range(0, 19), twentyPages));
  await test.processor.onBatch(pagesBatch(1, [0], () => "/q"));
  await test.processor.flush();
  assert.equal(test.processor.stats().droppedKeys, 0, "within the budget, nothing idle yet");
  clock.now += 121_000; // past the idle time
  await test.processor.flush();
  assert.equal(test.processor.stats().droppedKeys, 21, "every key of both idle rows");
  assert.equal(test.processor.stats().keptKeys, 0);
  assert.equal(test.processor.stats().stateRows, 2, "the rows stay, with their heads");

  test.states.entryReads.length = 0;
  await test.processor.onBatch(pagesBatch(0, [20], () => "/p3")); // a late record
  assert.deepEqual(test.states.entryReads, [], "no row loaded whole");
  assert.deepEqual(test.states.keyReads.map((read) => read.stateKeys), [["/p3"]]);
  await test.processor.flush();
  assert.deepEqual(published(test.sink), expected([...range(0, 19).map(twentyPages), "/q", "/p3"]));
});

Deno.test("dropped keys: an idle row of an aggregation without a summary leaves memory whole", async () => {
  const clock = { now: Date.parse("2026-11-20T12:00:00Z") };
  const test = pagesProcessor(undefined, { now: () => clock.now });
  await test.processor.onBatch(pagesBatch(0, range(0, 9), twentyPages));
  await test.processor.flush();
  clock.now += 121_000;
  await test.processor.flush();
  assert.equal(test.processor.stats().stateRows, 0);
  assert.equal(test.processor.stats().droppedKeys, 0);
  test.states.entryReads.length = 0;
  await test.processor.onBatch(pagesBatch(0, [10], () => "/p3"));
  assert.equal(test.states.entryReads.length, 1, "loaded whole again");
  await test.processor.flush();
  assert.deepEqual(published(test.sink), expected([...range(0, 9).map(twentyPages), "/p3"]));
});

Deno.test("dropped keys: above the budget, the keys used longest ago leave first, until 80% of it is left", async () => {
  const test = setup({ maxKeptKeys: 20 });
  // Six flushes, each with four new pages: /a0../a3, then /b.., ... /f...
  const groups = ["a", "b", "c", "d", "e", "f"];
  for (const [i, group] of groups.entries()) {
    await test.processor.onBatch(
      pagesBatch(0, range(i * 4, i * 4 + 3), (o) => `/${group}${o % 4}`),
    );
    await test.processor.flush();
  }
  // 24 keys over the budget of 20: the oldest, /a and /b, leave, and 16 stay (not only the 8
  // changed in the last two flushes).
  assert.equal(test.processor.stats().droppedKeys, 8);
  assert.equal(test.processor.stats().keptKeys, 16);
  await test.processor.onBatch(pagesBatch(0, [24, 25], (o) => (o === 24 ? "/c0" : "/b0")));
  assert.deepEqual(test.states.keyReads.map((read) => read.stateKeys), [["/b0"]], "only /b0 read");
  await test.processor.flush();
  const pages = groups.flatMap((group) => range(0, 3).map((n) => `/${group}${n}`));
  assert.deepEqual(published(test.sink), expected([...pages, "/c0", "/b0"]));
});
