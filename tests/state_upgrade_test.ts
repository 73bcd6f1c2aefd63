/**
 * A keyspace of an earlier version (per-key state tables, no changelog) starts cleanly: the open
 * windows are rebuilt from `log` into the first snapshots, once, on a real Cassandra node.
 */
import assert from "assert";
import { applyCoreSchema } from "../lib/runtime/cassandra.ts";
import { logWriter } from "../lib/log_store.ts";
import { changelogStore } from "../lib/realtime/changelog_store.ts";
import { checkpoints } from "../lib/realtime/checkpoint.ts";
import { parseBatch } from "../lib/realtime/parse_batch.ts";
import { upgradeState } from "../lib/realtime/upgrade.ts";
import { windowCutter } from "../lib/windows.ts";
import { DAY, pagesBatch, range, visitsPerPage } from "../lib/realtime/_fakes.ts";
import { connectTestCassandra, testCassandraSettings, uniqueSuffix } from "./_support.ts";

const pageOf = (offset: number) => `/p${offset % 4}`;

Deno.test("upgrade: the old state tables' open windows are rebuilt from log, once", async () => {
  const keyspace = `test_upgrade_${uniqueSuffix()}`;
  const client = await connectTestCassandra(keyspace);
  try {
    await applyCoreSchema(client, testCassandraSettings(keyspace), "log");
    await client.execute(`CREATE TABLE ${keyspace}.state_heads (aggregation text,
      window_key text, stream text, partition int, records bigint, applied_offset bigint,
      PRIMARY KEY ((aggregation, window_key), stream, partition))`);
    await client.execute(`CREATE TABLE ${keyspace}.state_keys (aggregation text,
      window_key text, stream text, partition int, state_key text, value text,
      applied_offset bigint, PRIMARY KEY ((aggregation, window_key, stream, partition),
      state_key))`);
    // What an earlier version left: records of two partitions in log, heads of their window.
    const writer = logWriter(client, keyspace, "log");
    for (const [partition, offsets] of [[0, range(0, 29)], [1, range(0, 9)]] as const) {
      await writer.write(parseBatch(pagesBatch(partition, [...offsets], pageOf), 0).accepted);
      await client.execute(
        `INSERT INTO ${keyspace}.state_heads (aggregation, window_key, stream, partition, records,
          applied_offset) VALUES ('pages', '2026-11-20', 'RAWLOG', ?, ?, ?)`,
        [partition, offsets.length, offsets.length - 1],
        { prepare: true },
      );
    }
    const lines: string[] = [];
    const changelog = changelogStore(client, keyspace);
    const options = {
      client,
      keyspace,
      logTable: "log",
      changelog,
      cutter: windowCutter("UTC"),
      allowedLatenessMs: 36_500 * 86_400_000,
      aggregations: [{ name: "pages", source: "rawlog", aggregation: visitsPerPage, window: DAY }],
      log: (line: string) => lines.push(line),
    };
    assert.deepEqual(await upgradeState(options), { partitions: 2, records: 40 });
    assert.match(lines.join("\n"), /DROP TABLE test_upgrade_\w+\.state_heads/);

    const restored = checkpoints(changelog);
    await restored.follow(["rawlog:RAWLOG"]);
    const visits: Record<string, number> = {};
    const offsets: number[] = [];
    for (const { state } of restored.followed.values()) {
      offsets.push(state.offset);
      for (const window of state.windows.values()) {
        for (const [page, count] of window.values) {
          visits[page] = (visits[page] ?? 0) + (count as number);
        }
      }
    }
    assert.deepEqual(offsets.sort(), [29, 9].sort());
    const expected: Record<string, number> = {};
    for (const offset of [...range(0, 29), ...range(0, 9)]) {
      expected[pageOf(offset)] = (expected[pageOf(offset)] ?? 0) + 1;
    }
    assert.deepEqual(visits, expected);

    // Once: a second start finds the changelog and only reminds of the old tables.
    assert.equal(await upgradeState(options), undefined);
    assert.match(lines.at(-1)!, /no longer used; drop them/);
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  }
});
