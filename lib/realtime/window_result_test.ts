import assert from "assert";
import { keyedAggregation } from "../sdk/keyed.ts";
import { seededRandom } from "../sdk/random.ts";
import { windowCutter } from "../windows.ts";
import type { Aggregation } from "../contracts.ts";
import { DAY, fakeStateStore } from "./_fakes.ts";
import { type LocalPartition, realtimeResult, resultCache } from "./window_result.ts";

/** Per page: the visit count and the largest "size" seen (a merge that cannot be undone). */
const pageStats = keyedAggregation<{ visits: number; largest: number }>({
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
}) as Aggregation;

type Entries = Map<string, { value: { visits: number; largest: number }; offset: number }>;

Deno.test("window result: with its cache, every result equals one merged from scratch", async () => {
  // Six partitions move between this process (in memory) and others (in the store) while
  // records arrive, rows are reloaded and other processes flush; after every step the cached
  // result must equal the result of an empty cache.
  const next = seededRandom(7);
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
    entries: new Map() as Entries,
    changed: new Set<string>(),
    records: 0,
    applied: -1,
    next: 0,
  }));
  const key = (partition: number) => ({
    aggregation: "pages",
    windowKey,
    stream: "RAWLOG",
    partition,
  });
  const save = (p: (typeof partitions)[number]) =>
    states.save([{
      key: key(p.partition),
      head: { records: p.records, appliedOffset: p.applied },
      entries: [...p.entries].map(([stateKey, entry]) => ({
        stateKey,
        value: JSON.stringify(entry.value),
        appliedOffset: entry.offset,
      })),
    }]);
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
      pageStats,
      DAY,
      windowKey,
      local,
      withCache ? cache : resultCache(),
    );

  let incremental = 0;
  for (let step = 0; step < 400; step++) {
    const p = partitions[random.int(partitions.length)]!;
    const action = random();
    if (action < 0.6) {
      // Records arrive (at the process that owns the partition); others flush theirs.
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
      if (!p.local) await save(p);
    } else if (action < 0.65 && p.local && p.entries.size > 0) {
      // A replayed record in this process after a flush cut short: counted in records already,
      // it still adds to a key whose loaded row lagged, at an offset below keys changed since.
      // (Stored rows of other processes never change below a head they wrote: a head is saved
      // only after every key row of its flush.)
      const [page, entry] = [...p.entries][random.int(p.entries.size)]!;
      entry.value = { visits: entry.value.visits + 1, largest: entry.value.largest };
      entry.offset = Math.max(0, p.applied - 1 - random.int(10));
      p.changed.add(page);
    } else if (action < 0.7) {
      // A row evicted and reloaded: the same values in a new map.
      p.entries = new Map([...p.entries].map(([k, e]) => [k, { ...e, value: { ...e.value } }]));
      p.changed = new Set();
    } else if (action < 0.8) {
      // The partition moves: saved by its owner first.
      await save(p);
      p.local = !p.local;
    } else {
      await save(p);
    }
    const withCache = await compute(true);
    const fresh = await compute(false);
    if (typeof withCache === "string" || typeof fresh === "string") {
      assert.equal(withCache, fresh, `step ${step}`);
    } else {
      assert.deepEqual(
        { ...withCache, computedAt: 0 },
        { ...fresh, computedAt: 0 },
        `step ${step}`,
      );
    }
    if (typeof withCache !== "string" && withCache.rows.length > 0) incremental++;
  }
  assert.ok(incremental > 300, `results computed: ${incremental}`);
});
