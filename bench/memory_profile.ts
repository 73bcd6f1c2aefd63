/**
 * Where a runner's memory goes, without services: the bench's simulated traffic through one
 * processor with the shipped aggregations, in-memory stand-ins for Kafka and Cassandra that
 * keep nothing (every flush's writes are dropped), six partitions, a flush every `--flush`
 * events. Prints the live JavaScript heap (after a forced GC) before and after the feed, the
 * processor's state rows, RSS and the time taken, so a change to what the runner keeps can be
 * measured in a minute. `--pages N`: the high-cardinality scenario (N distinct URIs, counted raw
 * by `top_pages`); `--only A,B`: only these aggregations (by name); `--no-results`: no sinks, so
 * no result is computed and the result caches stay empty; `--flush N`: events between flushes;
 * `--memory-keys N`: state keys kept in memory before idle ones spill (runtime.state_memory_keys).
 * The stand-in changelog keeps nothing: the figures are the runner's memory and time.
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc bench/memory_profile.ts --events 1000000
 * deno run -A --v8-flags=--expose-gc bench/memory_profile.ts --events 1000000 --pages 1000000
 * deno run -A --v8-flags=--expose-gc bench/memory_profile.ts --events 300000 --only latency_5m
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadPipeline } from "../lib/config/load.ts";
import { windowCutter } from "../lib/windows.ts";
import { createProcessor } from "../lib/realtime/processor.ts";
import type { ChangelogStore } from "../lib/realtime/changelog_store.ts";
import { spillStore } from "../lib/realtime/spill.ts";
import type { Aggregation, Sink, SourceBatch, SourceRunner } from "../lib/contracts.ts";
import { generateTraffic } from "../lib/traffic/simulate.ts";
import { benchTraffic } from "./expected.ts";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    pages: { type: "string" },
    flush: { type: "string", default: "10000" },
    only: { type: "string" },
    "no-results": { type: "boolean", default: false },
    "memory-keys": { type: "string" },
  },
});
const events = Number(args.events);
const pages = args.pages === undefined ? undefined : Number(args.pages);
const flushEvery = Number(args.flush);
const PARTITIONS = 6;
const BATCH = 500;

const dropResults: Sink = {
  prepare: () => Promise.resolve(),
  write: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
const pipeline = await loadPipeline(new URL("../pipeline.yaml", import.meta.url).pathname);
const only = args.only?.split(",");
const aggregations = pipeline.aggregations
  .filter((entry) => only === undefined || only.includes(entry.name))
  .map((entry) => ({
    name: entry.name,
    aggregation: pages !== undefined && entry.plugin.name === "top_pages"
      ? entry.plugin.create(entry.plugin.options.parse({
        ...(entry.options as Record<string, unknown>),
        strip_query: false,
      })) as Aggregation
      : entry.aggregation,
    window: entry.window,
    sinks: args["no-results"] ? [] : [{ name: "dropped", sink: dropResults }],
  }));

/** A changelog that keeps nothing: the profile measures the runner's own state. */
let epoch = 0;
const discard: ChangelogStore = {
  checkpoints: () => Promise.resolve(new Map()),
  streams: () => Promise.resolve([]),
  claim: () =>
    Promise.resolve({
      epoch: ++epoch,
      snapshotSeq: -1,
      lastSeq: -1,
      logBytes: 0,
      snapshotBytes: 0,
    }),
  read: () => Promise.resolve({ entries: [], bytes: 0 }),
  append: () => Promise.resolve(new Set()),
  dropBefore: () => Promise.resolve(),
};
const source: SourceRunner = {
  run: () => Promise.resolve(),
  reject: () => Promise.resolve(),
  commit: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
const spill = args["memory-keys"] === undefined
  ? undefined
  : spillStore(Number(args["memory-keys"]));
const processor = createProcessor({
  ...(spill === undefined ? {} : { spill }),
  source,
  aggregations,
  cutter: windowCutter("UTC"),
  logWriter: { write: () => Promise.resolve() },
  changelog: discard,
  log: (line) => console.error(line),
  allowedLatenessMs: pipeline.runtime.allowedLatenessMs,
});

const gc = (globalThis as { gc?: () => void }).gc;
const heapMiB = () => {
  gc?.();
  return Math.round(Deno.memoryUsage().heapUsed / 2 ** 20);
};
const start = performance.now();
const before = heapMiB();
const producedAt = Date.now();
const pending: SourceBatch["messages"][] = Array.from({ length: PARTITIONS }, () => []);
const offsets = new Array(PARTITIONS).fill(0);
let fed = 0;
for (const event of generateTraffic({ ...benchTraffic(events), pages })) {
  const partition = event.seq % PARTITIONS;
  pending[partition]!.push({ offset: offsets[partition]++, value: event.value, producedAt });
  if (pending[partition]!.length === BATCH) {
    await processor.onBatch({ stream: "bench", partition, messages: pending[partition]! });
    pending[partition] = [];
  }
  if (++fed % flushEvery === 0) await processor.flush();
}
for (const [partition, messages] of pending.entries()) {
  if (messages.length > 0) await processor.onBatch({ stream: "bench", partition, messages });
}
await processor.flush();
const after = heapMiB();
const stats = processor.stats();
console.log(
  `${events} events${pages === undefined ? "" : `, ${pages} pages raw`}, ` +
    `${aggregations.length} aggregations: heap ${before} -> ${after} MiB, ` +
    `${stats.stateRows} windows, ${stats.stateKeys} keys` +
    (spill === undefined
      ? ""
      : ` (${spill.inMemory} in memory, ${spill.spilled} spilled, ${spill.loaded} loaded back)`) +
    `, rss ${Math.round(Deno.memoryUsage().rss / 2 ** 20)} MiB, ` +
    `${((performance.now() - start) / 1000).toFixed(1)} s ` +
    `(${Math.round(events / ((performance.now() - start) / 1000))} events/s)`,
);
spill?.close();
