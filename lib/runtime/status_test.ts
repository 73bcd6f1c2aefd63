import assert from "assert";
import { statusLine } from "./status.ts";
import type { ProcessorStats } from "../realtime/processor.ts";
import { zeroStats } from "../realtime/_stats_fixture.ts";

function stats(overrides: Partial<ProcessorStats> = {}): ProcessorStats {
  return zeroStats({
    read: 2_000,
    accepted: 1_980,
    rejected: 20,
    stateRows: 4,
    reassignments: 1,
    ...overrides,
  });
}

Deno.test("status line: healthy, it shows rate, lag and counts only", () => {
  const line = statusLine(
    new Map([["rawlog", stats()]]),
    new Map([["rawlog", stats({ read: 1_000 })]]),
    1_000,
  );
  assert.equal(
    line,
    "rawlog: 1000 events/s, lag 0, 1980 logged, 20 rejected, 0 duplicates skipped, no flush yet",
  );
});

Deno.test("status line: too-late records, restarts, failed commits and failing sinks show up", () => {
  const line = statusLine(
    new Map([[
      "rawlog",
      stats({
        tooLate: 7,
        sourceRestarts: 2,
        lastSourceFailure: "Connection timeout",
        commitFailures: 1,
        failingSinks: [{
          sink: "results",
          failures: 3,
          failingSince: Date.now(),
          pendingWindows: 5,
          lastError: "no host available",
          nextAttemptAt: 0,
        }],
      }),
    ]]),
    new Map(),
    1_000,
  );
  assert.match(line, /, 7 too late for real time \(left to batch\)/);
  assert.match(line, /, 2 source restarts \(last cause: Connection timeout\)/);
  assert.match(line, /, 1 failed commits/);
  assert.match(
    line,
    /, sink results failing since just now \(5 windows pending, 3 attempts\): no host available$/,
  );
});

Deno.test("status line: a failing flush and rebalances show up; lag is the uncommitted backlog", () => {
  const line = statusLine(
    new Map([[
      "rawlog",
      zeroStats({
        lag: 1_200,
        reassignments: 4,
        flushFailures: 3,
        failingFlush: { since: Date.now(), failures: 3, lastError: "Cassandra: no host available" },
      }),
    ]]),
    new Map(),
    1_000,
  );
  assert.match(line, /lag 1200,/);
  assert.match(
    line,
    /flush failing since just now \(3 attempts, nothing acknowledged meanwhile\): Cassandra: no host available/,
  );
  assert.match(line, /4 partition reassignments/);
});

Deno.test("status line: records a filter dropped show as filtered, once there are any", () => {
  const line = statusLine(new Map([["rawlog", stats({ filtered: 35 })]]), new Map(), 1_000);
  assert.equal(
    line,
    "rawlog: 0 events/s, lag 0, 1980 logged, 20 rejected, 35 filtered, 0 duplicates skipped, " +
      "no flush yet",
  );
});
