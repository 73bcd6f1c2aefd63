import assert from "assert";
import { applyCoreSchema } from "../lib/runtime/cassandra.ts";
import { stateStore, type StoredEntry } from "../lib/realtime/state_store.ts";
import { connectTestCassandra, testCassandraSettings, uniqueSuffix } from "./_support.ts";

Deno.test("state store: keys read back by name (more than one IN list), absent ones left out", async () => {
  const keyspace = `test_state_${uniqueSuffix()}`;
  const client = await connectTestCassandra(keyspace);
  try {
    await applyCoreSchema(client, testCassandraSettings(keyspace), "log");
    const states = stateStore(client, keyspace);
    const key = { aggregation: "pages", windowKey: "2026-11-20", stream: "RAWLOG", partition: 3 };
    const entries: StoredEntry[] = Array.from({ length: 250 }, (_, i) => ({
      stateKey: `/page/${i}?q='${i}'`, // a quote, as a log line may bring
      value: String(i + 1),
      appliedOffset: i,
    }));
    await states.save([{ key, head: { records: 250, appliedOffset: 249 }, entries }]);
    // Another partition's row of the same key must not answer.
    await states.save([{
      key: { ...key, partition: 4 },
      head: { records: 1, appliedOffset: 0 },
      entries: [{ stateKey: "/page/0?q='0'", value: "99", appliedOffset: 0 }],
    }]);

    const wanted = [
      ...Array.from({ length: 240 }, (_, i) => `/page/${i + 5}?q='${i + 5}'`),
      "/never-seen",
    ];
    const found = await states.loadKeys(key, wanted);
    const expected = entries.slice(5, 245);
    assert.deepEqual(
      found.sort((a, b) => a.appliedOffset - b.appliedOffset),
      expected,
      "every stored key asked for, as stored; the absent one left out",
    );
    assert.deepEqual(await states.loadKeys(key, []), []);
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  }
});
