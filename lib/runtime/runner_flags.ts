/**
 * How a runner process is started: one place for the flags that `deno task run` (deno.json),
 * the bench, the chaos job and the tests all give `deno run jobs/run.ts`.
 *
 * @module
 */

/**
 * V8 grows its heap by 50% of what survived a full collection before the next one, instead of
 * its default (up to 4x for a heap this size). A runner's live heap is its open windows' state;
 * what it allocates per batch (parsed records, merged values, statements) is short-lived, so the
 * default let the resident size reach three times the live heap. Measured with
 * `bench/memory_profile.ts --events 1000000 --pages 1000000` (2 cores): peak RSS 1,626 MB
 * without, 1,040 MB with, for 38.6 s against 39.3 s. In the bench's runner, which allocates more
 * per event (Kafka and Cassandra clients), it costs more: `deno task bench --events 300000
 * --skip-ceilings --skip-http`, one run each way: peak RSS 1,161 -> 727 MiB, full pipeline
 * 9,723 -> 8,808 events/s (-9%), core pipeline 32,194 -> 25,790 events/s. Kept for the memory,
 * which users' containers are sized by; tune it here.
 */
export const RUNNER_V8_FLAGS = "--v8-flags=--heap-growing-percent=50";
