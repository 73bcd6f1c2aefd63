/**
 * The alert store against a real Cassandra node: a state and the notifications it owes are
 * written together and read back, a delivery removes only its own row, and text that looks like
 * CQL stays data.
 */
import assert from "assert";
import type { AlertNotification } from "../lib/contracts.ts";
import { cassandraAlertStore } from "../lib/alerts/store.ts";
import { applyCoreSchema } from "../lib/runtime/cassandra.ts";
import { connectTestCassandra, testCassandraSettings, uniqueSuffix } from "./_support.ts";

const FIRED = Date.UTC(2026, 11, 7, 10, 10);

function notification(series: string): AlertNotification {
  return {
    id: `lag/${series}/${FIRED}/firing`,
    event: "firing",
    rule: "lag",
    series,
    severity: "critical",
    labels: { team: "ops" },
    value: 12_000,
    text: `[FIRING] lag (critical): lag of ${series} is 12000 (above 10000)`,
    firedAt: FIRED,
  };
}

Deno.test("alert store: state and owed notifications round trip on Cassandra", async () => {
  const keyspace = `test_alerts_${uniqueSuffix()}`;
  const client = await connectTestCassandra(keyspace);
  try {
    await applyCoreSchema(client, testCassandraSettings(keyspace), "log");
    const store = cassandraAlertStore(client, keyspace);
    const odd = "rawlog'); DROP TABLE alert_state; --";
    const firing = {
      status: "firing" as const,
      activeSince: FIRED - 60_000,
      firedAt: FIRED,
      value: 12_000,
    };
    await store.save({ rule: "lag", series: "rawlog", state: firing }, [
      { notifier: "hook", notification: notification("rawlog") },
      { notifier: "console", notification: notification("rawlog") },
    ]);
    await store.save({
      rule: "lag",
      series: odd,
      state: { status: "pending", activeSince: FIRED, value: 600 },
      windowStart: FIRED,
    }, []);
    await store.save({
      rule: "other",
      series: "all",
      state: { status: "inactive", value: Number.NaN },
    }, []);

    const loaded = await store.load(["lag"]);
    assert.deepEqual(
      loaded.series.sort((a, b) => a.series < b.series ? -1 : 1),
      [
        {
          rule: "lag",
          series: "rawlog",
          state: { ...firing, resolvedAt: undefined },
          windowStart: undefined,
        },
        {
          rule: "lag",
          series: odd,
          state: {
            status: "pending",
            activeSince: FIRED,
            firedAt: undefined,
            resolvedAt: undefined,
            value: 600,
          },
          windowStart: FIRED,
        },
      ],
    );
    assert.deepEqual(loaded.outbox.map((entry) => entry.notifier).sort(), ["console", "hook"]);
    assert.deepEqual(loaded.outbox[0]!.notification, notification("rawlog"));

    await store.delivered({ notifier: "hook", notification: notification("rawlog") });
    assert.deepEqual((await store.load(["lag"])).outbox.map((entry) => entry.notifier), [
      "console",
    ]);
    assert.ok(Number.isNaN((await store.load(["other"])).series[0]!.state.value));
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await client.shutdown();
  }
});
