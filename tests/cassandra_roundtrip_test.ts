import assert from "assert";
import cassandra from "cassandra-driver";
import { applyCoreSchema, schemaStatements } from "../lib/runtime/cassandra.ts";
import { connectTestCassandra, testCassandraSettings, uniqueSuffix } from "./_support.ts";

Deno.test("cassandra round trip: schema from cql/, prepared insert and read back", async () => {
  const keyspace = `test_rt_${uniqueSuffix()}`;
  const client = await connectTestCassandra(keyspace);
  try {
    await applyCoreSchema(client, testCassandraSettings(keyspace), "log");
    await applyCoreSchema(client, testCassandraSettings(keyspace), "log"); // idempotent

    const insert = `INSERT INTO ${keyspace}.log (date, hour, timestamp, record_id, request_uri,
      status, body_bytes_sent, request_time, http_referrer, http_user_agent, remote_addr, method)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    const at = new Date("2026-11-22T13:05:01Z");
    const row = [
      "2026-11-22",
      13,
      at,
      "RAWLOG/0/1",
      "/a",
      200,
      512,
      0.25,
      "-",
      "ua",
      "10.0.0.1",
      "GET",
    ];
    await client.execute(insert, row, { prepare: true });
    await client.execute(insert, row, { prepare: true }); // same record again: same row
    await client.execute(insert, [...row.slice(0, 3), "RAWLOG/0/2", ...row.slice(4)], {
      prepare: true,
    });

    const result = await client.execute(
      `SELECT record_id, request_uri, status, body_bytes_sent, timestamp FROM ${keyspace}.log
       WHERE date = ? AND hour = ?`,
      ["2026-11-22", 13],
      { prepare: true },
    );
    assert.equal(result.rowLength, 2, "a repeated insert of the same record adds no row");
    const first = result.rows[0]!;
    assert.equal(first.get("record_id"), "RAWLOG/0/1");
    assert.equal(first.get("status"), 200);
    assert.equal(cassandra.types.Long.fromValue(first.get("body_bytes_sent")).toNumber(), 512);
    assert.equal((first.get("timestamp") as Date).toISOString(), at.toISOString());
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  }
});

Deno.test("cql schema substitution rejects a non-identifier", async () => {
  await assert.rejects(
    schemaStatements("schema.cql", {
      keyspace: "x; DROP TABLE y",
      replication: "{}",
      log_table: "log",
    }),
    /keyspace "x; DROP TABLE y" is not a valid CQL identifier/,
  );
});
