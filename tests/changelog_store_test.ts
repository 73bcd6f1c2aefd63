/**
 * The changelog store against a real Cassandra node: claims raise the epoch, a fenced owner's
 * entry does not count, entries are read back whole across chunks, and a snapshot lets older
 * entries go.
 */
import assert from "assert";
import { changelogStore, encodeEntry, EPOCH_SPAN } from "../lib/realtime/changelog_store.ts";
import type { ChangelogEntry } from "../lib/realtime/partition_state.ts";
import { applyCoreSchema } from "../lib/runtime/cassandra.ts";
import { connectTestCassandra, testCassandraSettings, uniqueSuffix } from "./_support.ts";

function entry(offset: number, snapshot: boolean, size = 10): ChangelogEntry {
  const keys = Array.from({ length: size }, (_, i) => `/page/${offset}/${i}`);
  return {
    snapshot,
    offset,
    watermark: 1_000 + offset,
    mark: [offset, "1:abc"],
    windows: [["pages", "2026-11-20", 86_400_000, offset + 1, keys, keys.map((_, i) => i)]],
    evicted: [],
  };
}

Deno.test("changelog store: claim, append, fence and read back, on Cassandra", async () => {
  const keyspace = `test_changelog_${uniqueSuffix()}`;
  const client = await connectTestCassandra(keyspace);
  try {
    await applyCoreSchema(client, testCassandraSettings(keyspace), "log");
    const store = changelogStore(client, keyspace);
    const first = await store.claim("RAWLOG", 0);
    assert.equal(first.epoch, 1);
    assert.equal(first.lastSeq, -1);

    // A snapshot of more than one chunk (1 MiB each), then a change entry.
    const big = encodeEntry(entry(0, true, 120_000));
    assert.ok(big.length > 1024 * 1024, `${big.length} bytes`);
    const s0 = first.epoch * EPOCH_SPAN;
    const afterSnapshot = { ...first, snapshotSeq: s0, lastSeq: s0, snapshotBytes: big.length };
    assert.deepEqual(
      await store.append("RAWLOG", [{
        partition: 0,
        seq: s0,
        prev: -1,
        data: big,
        checkpoint: afterSnapshot,
      }]),
      new Set(),
    );
    const change = encodeEntry(entry(1, false));
    const afterChange = { ...afterSnapshot, lastSeq: s0 + 1, logBytes: change.length };
    await store.append("RAWLOG", [{
      partition: 0,
      seq: s0 + 1,
      prev: s0,
      data: change,
      checkpoint: afterChange,
    }]);

    // A new owner takes the partition: the former owner's next entry is fenced.
    const second = await store.claim("RAWLOG", 0);
    assert.equal(second.epoch, 2);
    assert.equal(second.lastSeq, s0 + 1);
    const zombie = encodeEntry(entry(2, false));
    const fenced = await store.append("RAWLOG", [{
      partition: 0,
      seq: s0 + 2,
      prev: s0 + 1,
      data: zombie,
      checkpoint: { ...afterChange, lastSeq: s0 + 2 },
    }]);
    assert.deepEqual(fenced, new Set([0]));
    const rows = await store.checkpoints("RAWLOG");
    assert.equal(rows.get(0)?.lastSeq, s0 + 1, "the zombie's entry does not count");
    assert.equal(rows.get(0)?.epoch, 2);

    const read = await store.read("RAWLOG", 0, second, -1);
    assert.deepEqual(read.entries.map((e) => [e.snapshot, e.offset]), [[true, 0], [false, 1]]);
    assert.equal(read.entries[0]!.windows[0]![4].length, 120_000);
    const tail = await store.read("RAWLOG", 0, second, s0);
    assert.deepEqual(tail.entries.map((e) => e.offset), [1]);

    // The new owner writes a snapshot; older entries go.
    const s1 = second.epoch * EPOCH_SPAN;
    const snap = encodeEntry(entry(3, true));
    const afterSnap = {
      ...second,
      snapshotSeq: s1,
      lastSeq: s1,
      logBytes: 0,
      snapshotBytes: snap.length,
    };
    await store.append("RAWLOG", [{
      partition: 0,
      seq: s1,
      prev: -1,
      data: snap,
      checkpoint: afterSnap,
    }]);
    await store.dropBefore("RAWLOG", 0, s1);
    const restored = await store.read("RAWLOG", 0, afterSnap, s0 + 1);
    assert.deepEqual(restored.entries.map((e) => [e.snapshot, e.offset]), [[true, 3]]);
    assert.deepEqual(await store.streams(), ["RAWLOG"]);
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  }
});
