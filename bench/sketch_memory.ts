/**
 * What one small sketch costs on the live heap: many sketches of a few values each, the state
 * real time keeps for each page of a high-cardinality window (a page's request times, its
 * visitors). Keeps 200,000 sketches of each kind and prints the live heap they add, per
 * sketch, after a forced GC, as built in memory and after a JSON round trip (as read back from
 * Cassandra).
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc bench/sketch_memory.ts
 * ```
 *
 * @module
 */
import {
  hyperLogLog,
  hyperLogLogAdd,
  quantileSketch,
  quantileSketchAdd,
  seededRandom,
} from "../lib/sdk/mod.ts";

const COUNT = 200_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("run with --v8-flags=--expose-gc: the figures need a forced GC");
  Deno.exit(2);
}

/** Live heap bytes per value made by `make`, with `COUNT` of them kept. */
function bytesEach(make: (i: number) => unknown): number {
  gc!();
  const before = Deno.memoryUsage().heapUsed;
  const kept: unknown[] = new Array(COUNT);
  for (let i = 0; i < COUNT; i++) kept[i] = make(i);
  gc!();
  const bytes = (Deno.memoryUsage().heapUsed - before) / COUNT;
  if (kept.length !== COUNT) throw new Error("unreachable: keeps the sketches alive until here");
  return Math.round(bytes);
}

const random = seededRandom(20261205);
// Request times from 7 ms to 3 s, spread on a log scale like real ones.
const requestTime = () => Math.exp(Math.log(0.007) + random() * Math.log(3 / 0.007));
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value));

console.log("sketch | values | bytes each | after a JSON round trip");
for (const values of [1, 3, 10]) {
  const latency = () => {
    const sketch = quantileSketch();
    for (let j = 0; j < values; j++) quantileSketchAdd(sketch, requestTime());
    return sketch;
  };
  console.log(
    `quantile (1%) | ${values} | ${bytesEach(latency)} | ${bytesEach(() => roundTrip(latency()))}`,
  );
}
for (const values of [1, 3, 10]) {
  const visitors = (i: number) => {
    const sketch = hyperLogLog(14);
    for (let j = 0; j < values; j++) hyperLogLogAdd(sketch, `c:10.${i % 250}.${j}.${i} agent`);
    return sketch;
  };
  console.log(
    `HyperLogLog (p 14) | ${values} | ${bytesEach(visitors)} | ${
      bytesEach((i) => roundTrip(visitors(i)))
    }`,
  );
}
