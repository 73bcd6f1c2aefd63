import assert from "assert";
import { renderReport } from "../chaos/report.ts";
import { runChaos } from "../chaos/run.ts";

// The short chaos run: its own Kafka and Cassandra (never the shared ones), 50,000 events, two
// runners, one fault of each kind. Recovery times are reported, not asserted here (they are
// bounds of `deno task chaos`); what must hold is that nothing was lost or counted twice.
Deno.test("chaos: runners killed, a rebalance storm, broker and Cassandra restarts, a freeze: exactly once", async () => {
  const report = await runChaos({
    events: 50_000,
    seed: 1501,
    durationSeconds: 60,
    runners: 2,
    nodes: 1,
    plan: {
      kills: 2,
      stormCycles: 2,
      kafkaRestart: true,
      cassandraRestart: true,
      freezeSeconds: 10,
    },
    log: () => {},
    label: "chaos-test",
  });
  const text = renderReport(report);
  assert.deepEqual(report.failures, [], text);
  assert.equal(report.faults.length, 6, text);
  assert.ok(report.final !== undefined, text);
  assert.deepEqual(report.final.problems, [], text);
  assert.ok(report.final.validSent > 49_000, text);
  assert.equal(report.final.deadLetterKeys, report.final.malformedSent, text);
  assert.ok(report.final.reconciledWindows > 0, text);
});
