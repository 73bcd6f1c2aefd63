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
 *
 * `--no-memory-pool`: V8 otherwise keeps the pages a collection frees for later use (up to 119
 * MB at once in a `--trace-gc` run of the bench's high-cardinality scenario). Without the pool,
 * 5M events over 1M distinct pages (the bench's `measureThroughput`, one run each way, 2 cores):
 * peak RSS 1,056 -> 1,023 MiB at the same rate (5,662 and 5,669 events/s).
 * `--compaction-max-evacuated-bytes-mb=64`: a full collection moves up to 64 MB of objects off
 * fragmented pages instead of 4, so freed pages go back to the system; after a full collection
 * the runner's heap held 360 MB live in 709 MB committed. One run each way of
 * `bench/memory_profile.ts --events 1000000 --pages 1000000`: peak RSS 695 -> 674 MB, same time.
 */
export const RUNNER_V8_FLAGS =
  "--v8-flags=--heap-growing-percent=50,--no-memory-pool,--compaction-max-evacuated-bytes-mb=64";
