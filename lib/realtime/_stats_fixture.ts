/**
 * Processor counters for tests of what reads them (status line, metrics): all zero unless
 * overridden.
 *
 * @module
 */
import type { ProcessorStats } from "./processor.ts";

/** A full `ProcessorStats` with zero counters, changed by `overrides`. */
export function zeroStats(overrides: Partial<ProcessorStats> = {}): ProcessorStats {
  return {
    read: 0,
    accepted: 0,
    rejected: 0,
    filtered: 0,
    duplicates: 0,
    tooLate: 0,
    stateRows: 0,
    stateKeys: 0,
    stateKeysInMemory: 0,
    spilledKeys: 0,
    loadedKeys: 0,
    ownedPartitions: 0,
    followedPartitions: 0,
    changelogEntries: 0,
    snapshots: 0,
    changelogBytes: 0,
    changelogRows: 0,
    changelogBytesRead: 0,
    fencedPartitions: 0,
    lag: 0,
    partitionLag: {},
    waiting: 0,
    reassignments: 0,
    abandonedBatches: 0,
    backpressureWaits: 0,
    sourceRestarts: 0,
    commitFailures: 0,
    flushFailures: 0,
    largestWriteBytes: 0,
    failingSinks: [],
    flushTimes: { count: 0, p50Ms: 0, p99Ms: 0 },
    ...overrides,
  };
}
