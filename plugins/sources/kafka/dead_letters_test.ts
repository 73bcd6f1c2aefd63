import assert from "assert";
import { Buffer } from "node:buffer";
import { deadLetterMessages } from "./dead_letters.ts";

Deno.test("kafka source: a dead letter keeps the original bytes and says where they came from", () => {
  const bytes = new TextEncoder().encode("xx{bad json}xx").subarray(2, 12);
  const batch = { stream: "RAWLOG", partition: 3, messages: [] };
  const letters = deadLetterMessages(batch, [
    { message: { offset: 41, value: bytes }, reason: "not JSON" },
    { message: { offset: 42, value: null }, reason: "empty message" },
  ]);
  assert.deepEqual(letters, [
    {
      key: "RAWLOG/3/41",
      value: Buffer.from("{bad json}"),
      headers: {
        reason: "not JSON",
        source_topic: "RAWLOG",
        source_partition: "3",
        source_offset: "41",
      },
    },
    {
      key: "RAWLOG/3/42",
      value: null,
      headers: {
        reason: "empty message",
        source_topic: "RAWLOG",
        source_partition: "3",
        source_offset: "42",
      },
    },
  ]);
});
