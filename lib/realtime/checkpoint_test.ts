import assert from "assert";
import { type OwnedPartition, snapshotTurn } from "./checkpoint.ts";

/** An owned partition as far as the snapshot turn reads it. */
function owned(snapshotSeq: number, snapshotBytes: number, logBytes: number, dirty = true) {
  return {
    state: { dirty },
    checkpoint: { snapshotSeq, snapshotBytes, logBytes },
    written: 0,
  } as unknown as OwnedPartition;
}

Deno.test("snapshot turn: the changed partition whose entries outweigh its snapshot the most", () => {
  const partitions = new Map([
    // A small snapshot outweighed a little at every flush must not take every turn.
    ["RAWLOG/0", owned(5, 100, 150)],
    ["RAWLOG/1", owned(7, 10_000, 12_000)],
    ["RAWLOG/2", owned(9, 10_000, 90_000, false)], // unchanged: no entry, no snapshot
    ["RAWLOG/3", owned(-1, 0, 0)], // a first snapshot is taken anyway, not as a turn
    ["RAWLOG/4", owned(3, 50_000, 40_000)], // not outweighed
  ]);
  assert.equal(snapshotTurn(partitions), "RAWLOG/1");
  partitions.delete("RAWLOG/1");
  assert.equal(snapshotTurn(partitions), "RAWLOG/0");
  partitions.delete("RAWLOG/0");
  assert.equal(snapshotTurn(partitions), undefined);
});
