import assert from "assert";
import { createProcessor, type ProcessorOptions } from "./processor.ts";
import { checkpoints } from "./checkpoint.ts";
import { spillStore } from "./spill.ts";
import { windowCutter } from "../windows.ts";
import { keyedAggregation, keyedCounts } from "../sdk/keyed.ts";
import { topOfMap } from "../sdk/counts.ts";
import { countsWindow, rangeCounts } from "../sdk/range_counts.ts";
import {
  DAY,
  fakeChangelogStore,
  fakeLogWriter,
  fakeSink,
  fakeSource,
  pagesBatch,
  publishedVisits,
  range,
  visitsPerPage,
} from "./_fakes.ts";

type Store = ReturnType<typeof fakeChangelogStore>;

/** A runner of `pages` (visits per page, day windows) on a shared changelog store. */
function runner(
  changelog: Store,
  overrides: Partial<ProcessorOptions> = {},
  aggregation = visitsPerPage,
) {
  const source = fakeSource();
  const sink = fakeSink();
  const lines: string[] = [];
  const processor = createProcessor({
    source,
    aggregations: [{
      name: "pages",
      aggregation,
      window: DAY,
      sinks: [{ name: "s", sink }],
    }],
    cutter: windowCutter("UTC"),
    logWriter: fakeLogWriter(),
    changelog,
    log: (line) => lines.push(line),
    ...overrides,
  });
  return { source, sink, lines, processor };
}

const pageOf = (offset: number) => `/p${offset % 5}`;

/** Visits per page in the checkpointed state (restored from the changelogs), all partitions. */
async function checkpointed(changelog: Store): Promise<Record<string, number>> {
  const restored = checkpoints(changelog);
  await restored.follow(["RAWLOG"]);
  const visits: Record<string, number> = {};
  for (const { state } of restored.followed.values()) {
    for (const window of state.windows.values()) {
      for (const [page, count] of window.values) {
        visits[page] = (visits[page] ?? 0) + (count as number);
      }
    }
  }
  return visits;
}

/** Visits per page of offsets `from..to`, as the test counts them itself. */
function expected(...ranges: Array<[number, number]>): Record<string, number> {
  const visits: Record<string, number> = {};
  for (const [from, to] of ranges) {
    for (const offset of range(from, to)) {
      visits[pageOf(offset)] = (visits[pageOf(offset)] ?? 0) + 1;
    }
  }
  return visits;
}

function sorted(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a < b ? -1 : 1));
}

Deno.test("changelog: an entry per changed partition, before the commit; a restart skips what it covers", async () => {
  const changelog = fakeChangelogStore();
  const first = runner(changelog);
  await first.processor.onBatch(pagesBatch(0, range(0, 19), pageOf));
  await first.processor.flush();
  assert.deepEqual(first.source.commits.at(-1)?.[0]?.nextOffset, 20);
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 19])));

  // Crash after the entry, before any later commit: Kafka re-delivers from an older offset.
  const second = runner(changelog);
  await second.processor.onBatch(pagesBatch(0, range(10, 29), pageOf));
  await second.processor.flush();
  assert.equal(second.processor.stats().duplicates, 10);
  assert.deepEqual(sorted(publishedVisits(second.sink)), sorted(expected([0, 29])));
});

Deno.test("changelog: a crash between chunks leaves the entry out; the replay counts it once", async () => {
  const changelog = fakeChangelogStore(16); // entries of several chunks
  const first = runner(changelog);
  await first.processor.onBatch(pagesBatch(0, range(0, 9), pageOf));
  await first.processor.flush();
  await first.processor.onBatch(pagesBatch(0, range(10, 29), pageOf));
  const chunksBefore = changelog.chunk$.calls;
  changelog.chunk$.failNext(new Error("connection reset"), 1);
  // Let the first chunk through, fail the second.
  const gate = changelog.chunk$.holdNext();
  const flushing = first.processor.flush();
  await gate.reached;
  gate.open();
  await assert.rejects(flushing, /checkpointing state failed/);
  assert.ok(changelog.chunk$.calls > chunksBefore);
  assert.equal(first.source.commits.length, 1, "nothing more committed");
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 9])));

  // The process dies; another takes the partition and reads from the committed offset 10.
  const second = runner(changelog);
  await second.processor.onBatch(pagesBatch(0, range(10, 29), pageOf));
  await second.processor.flush();
  assert.equal(second.processor.stats().duplicates, 0);
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 29])));
  assert.deepEqual(sorted(publishedVisits(second.sink)), sorted(expected([0, 29])));
});

Deno.test("changelog: a failed entry write is written again by the next flush, nothing lost", async () => {
  const changelog = fakeChangelogStore();
  const test = runner(changelog);
  await test.processor.onBatch(pagesBatch(0, range(0, 9), pageOf));
  changelog.move$.failNext(new Error("timeout"));
  await assert.rejects(test.processor.flush(), /checkpointing state failed: timeout/);
  assert.equal(test.source.commits.length, 0);
  await test.processor.onBatch(pagesBatch(0, range(10, 14), pageOf));
  await test.processor.flush();
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 14])));
  assert.equal(test.source.commits.at(-1)?.[0]?.nextOffset, 15);
});

Deno.test("changelog: a former owner that wakes up cannot add an entry the new owner reads", async () => {
  const changelog = fakeChangelogStore();
  const zombie = runner(changelog);
  await zombie.processor.onBatch(pagesBatch(0, range(0, 9), pageOf));
  await zombie.processor.flush();
  await zombie.processor.onBatch(pagesBatch(0, range(10, 19), pageOf)); // not yet checkpointed

  // The group moved the partition: the new owner takes it (a higher epoch) and goes on.
  const owner = runner(changelog);
  await owner.processor.onBatch(pagesBatch(0, range(10, 14), pageOf));
  await owner.processor.flush();

  // The zombie's flush now is fenced: its entry does not count and it commits nothing.
  const commits = zombie.source.commits.length;
  assert.deepEqual(await zombie.processor.flush(), { states: 0, windows: 1, positions: 0 });
  assert.equal(zombie.source.commits.length, commits);
  assert.equal(zombie.processor.stats().fencedPartitions, 1);
  assert.match(zombie.lines.join("\n"), /RAWLOG\/0 was taken by another runner/);
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 14])));

  await owner.processor.onBatch(pagesBatch(0, range(15, 19), pageOf));
  await owner.processor.flush();
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 19])));
  assert.deepEqual(sorted(publishedVisits(owner.sink)), sorted(expected([0, 19])));
});

Deno.test("changelog: a partition kept across a rebalance keeps its state, unflushed changes too", async () => {
  const changelog = fakeChangelogStore();
  const test = runner(changelog);
  await test.processor.onBatch(pagesBatch(0, range(0, 9), pageOf));
  await test.processor.flush();
  await test.processor.onBatch(pagesBatch(0, range(10, 14), pageOf));
  test.processor.onReassigned();
  const read = test.processor.stats().changelogBytesRead;
  // Re-delivered from the committed offset 10: already applied here.
  await test.processor.onBatch(pagesBatch(0, range(10, 19), pageOf));
  assert.equal(test.processor.stats().changelogBytesRead, read, "nothing restored");
  assert.equal(test.processor.stats().duplicates, 5);
  await test.processor.flush();
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 19])));
});

Deno.test("changelog: a partition that moved away and back is restored from the changelog", async () => {
  const changelog = fakeChangelogStore();
  const a = runner(changelog);
  await a.processor.onBatch(pagesBatch(0, range(0, 9), pageOf));
  await a.processor.flush();
  await a.processor.onBatch(pagesBatch(0, range(10, 12), pageOf)); // lost with the partition
  a.processor.onReassigned();
  const b = runner(changelog);
  await b.processor.onBatch(pagesBatch(0, range(10, 19), pageOf));
  await b.processor.flush();
  b.processor.onReassigned();
  await a.processor.onBatch(pagesBatch(0, range(20, 24), pageOf));
  await a.processor.flush();
  assert.ok(a.processor.stats().changelogBytesRead > 0);
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 24])));
  assert.deepEqual(sorted(publishedVisits(a.sink)), sorted(expected([0, 24])));
});

Deno.test("changelog: a snapshot replaces the entries before it once they outweigh it", async () => {
  const changelog = fakeChangelogStore();
  const test = runner(changelog);
  for (let i = 0; i < 12; i++) {
    await test.processor.onBatch(pagesBatch(0, range(i * 10, i * 10 + 9), pageOf));
    await test.processor.flush();
  }
  const stats = test.processor.stats();
  assert.ok(stats.snapshots >= 2, `${stats.snapshots} snapshots of ${stats.changelogEntries}`);
  const row = changelog.rows.get("RAWLOG/0")!;
  const kept = new Set(changelog.chunks.get("RAWLOG/0")!.map((chunk) => chunk.seq));
  assert.ok(kept.size < stats.changelogEntries, "older entries dropped");
  assert.ok([...kept].every((seq) => seq >= row.snapshotSeq));
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 119])));
});

Deno.test("changelog: at most one partition is snapshotted again per flush, the others in turn", async () => {
  const changelog = fakeChangelogStore();
  const test = runner(changelog);
  const snapshots = () => test.processor.stats().snapshots;
  const partitions = [0, 1, 2];
  let flushes = 0, taken = 0;
  const first = new Map<number, number>();
  for (let i = 0; i < 20; i++) {
    for (const partition of partitions) {
      await test.processor.onBatch(pagesBatch(partition, range(i * 10, i * 10 + 9), pageOf));
    }
    const before = snapshots();
    await test.processor.flush();
    flushes++;
    // The first flush makes every partition's first snapshot; later ones one at most.
    if (i > 0) assert.ok(snapshots() - before <= 1, `flush ${flushes}: ${snapshots() - before}`);
    else assert.equal(snapshots() - before, 3);
    taken = snapshots();
    for (const partition of partitions) {
      if (i === 0) first.set(partition, changelog.rows.get(`RAWLOG/${partition}`)!.snapshotSeq);
    }
  }
  // Each partition had its turn again.
  for (const partition of partitions) {
    const seq = changelog.rows.get(`RAWLOG/${partition}`)!.snapshotSeq;
    assert.ok(seq > first.get(partition)!, `partition ${partition} snapshotted again`);
  }
  assert.ok(taken >= 6, `${taken} snapshots`);
  const restored = await checkpointed(changelog);
  for (const [page, visits] of Object.entries(expected([0, 199]))) {
    assert.equal(restored[page], visits * 3, page);
  }
});

Deno.test("changelog: a result merges the partitions other runners own, followed by their entries", async () => {
  const changelog = fakeChangelogStore();
  const a = runner(changelog);
  const b = runner(changelog);
  await a.processor.onBatch(pagesBatch(0, range(0, 9), pageOf));
  await a.processor.flush();
  await b.processor.onBatch(pagesBatch(1, range(0, 19), pageOf));
  await b.processor.flush();
  assert.deepEqual(sorted(publishedVisits(b.sink)), sorted(expected([0, 9], [0, 19])));
  await a.processor.onBatch(pagesBatch(0, range(10, 14), pageOf));
  await a.processor.flush();
  assert.deepEqual(sorted(publishedVisits(a.sink)), sorted(expected([0, 14], [0, 19])));
  assert.equal(a.processor.stats().followedPartitions, 1);
  assert.equal(a.sink.latest.get("pages/2026-11-20")?.records, 35);
});

Deno.test("backpressure: past the pending-key bound, a batch waits for the next flush", async () => {
  const changelog = fakeChangelogStore();
  const test = runner(changelog, { maxPendingKeys: 3 });
  await test.processor.onBatch(pagesBatch(0, range(0, 9), pageOf)); // 5 pages pending
  let done = false;
  const waiting = test.processor.onBatch(pagesBatch(0, range(10, 19), pageOf)).then(() =>
    done = true
  );
  await Promise.resolve();
  assert.equal(done, false);
  await test.processor.flush();
  await waiting;
  assert.equal(test.processor.stats().backpressureWaits, 1);
  await test.processor.flush();
  assert.deepEqual(sorted(await checkpointed(changelog)), sorted(expected([0, 19])));
});

Deno.test("changelog: a crash after the entry, before the results, publishes them when records come again", async () => {
  const changelog = fakeChangelogStore();
  const first = runner(changelog);
  await first.processor.onBatch(pagesBatch(0, range(0, 9), pageOf));
  // The process dies while writing the result: the entry is written, nothing committed.
  const gate = first.sink.write$.holdNext();
  void first.processor.flush();
  await gate.reached;
  assert.equal(first.source.commits.length, 0);

  const second = runner(changelog);
  await second.processor.onBatch(pagesBatch(0, range(0, 9), pageOf)); // all duplicates
  await second.processor.flush();
  assert.equal(second.processor.stats().duplicates, 10);
  assert.deepEqual(sorted(publishedVisits(second.sink)), sorted(expected([0, 9])));
});

Deno.test("range summaries: made from the keyed summary, current at every flush, with no pass over the window", async () => {
  const changelog = fakeChangelogStore();
  // Visits per page as top_pages keeps them: the 2 best pages of a range, the best one cut.
  const spec = {
    keep: 2,
    ranked: 1,
    finish: (counts: ReadonlyMap<string, number>) =>
      topOfMap(counts, 1).map(([page, visits]) => ({ key: page, values: { visits } })),
  };
  const ranges = rangeCounts(spec);
  let passes = 0;
  const aggregation = {
    ...keyedCounts({
      shape: visitsPerPage.shape,
      keyOf: (record) => record.request_uri,
      finish: spec.finish,
      summary: countsWindow(spec),
    }),
    mergeable: {
      ...ranges,
      toSummary: (values: ReadonlyMap<string, unknown>) => (passes++, ranges.toSummary(values)),
    },
  } as typeof visitsPerPage;
  const { sink, processor } = runner(changelog, {}, aggregation);
  const counts = new Map<string, number>();
  for (const [first, last] of [[0, 9], [10, 13], [14, 30]] as const) {
    await processor.onBatch(pagesBatch(0, range(first, last), pageOf));
    for (const offset of range(first, last)) {
      counts.set(pageOf(offset), (counts.get(pageOf(offset)) ?? 0) + 1);
    }
    await processor.flush();
    assert.deepEqual(sink.latest.get("pages/2026-11-20")?.summary, ranges.toSummary(counts));
  }
  assert.equal(passes, 0);
});

Deno.test("a batch applied while a flush writes its entries is in that flush's result, rows and count alike", async () => {
  // Visits per page finished from a summary, as top pages are.
  const withSummary = keyedAggregation<number, Map<string, number>>({
    shape: visitsPerPage.shape,
    keyOf: (record) => record.request_uri,
    start: () => 0,
    add: (visits) => visits + 1,
    merge: (into, other) => into + other,
    finish: (values) =>
      [...values].sort(([a], [b]) => a < b ? -1 : 1).map(([page, visits]) => ({
        key: page,
        values: { visits },
      })),
    summary: {
      start: () => new Map(),
      update: (pages, page, visits) => pages.set(page, visits as number),
      finish: (pages) =>
        [...pages].sort(([a], [b]) => a < b ? -1 : 1).map(([page, visits]) => ({
          key: page,
          values: { visits },
        })),
    },
  }) as typeof visitsPerPage;
  const changelog = fakeChangelogStore();
  const { sink, processor } = runner(changelog, {}, withSummary);
  await processor.onBatch(pagesBatch(0, range(0, 9), pageOf));
  await processor.flush(); // the window's summary is cached from here on
  await processor.onBatch(pagesBatch(0, range(10, 14), pageOf));
  const gate = changelog.move$.holdNext();
  const flushing = processor.flush();
  await gate.reached;
  await processor.onBatch(pagesBatch(0, range(15, 24), (offset) => `/q${offset % 3}`));
  gate.open();
  await flushing;
  const result = sink.latest.get("pages/2026-11-20")!;
  const visits = result.rows.reduce((sum, row) => sum + Number(row.values.visits), 0);
  assert.equal(visits, result.records, "the rows cover exactly the records counted");
});

Deno.test("a follower reading while the owner compacts its changelog reads the fresh chain", async () => {
  const changelog = fakeChangelogStore();
  const owner = runner(changelog);
  const follower = runner(changelog);
  let offset = 0;
  const more = async () => {
    await owner.processor.onBatch(pagesBatch(0, range(offset, offset + 9), pageOf));
    offset += 10;
    await owner.processor.flush();
  };
  await more();
  await follower.processor.onBatch(pagesBatch(1, range(0, 4), pageOf));
  await follower.processor.flush(); // follows partition 0 from here on
  await more();
  // The follower's next read of partition 0 waits while the owner writes a new snapshot and
  // drops the entries the follower's checkpoint still names.
  const gate = changelog.read$.holdNext();
  await follower.processor.onBatch(pagesBatch(1, range(5, 9), pageOf));
  const flushing = follower.processor.flush();
  await gate.reached;
  const snapshot = changelog.rows.get("RAWLOG/0")!.snapshotSeq;
  while (changelog.rows.get("RAWLOG/0")!.snapshotSeq === snapshot) await more();
  gate.open();
  await flushing;
  await follower.processor.onBatch(pagesBatch(1, range(10, 10), pageOf));
  await follower.processor.flush();
  assert.deepEqual(
    sorted(publishedVisits(follower.sink)),
    sorted(expected([0, offset - 1], [0, 10])),
  );
});

Deno.test("spill: with idle keys spilled past a budget of one key, results, entries and restores hold", async () => {
  const pageOfMany = (offset: number) => `/p${(offset * 7) % 40}`;
  const visitsOf = (...ranges: Array<[number, number]>) => {
    const visits: Record<string, number> = {};
    for (const [from, to] of ranges) {
      for (const offset of range(from, to)) {
        visits[pageOfMany(offset)] = (visits[pageOfMany(offset)] ?? 0) + 1;
      }
    }
    return visits;
  };
  const changelog = fakeChangelogStore();
  const spill = spillStore(1);
  const spilling = runner(changelog, { spill });
  try {
    for (let i = 0; i < 12; i++) {
      for (const partition of [0, 1]) {
        await spilling.processor.onBatch(
          pagesBatch(partition, range(i * 10, i * 10 + 9), pageOfMany),
        );
      }
      await spilling.processor.flush();
    }
    assert.ok(spill.spilled > 40 && spill.loaded > 20, `${spill.spilled} ${spill.loaded}`);
    assert.ok(spilling.processor.stats().snapshots >= 2);
    const stats = spilling.processor.stats();
    assert.equal(stats.stateKeys, 80, "40 pages in each partition");
    // Past the budget, only keys changed since their partition's last entry stay in memory.
    assert.equal(stats.stateKeysInMemory, spill.inMemory);
    assert.ok(stats.stateKeysInMemory <= 20, `${stats.stateKeysInMemory} in memory`);
    assert.deepEqual([stats.spilledKeys, stats.loadedKeys], [spill.spilled, spill.loaded]);
    assert.deepEqual(
      sorted(publishedVisits(spilling.sink)),
      sorted(visitsOf([0, 119], [0, 119])),
    );
    assert.deepEqual(sorted(await checkpointed(changelog)), sorted(visitsOf([0, 119], [0, 119])));

    // Another process takes partition 0 over, restores it (spilling too) and goes on.
    const second = spillStore(1);
    const next = runner(changelog, { spill: second });
    try {
      await next.processor.onBatch(pagesBatch(0, range(120, 139), pageOfMany));
      await next.processor.flush();
      await next.processor.onBatch(pagesBatch(0, range(140, 149), pageOfMany));
      await next.processor.flush();
      assert.ok(second.spilled > 0);
      assert.deepEqual(
        sorted(publishedVisits(next.sink)),
        sorted(visitsOf([0, 149], [0, 119])),
      );
    } finally {
      second.close();
    }
  } finally {
    spill.close();
  }
});
