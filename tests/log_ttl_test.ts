/** `runtime.log_ttl` against a real Cassandra: log rows are written with that TTL, or none. */
import assert from "assert";
import { applyCoreSchema } from "../lib/runtime/cassandra.ts";
import { logWriter } from "../lib/log_store.ts";
import { connectTestCassandra, testCassandraSettings, uniqueSuffix } from "./_support.ts";

Deno.test("log rows carry runtime.log_ttl as their TTL, and none without it", async () => {
  const keyspace = `test_log_ttl_${uniqueSuffix()}`;
  const client = await connectTestCassandra(keyspace);
  try {
    await applyCoreSchema(client, testCassandraSettings(keyspace), "log");
    const record = { timestamp: Date.parse("2026-11-22T10:00:00Z"), request_uri: "/a" };
    await logWriter(client, keyspace, "log", 7 * 86_400_000).write([
      { id: "T/0/0", stream: "T", partition: 0, offset: 0, record },
    ]);
    await logWriter(client, keyspace, "log").write([
      { id: "T/0/1", stream: "T", partition: 0, offset: 1, record },
    ]);
    const rows = await client.execute(
      `SELECT record_id, TTL(request_uri) AS ttl FROM ${keyspace}.log WHERE date = ? AND hour = ?`,
      ["2026-11-22", 10],
      { prepare: true },
    );
    const ttls = new Map(rows.rows.map((row) => [row.get("record_id"), row.get("ttl")]));
    const ttl = ttls.get("T/0/0") as number;
    // Seconds left: at most the TTL, and not much less (the write just happened).
    assert.ok(ttl <= 7 * 86_400 && ttl > 7 * 86_400 - 600, `TTL ${ttl}`);
    assert.equal(ttls.get("T/0/1"), null);
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await client.shutdown();
  }
});
