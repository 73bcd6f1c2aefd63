import assert from "assert";
import { keyedAggregation, type KeyedAggregationSpec } from "../sdk/keyed.ts";
import { seededRandom } from "../sdk/random.ts";
import { windowCutter } from "../windows.ts";
import type { Aggregation, KeyedSummary, ResultRow } from "../contracts.ts";
import { DAY } from "./_fakes.ts";
import type { WindowState } from "./partition_state.ts";
import { type SpillStore, spillStore, WindowValues } from "./spill.ts";
import { type PartOfWindow, resultCache, windowResult } from "./window_result.ts";

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

const cutter = windowCutter("UTC");
const WINDOW = "2026-11-20";

function windowState(spill?: SpillStore): WindowState {
  return {
    aggregation: "pages",
    windowKey: WINDOW,
    closesAt: Infinity,
    records: 0,
    values: new WindowValues(spill),
    changed: new Set(),
    recordsChanged: false,
    changedSinceResult: new Set(),
  };
}

/** Adds one visit of `page` with `size` to a partition's window, as the processor does. */
function visit(window: WindowState, page: string, size: number): void {
  const before = window.values.hold(page) as PageStats | undefined;
  const value = pageStatsSpec.add(before ?? pageStatsSpec.start(), {
    request_uri: page,
    body_bytes_sent: size,
  } as never);
  window.values.set(page, value);
  window.records++;
  window.changedSinceResult.add(page);
}

/** A copy of a partition's window as a restore gives it: another object, every key changed. */
function restored(window: WindowState): WindowState {
  const copy = windowState();
  copy.records = window.records;
  for (const [key, value] of window.values) {
    copy.values.set(key, { ...(value as PageStats) });
    copy.changedSinceResult.add(key);
  }
  return copy;
}

/**
 * Random visits, restores, new and removed partitions; after each step the cached result must
 * equal one merged from scratch. Returns how many results were compared.
 */
function assertCachedLikeFresh(
  cachedAggregation: Aggregation,
  freshAggregation: Aggregation,
  seed = 7,
  spill?: SpillStore,
): number {
  const random = seededRandom(seed);
  const cache = resultCache();
  const parts = new Map<string, WindowState>([["RAWLOG/0", windowState(spill)]]);
  let results = 0;
  for (let step = 0; step < 300; step++) {
    const roll = random();
    const ids = [...parts.keys()];
    const id = ids[Math.floor(random() * ids.length)]!;
    if (roll < 0.05 && parts.size < 5) parts.set(`RAWLOG/${step}`, windowState(spill));
    else if (spill !== undefined && roll < 0.2) parts.get(id)!.values.spill(() => random() < 0.3);
    else if (roll < 0.08 && parts.size > 1) parts.delete(id);
    else if (roll < 0.12) parts.set(id, restored(parts.get(id)!));
    else {
      for (let i = 0; i < 1 + Math.floor(random() * 5); i++) {
        visit(parts.get(id)!, `/p${Math.floor(random() * 12)}`, Math.floor(random() * 1000));
      }
    }
    if (random() < 0.5) continue;
    const list: PartOfWindow[] = [...parts].map(([id, window]) => ({ id, window }));
    const cached = windowResult(cutter, "pages", cachedAggregation, DAY, WINDOW, list, cache);
    const freshParts = [...parts].map(([id, window]) => ({ id, window: restored(window) }));
    const fresh = windowResult(cutter, "pages", freshAggregation, DAY, WINDOW, freshParts);
    assert.deepEqual(cached?.rows, fresh?.rows, `seed ${seed}, step ${step}`);
    assert.equal(cached?.records, fresh?.records);
    results++;
  }
  return results;
}

Deno.test("window result: with its cache, every result equals one merged from scratch", () => {
  for (const seed of [7, 1, 2, 3, 4, 5, 6, 8]) assertCachedLikeFresh(pageStats, pageStats, seed);
});

Deno.test("window result: a summary, updated with the changed keys, finishes like one from scratch", () => {
  const cached = { starts: 0, updates: 0 };
  const fresh = { starts: 0, updates: 0 };
  const results = assertCachedLikeFresh(pageStatsWithSummary(cached), pageStatsWithSummary(fresh));
  // Most results updated the summary with the changed keys; some started over (a restore, a
  // partition gone).
  assert.ok(cached.starts >= 3 && cached.starts < results / 2, `restarts: ${cached.starts}`);
  assert.ok(cached.updates < fresh.updates / 2, `updates ${cached.updates} / ${fresh.updates}`);
});

Deno.test("window result: with keys spilled to the file at random, results are the same", () => {
  const store = spillStore(0);
  try {
    for (const seed of [7, 1, 2]) {
      assertCachedLikeFresh(pageStats, pageStats, seed, store);
      const calls = () => ({ starts: 0, updates: 0 });
      assertCachedLikeFresh(
        pageStatsWithSummary(calls()),
        pageStatsWithSummary(calls()),
        seed,
        store,
      );
      assertCachedLikeFresh(
        pageStatsWithSummary(calls(), false),
        pageStatsWithSummary(calls(), false),
        seed,
        store,
      );
    }
    assert.ok(store.spilled > 100 && store.loaded > 50, `${store.spilled} ${store.loaded}`);
  } finally {
    store.close();
  }
});

Deno.test("window result: a summary without previous values finishes like one from scratch", () => {
  const cached = { starts: 0, updates: 0 };
  const fresh = { starts: 0, updates: 0 };
  for (const seed of [7, 3]) {
    assertCachedLikeFresh(
      pageStatsWithSummary(cached, false),
      pageStatsWithSummary(fresh, false),
      seed,
    );
  }
  assert.ok(cached.updates < fresh.updates / 2, `updates ${cached.updates} / ${fresh.updates}`);
});

Deno.test("window result: a result that throws half-way leaves the next to start over", () => {
  const calls: SummaryCalls = { starts: 0, updates: 0 };
  const aggregation = pageStatsWithSummary(calls);
  const cache = resultCache();
  const a = windowState();
  const b = windowState();
  visit(a, "/x", 10);
  visit(b, "/y", 20);
  const parts = [{ id: "RAWLOG/0", window: a }, { id: "RAWLOG/1", window: b }];
  windowResult(cutter, "pages", aggregation, DAY, WINDOW, parts, cache);
  visit(b, "/y", 30);
  calls.failNextUpdate = true;
  assert.throws(() => windowResult(cutter, "pages", aggregation, DAY, WINDOW, parts, cache));
  const result = windowResult(cutter, "pages", aggregation, DAY, WINDOW, parts, cache);
  assert.deepEqual(result?.rows.at(-1), {
    key: "*",
    values: { visits: 3, busiest: 2, largest: 30 },
  });
});

Deno.test("window result: a partition new to the window is merged in, not the window whole", () => {
  const calls: SummaryCalls = { starts: 0, updates: 0 };
  const aggregation = pageStatsWithSummary(calls);
  const cache = resultCache();
  const a = windowState();
  for (let i = 0; i < 50; i++) visit(a, `/p${i}`, i);
  windowResult(cutter, "pages", aggregation, DAY, WINDOW, [{ id: "RAWLOG/0", window: a }], cache);
  const b = windowState();
  visit(b, "/new", 1);
  const updates = calls.updates;
  const result = windowResult(cutter, "pages", aggregation, DAY, WINDOW, [
    { id: "RAWLOG/0", window: a },
    { id: "RAWLOG/1", window: b },
  ], cache);
  assert.equal(calls.starts, 1);
  assert.equal(calls.updates - updates, 1);
  assert.equal(result?.records, 51);
});

Deno.test("window result: no partition holds the window, no result", () => {
  assert.equal(windowResult(cutter, "pages", pageStats, DAY, WINDOW, []), undefined);
});

Deno.test("window result: a range summary comes from the keyed summary when it can, else from a pass at every result", () => {
  let passes = 0;
  const range = {
    emptySummary: () => 0,
    toSummary: (values: ReadonlyMap<string, unknown>) => {
      passes++;
      let visits = 0;
      for (const value of values.values()) visits += (value as PageStats).visits;
      return visits;
    },
    mergeSummaries: (a: number, b: number) => a + b,
    finishRange: (visits: number) => ({ rows: [], exact: true, totals: { visits } }),
  };
  const calls: SummaryCalls = { starts: 0, updates: 0 };
  const withSummary = pageStatsWithSummary(calls);
  const fromKeyed = {
    ...withSummary,
    mergeable: { ...range, fromKeyed: (summary: { visits: number }) => summary.visits },
  } as Aggregation;
  const passing = { ...pageStats, mergeable: range } as Aggregation;
  for (const [aggregation, expectedPasses] of [[fromKeyed, 0], [passing, 3]] as const) {
    passes = 0;
    const cache = resultCache();
    const a = windowState();
    const b = windowState();
    const parts = [{ id: "RAWLOG/0", window: a }, { id: "RAWLOG/1", window: b }];
    const summaries = [];
    for (const page of ["/x", "/y", "/x"]) {
      visit(page === "/x" ? a : b, page, 1);
      summaries.push(
        windowResult(cutter, "pages", aggregation, DAY, WINDOW, parts, cache)?.summary,
      );
    }
    assert.deepEqual(summaries, [1, 2, 3], "every result's summary is current");
    assert.equal(passes, expectedPasses);
  }
});
