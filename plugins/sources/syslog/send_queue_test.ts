import assert from "assert";
import { type QueuedMessage, sendQueue } from "./send_queue.ts";

const message = (value: string): QueuedMessage => ({ to: "topic", value });

Deno.test("a write resolves once its messages are sent; a failed send is tried again", async () => {
  const sent: string[][] = [];
  let failures = 1;
  const failed: number[] = [];
  const queue = sendQueue(
    (messages) => {
      if (failures-- > 0) return Promise.reject(new Error("broker away"));
      sent.push(messages.map((m) => String(m.value)));
      return Promise.resolve();
    },
    { maxPerSend: 3, maxQueued: 10 },
    (_error, attempt) => failed.push(attempt),
  );
  const results = await Promise.all([
    queue.write([message("a"), message("b")], false),
    queue.write([message("c"), message("d")], false),
  ]);
  assert.deepEqual(results, [true, true]);
  assert.deepEqual(failed, [1]);
  // No send holds more than 3 messages unless one write alone is larger; order is kept.
  assert.deepEqual(sent, [["a", "b"], ["c", "d"]]);
  assert.equal(queue.acknowledged, 4);
});

Deno.test("datagrams beyond the queue limit are dropped and counted; close ends waiting writes", async () => {
  let release!: () => void;
  const blocked = new Promise<void>((resolve) => release = resolve);
  const queue = sendQueue(() => blocked, { maxPerSend: 100, maxQueued: 2 }, () => {});
  const first = queue.write([message("a"), message("b")], true);
  assert.equal(await queue.write([message("c")], true), false);
  assert.equal(queue.dropped, 1);
  const waiting = queue.write([message("d")], false); // a TCP write waits instead
  release();
  assert.equal(await first, true);
  assert.equal(await waiting, true);
  const stuck = sendQueue(() => new Promise(() => {}), { maxPerSend: 1, maxQueued: 9 }, () => {});
  const pending = stuck.write([message("x")], false);
  const later = stuck.write([message("y")], false);
  stuck.close();
  assert.equal(await later, false);
  void pending;
});
