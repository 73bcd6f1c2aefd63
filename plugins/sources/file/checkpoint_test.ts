import assert from "assert";
import {
  CHECKPOINT_HEADER,
  decodeCheckpoint,
  encodeCheckpoint,
  lastCheckpoint,
  SOURCE_HEADER,
  type TrackedFile,
} from "./checkpoint.ts";

const FILE: TrackedFile = { fingerprint: "ab12", dev: 64, ino: 9, offset: 1042, path: "/l/a.log" };

Deno.test("a checkpoint survives its header text", () => {
  const other = { ...FILE, fingerprint: "cd34", offset: 0, path: "/l/a.log.1.gz" };
  assert.deepEqual(
    decodeCheckpoint(encodeCheckpoint([FILE, other])),
    new Map([["ab12", FILE], ["cd34", other]]),
  );
  assert.throws(() => decodeCheckpoint('{"a":1}'), /not a file checkpoint/);
});

Deno.test("the position is the last checkpoint of this follower, others' messages skipped", () => {
  const mine = (offset: number, checkpoint: boolean) => ({
    [SOURCE_HEADER]: "file:web",
    ...(checkpoint ? { [CHECKPOINT_HEADER]: encodeCheckpoint([{ ...FILE, offset }]) } : {}),
  });
  const theirs = {
    [SOURCE_HEADER]: "file:other",
    [CHECKPOINT_HEADER]: encodeCheckpoint([{ ...FILE, offset: 5 }]),
  };
  const messages = [mine(10, false), mine(20, true), mine(25, false), mine(30, true), theirs, {}];
  assert.equal(lastCheckpoint(messages, "web")?.get("ab12")?.offset, 30);
  assert.equal(lastCheckpoint(messages, "other")?.get("ab12")?.offset, 5);
  assert.equal(lastCheckpoint(messages, "none"), undefined);
  assert.equal(lastCheckpoint([], "web"), undefined);
});
