import assert from "assert";
import { keyedAggregation, type KeyedAggregationSpec } from "../sdk/keyed.ts";
import { seededRandom } from "../sdk/random.ts";
import { windowCutter } from "../windows.ts";
import type { Aggregation, KeyedSummary, ResultRow } from "../contracts.ts";
import { DAY, fakeStateStore, visitsPerPage } from "./_fakes.ts";
import { stateKeyString } from "./state_store.ts";
import { type LocalPartition, realtimeResult, resultCache } from "./window_result.ts";

type PageStats = { visits: number; largest: number };

/** Per page: the visit count and the largest "size" seen (a merge that cannot be undone). */
const pageStatsSpec: KeyedAggregationSpec<PageStats> = {
  shape: {
    key: { name: "page", type: "text" },
    values: [{ name: "visits", type: "bigint" }, { name: "largest", type: "bigint" }],
  },
  keyOf: (record) => record.request_uri,
  start: () => ({ visits: 0, largest: 0 }),
  add: (value, record) => ({
    visits: value.visits + 1,
    largest: Math.max(value.largest, record.body_bytes_sent ?? 0),
  }),
  merge: (into, other) => ({
    visits: into.visits + other.visits,
    largest: Math.max(into.largest, other.largest),
  }),
  finish: (values) =>
    [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([page, v]) => ({ key: page, values: { visits: v.visits, largest: v.largest } })),
};
const pageStats = keyedAggregation(pageStatsSpec) as Aggregation;

/** Calls of a summary's start and update. */
interface SummaryCalls {
  starts: number;
  updates: number;
  /** Makes the next update throw. */
  failNextUpdate?: boolean;
}

/**
 * `pageStats` with a summary, as the plugins keep one: each page's figures copied; joined (max)
 * over every value lent, the busiest page's visits and the largest size, which is exact only
 * while values grow, so once a value shrinks (a partition expired) the window's summary must
 * start over; and the total of visits, kept by taking out each key's `previous` visits. Rows
 * per page, then `*` with the total and the two maxima.
 */
function pageStatsWithSummary(calls: SummaryCalls, usesPrevious = true): Aggregation {
  type Window = { visits: number; busiest: number; largest: number };
  type Summary = Window & { pages: Map<string, PageStats> };
  const rows = (pages: Iterable<[string, PageStats]>, window: Window): ResultRow[] => {
    const sorted = [...pages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (sorted.length === 0) return [];
    return [
      ...sorted.map(([page, v]) => ({ key: page, values: { ...v } })),
      { key: "*", values: { ...window } },
    ];
  };
  const summary: KeyedSummary<PageStats, Summary> = {
    usesPrevious,
    start: () => (calls.starts++, { visits: 0, busiest: 0, largest: 0, pages: new Map() }),
    update(state, page, value, previous) {
      if (calls.failNextUpdate) {
        calls.failNextUpdate = false;
        throw new Error("summary update failed");
      }
      calls.updates++;
      // Without `usesPrevious`, the key's part as this summary last saw it.
      const before = usesPrevious ? previous : state.pages.get(page);
      assert.ok(usesPrevious || previous === undefined, "previous lent without usesPrevious");
      state.visits += value.visits - (before?.visits ?? 0);
      state.busiest = Math.max(state.busiest, value.visits);
      state.largest = Math.max(state.largest, value.largest);
      state.pages.set(page, { visits: value.visits, largest: value.largest });
      return state;
    },
    finish: (state) =>
      rows(state.pages, { visits: state.visits, busiest: state.busiest, largest: state.largest }),
  };
  return keyedAggregation<PageStats, Summary>({
    ...pageStatsSpec,
    finish(values) {
      const window = { visits: 0, busiest: 0, largest: 0 };
      for (const value of values.values()) {
        window.visits += value.visits;
        window.busiest = Math.max(window.busiest, value.visits);
        window.largest = Math.max(window.largest, value.largest);
      }
      return rows(values, window);
    },
    summary,
  }) as Aggregation;
}

type Entries = Map<string, { value: PageStats; offset: number }>;

Deno.test("window result: with its cache, every result equals one merged from scratch", async () => {
  for (const seed of [7, 1, 2, 3, 4, 5, 6, 8]) {
    await assertCachedLikeFresh(pageStats, pageStats, seed);
  }
});

Deno.test("window result: a summary, updated with the changed keys, finishes like one from scratch", async () => {
  const cached = { starts: 0, updates: 0 };
  const fresh = { starts: 0, updates: 0 };
  const { results, expired } = await assertCachedLikeFresh(
    pageStatsWithSummary(cached),
    pageStatsWithSummary(fresh),
  );
  // Most results updated the summary with the changed keys; some started over (a partition
  // moved, a row reload, a partition expired).
  assert.ok(expired >= 1, `partitions expired: ${expired}`);
  assert.ok(cached.starts >= 10 && cached.starts < results / 2, `restarts: ${cached.starts}`);
  assert.ok(cached.updates < fresh.updates / 2, `updates ${cached.updates} / ${fresh.updates}`);
});

Deno.test("window result: a summary without previous values finishes like one from scratch", async () => {
  const cached = { starts: 0, updates: 0 };
  const fresh = { starts: 0, updates: 0 };
  for (const seed of [7, 3]) {
    await assertCachedLikeFresh(
      pageStatsWithSummary(cached, false),
      pageStatsWithSummary(fresh, false),
      seed,
    );
  }
  assert.ok(cached.updates < fresh.updates / 2, `updates ${cached.updates} / ${fresh.updates}`);
});

Deno.test("window result: a result that throws half-way leaves the next to start over", async () => {
  // Another process's partition changed a key; the summary's update of it throws. The next
  // result reads no row again (the partition's head did not move since), so only starting over
  // gets the key into the summary.
  const states = fakeStateStore();
  const calls: SummaryCalls = { starts: 0, updates: 0 };
  const aggregation = pageStatsWithSummary(calls);
  const key = { aggregation: "pages", windowKey: "2026-11-20", stream: "RAWLOG", partition: 1 };
  const save = (appliedOffset: number, visits: number) =>
    states.save([{
      key,
      head: { records: visits, appliedOffset },
      entries: [{ stateKey: "/a", value: JSON.stringify({ visits, largest: 1 }), appliedOffset }],
    }]);
  // This process holds partition 0, the same entries map throughout.
  const held: LocalPartition = {
    stream: "RAWLOG",
    partition: 0,
    records: 1,
    entries: new Map([["/b", { value: { visits: 1, largest: 5 } }]]),
    changedSinceResult: new Set(),
  };
  const cutter = windowCutter("UTC");
  const cache = resultCache();
  const compute = (withCache: boolean) =>
    realtimeResult(
      states,
      cutter,
      "pages",
      aggregation,
      DAY,
      key.windowKey,
      () => [held],
      withCache ? cache : resultCache(),
    );
  await save(0, 1);
  await compute(true);
  await save(1, 2);
  calls.failNextUpdate = true;
  await assert.rejects(() => compute(true), /summary update failed/);
  const again = await compute(true);
  const fresh = await compute(false);
  assert.ok(typeof again !== "string" && typeof fresh !== "string");
  assert.deepEqual(again.rows, fresh.rows);
  assert.deepEqual(again.rows[0], { key: "/a", values: { visits: 2, largest: 1 } });
});

Deno.test("window result: partitions held here that change while others are read give no result", async () => {
  // Partition 1 moves here (a reassignment) while its stored rows are read: merged both from
  // the store and from memory it would count twice, so the result is given up, and the next one
  // merges it from memory only.
  const states = fakeStateStore();
  await states.save([{
    key: { aggregation: "pages", windowKey: "2026-11-20", stream: "RAWLOG", partition: 1 },
    head: { records: 2, appliedOffset: 1 },
    entries: [{ stateKey: "/a", value: JSON.stringify(2), appliedOffset: 1 }],
  }]);
  const held = (partition: number, visits: number): LocalPartition => ({
    stream: "RAWLOG",
    partition,
    records: visits,
    entries: new Map([["/a", { value: visits }]]),
    changedSinceResult: new Set(["/a"]),
  });
  let holding = [held(0, 1)];
  const read = states.loadEntries.bind(states);
  states.loadEntries = (key, above) => {
    holding = [held(0, 1), held(1, 2)];
    return read(key, above);
  };
  const compute = heldHere(states, visitsPerPage, () => holding);
  assert.equal(await compute(), "being written");
  assert.equal(holding[0]!.changedSinceResult.size, 1, "nothing drained from a result given up");
  const next = await compute();
  assert.ok(typeof next !== "string");
  assert.equal(next.records, 3);
  assert.deepEqual(next.rows, [{ key: "/a", values: { visits: 3 } }]);
});

/**
 * Computes the result of window 2026-11-20 of `pages` again and again with one cache, with the
 * partitions `holding` gives held in memory.
 */
function heldHere(
  states: ReturnType<typeof fakeStateStore>,
  aggregation: Aggregation,
  holding: () => LocalPartition[],
) {
  const cache = resultCache();
  return () =>
    realtimeResult(
      states,
      windowCutter("UTC"),
      "pages",
      aggregation,
      DAY,
      "2026-11-20",
      holding,
      cache,
    );
}

/**
 * Six partitions move between this process (in memory) and others (in the store) while
 * records arrive, rows are reloaded, other processes flush (some caught half-way through
 * saving) and two of their partitions expire; after every step the result computed with a
 * cache (by `cachedAggregation`) must equal the result of an empty cache (by
 * `freshAggregation`, the same aggregation).
 */
async function assertCachedLikeFresh(
  cachedAggregation: Aggregation,
  freshAggregation: Aggregation,
  seed = 7,
): Promise<{ results: number; expired: number }> {
  const next = seededRandom(seed);
  const random = Object.assign(() => next(), {
    int: (n: number) => Math.floor(next() * n),
  });
  const states = fakeStateStore();
  const cutter = windowCutter("UTC");
  const windowKey = "2026-11-20";
  const cache = resultCache();
  const partitions = Array.from({ length: 6 }, (_, partition) => ({
    partition,
    local: partition < 3,
    gone: false,
    entries: new Map() as Entries,
    changed: new Set<string>(),
    records: 0,
    applied: -1,
    /** The head offset last saved: a key row never changes at or below it (see below). */
    saved: -1,
    next: 0,
  }));
  const key = (partition: number) => ({
    aggregation: "pages",
    windowKey,
    stream: "RAWLOG",
    partition,
  });
  const save = (p: Part) => {
    p.saved = p.applied;
    return states.save([{
      key: key(p.partition),
      head: { records: p.records, appliedOffset: p.applied },
      entries: [...p.entries].map(([stateKey, entry]) => ({
        stateKey,
        value: JSON.stringify(entry.value),
        appliedOffset: entry.offset,
      })),
    }]);
  };
  const local = (): LocalPartition[] =>
    partitions.filter((p) => p.local).map((p) => ({
      stream: "RAWLOG",
      partition: p.partition,
      records: p.records,
      entries: p.entries,
      changedSinceResult: p.changed,
    }));
  const compute = (withCache: boolean) =>
    realtimeResult(
      states,
      cutter,
      "pages",
      withCache ? cachedAggregation : freshAggregation,
      DAY,
      windowKey,
      local,
      withCache ? cache : resultCache(),
    );

  type Part = (typeof partitions)[number];
  /** Records arrive at the process that owns the partition. */
  const arrive = (p: Part) => {
    for (let i = 0, n = 1 + random.int(20); i < n; i++) {
      const offset = p.next++;
      const page = `/p${random.int(40)}`;
      const entry = p.entries.get(page);
      const size = random.int(1000);
      const value = {
        visits: (entry?.value.visits ?? 0) + 1,
        largest: Math.max(entry?.value.largest ?? 0, size),
      };
      if (entry === undefined) p.entries.set(page, { value, offset });
      else {
        entry.value = value;
        entry.offset = offset;
      }
      p.changed.add(page);
      p.records++;
      p.applied = offset;
    }
  };

  let incremental = 0;
  let results = 0;
  let expired = 0;
  for (let step = 0; step < 400; step++) {
    const present = partitions.filter((p) => !p.gone);
    const p = present[random.int(present.length)]!;
    const action = random();
    const remote = partitions.find((p) => !p.gone && !p.local && p.records > 0);
    if ((step === 130 || step === 260) && remote !== undefined) {
      // Another process's partition window expires from the store (its rows' TTL): merged
      // values shrink, so the cached merge and its summary must start over.
      states.heads.delete(stateKeyString(key(remote.partition)));
      states.keys.delete(stateKeyString(key(remote.partition)));
      remote.gone = true;
      expired++;
    } else if (action < 0.6) {
      // Records arrive (at the process that owns the partition); others flush theirs.
      arrive(p);
      if (!p.local) await save(p);
    } else if (action < 0.65 && p.local && p.entries.size > 0 && p.applied - p.saved > 1) {
      // A replayed record in this process after a flush cut short: counted in records already,
      // it still adds to a key whose loaded row lagged, at an offset below keys changed since,
      // but above the last head saved (a head is saved only after every key row of its flush,
      // so every key row covers the records at or below it: those replay as duplicates).
      const [page, entry] = [...p.entries][random.int(p.entries.size)]!;
      entry.value = { visits: entry.value.visits + 1, largest: entry.value.largest };
      entry.offset = p.saved + 1 + random.int(p.applied - p.saved - 1);
      p.changed.add(page);
    } else if (action < 0.7) {
      // A row evicted and reloaded: the same values in a new map.
      p.entries = new Map([...p.entries].map(([k, e]) => [k, { ...e, value: { ...e.value } }]));
      p.changed = new Set();
    } else if (action < 0.75 && !p.local && p.entries.size > 0) {
      // Other processes flush (every other partition they own moves its head), and the one of
      // `p` is half-way through its next flush: a key row ahead of the head it shows.
      for (const q of partitions) {
        if (q.local || q.gone) continue;
        arrive(q);
        await save(q);
      }
      const [page, entry] = [...p.entries][random.int(p.entries.size)]!;
      const offset = p.next++;
      entry.value = { visits: entry.value.visits + 1, largest: entry.value.largest };
      entry.offset = offset;
      p.records++;
      await states.save([{
        key: key(p.partition),
        head: { records: p.records - 1, appliedOffset: p.applied },
        entries: [{ stateKey: page, value: JSON.stringify(entry.value), appliedOffset: offset }],
      }]);
      p.applied = offset;
    } else if (action < 0.8) {
      // The partition moves: saved by its owner first.
      await save(p);
      p.local = !p.local;
    } else {
      await save(p);
    }
    const withCache = await compute(true);
    const fresh = await compute(false);
    const at = `seed ${seed}, step ${step}`;
    if (fresh === "being written") {
      // Reading everything sees the row ahead of its head; the cache reads only rows of heads
      // that moved, so it may not, and its result is then the one of the heads it read.
    } else if (typeof withCache === "string" || typeof fresh === "string") {
      assert.equal(withCache, fresh, at);
    } else {
      assert.deepEqual(
        { ...withCache, computedAt: 0 },
        { ...fresh, computedAt: 0 },
        at,
      );
    }
    if (typeof withCache !== "string") results++;
    if (typeof withCache !== "string" && withCache.rows.length > 0) incremental++;
  }
  assert.ok(incremental > 250, `seed ${seed}: results computed: ${incremental}`);
  return { results, expired };
}

Deno.test("window result: a local partition new to the window is merged in, without reading the others whole", async () => {
  const states = fakeStateStore();
  const key = (partition: number) => ({
    aggregation: "pages",
    windowKey: "2026-11-20",
    stream: "RAWLOG",
    partition,
  });
  const stats = (visits: number) => ({ visits, largest: 10 * visits });
  // Partition 0 saved /a (2 visits) and /b (3), then dropped /a from memory.
  await states.save([{
    key: key(0),
    head: { records: 5, appliedOffset: 4 },
    entries: [
      { stateKey: "/a", value: JSON.stringify(stats(2)), appliedOffset: 1 },
      { stateKey: "/b", value: JSON.stringify(stats(3)), appliedOffset: 4 },
    ],
  }]);
  const zero: LocalPartition = {
    stream: "RAWLOG",
    partition: 0,
    records: 5,
    entries: new Map([["/b", { value: stats(3) }]]),
    changedSinceResult: new Set(),
    dropped: { mightHold: (page) => page === "/a" },
  };
  let holding = [zero];
  const calls = { starts: 0, updates: 0 };
  const aggregation = pageStatsWithSummary(calls, false);
  const compute = heldHere(states, aggregation, () => holding);
  const first = await compute();
  assert.ok(typeof first !== "string");
  assert.equal(states.entryReads.length, 1, "the first result reads partition 0 whole");
  // A late record of the window lands in partition 1: a new partition window here.
  const one: LocalPartition = {
    stream: "RAWLOG",
    partition: 1,
    records: 2,
    entries: new Map([["/a", { value: stats(1) }], ["/c", { value: stats(1) }]]),
    changedSinceResult: new Set(["/a", "/c"]),
  };
  holding = [zero, one];
  const next = await compute();
  assert.ok(typeof next !== "string");
  assert.equal(states.entryReads.length, 1, "no partition read whole again");
  assert.deepEqual(states.keyReads.map((read) => read.stateKeys), [["/a"]], "only the shared key");
  assert.equal(calls.starts, 1, "the summary went on");
  assert.equal(next.records, 7);
  assert.deepEqual(next.rows.map((row) => [row.key, row.values.visits]), [
    ["/a", 3],
    ["/b", 3],
    ["/c", 1],
    ["*", 7],
  ]);
  // And with partition 1 merged now, its next change is incremental like any other.
  one.changedSinceResult.add("/c");
  (one.entries as Map<string, { value: unknown }>).set("/c", { value: stats(4) });
  one.records = 5;
  const third = await compute();
  assert.ok(typeof third !== "string");
  assert.equal(calls.starts, 1);
  assert.deepEqual(third.rows.at(-1), {
    key: "*",
    values: { visits: 10, busiest: 4, largest: 40 },
  });
});
