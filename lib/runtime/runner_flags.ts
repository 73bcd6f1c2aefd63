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
 * without, 1,040 MB with, for 38.6 s against 39.3 s.
 */
export const RUNNER_V8_FLAGS = "--v8-flags=--heap-growing-percent=50";
