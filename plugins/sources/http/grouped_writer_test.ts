import assert from "assert";
import { groupedWriter, type OutgoingMessage } from "./grouped_writer.ts";

/** A send the test completes by hand, recording what each call held. */
function manualSend() {
  const calls: Array<{ values: string[]; done: PromiseWithResolvers<void> }> = [];
  return {
    calls,
    send(messages: OutgoingMessage[]): Promise<void> {
      const done = Promise.withResolvers<void>();
      calls.push({ values: messages.map((message) => message.value), done });
      return done.promise;
    },
  };
}

const messages = (...values: string[]) => values.map((value) => ({ key: undefined, value }));
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const roomy = { maxMessages: 100, maxBytes: 1_000_000 };

function track(promise: Promise<void>) {
  const state = { settled: "pending" as "pending" | "resolved" | "rejected" };
  promise.then(() => state.settled = "resolved", () => state.settled = "rejected");
  return state;
}

Deno.test("grouped writer: writes arriving during a send go together in the next", async () => {
  const fake = manualSend();
  const writer = groupedWriter(fake.send, roomy);
  const first = track(writer.write(messages("a")));
  const second = track(writer.write(messages("b", "c")));
  const third = track(writer.write(messages("d")));
  await settle();
  assert.deepEqual(fake.calls.map((call) => call.values), [["a"]], "one send at a time");
  fake.calls[0]!.done.resolve();
  await settle();
  assert.equal(first.settled, "resolved");
  assert.equal(second.settled, "pending", "not acknowledged before its own send");
  assert.deepEqual(fake.calls.map((call) => call.values), [["a"], ["b", "c", "d"]]);
  fake.calls[1]!.done.resolve();
  await settle();
  assert.equal(second.settled, "resolved");
  assert.equal(third.settled, "resolved");
});

Deno.test("grouped writer: a failed send fails exactly the requests it held", async () => {
  const fake = manualSend();
  const writer = groupedWriter(fake.send, roomy);
  const first = track(writer.write(messages("a")));
  const second = track(writer.write(messages("b")));
  const third = track(writer.write(messages("c")));
  await settle();
  fake.calls[0]!.done.resolve();
  await settle();
  fake.calls[1]!.done.reject(new Error("broker down"));
  await settle();
  assert.deepEqual([first.settled, second.settled, third.settled], [
    "resolved",
    "rejected",
    "rejected",
  ]);
  const fourth = track(writer.write(messages("d")));
  await settle();
  assert.deepEqual(fake.calls[2]?.values, ["d"], "the writer goes on after a failure");
  fake.calls[2]!.done.resolve();
  await settle();
  assert.equal(fourth.settled, "resolved");
});

Deno.test("grouped writer: sends stay within the message cap, filling up across requests", async () => {
  const fake = manualSend();
  const writer = groupedWriter(fake.send, { maxMessages: 4, maxBytes: 1_000_000 });
  const writes = [
    writer.write(messages("a")),
    writer.write(messages("b", "c")),
    writer.write(messages("d", "e")),
    writer.write(messages("f", "g", "h", "i", "j")),
    writer.write(messages("k")),
  ];
  for (let i = 0; i < 4; i++) {
    await settle();
    fake.calls[i]?.done.resolve();
  }
  await Promise.all(writes);
  assert.equal(fake.calls.length, 4);
  assert.deepEqual(fake.calls.map((call) => call.values), [
    ["a"],
    ["b", "c", "d", "e"],
    ["f", "g", "h", "i"],
    ["j", "k"],
  ]);
});

Deno.test("grouped writer: the byte budget splits a large request over consecutive sends", async () => {
  const fake = manualSend();
  const writer = groupedWriter(fake.send, { maxMessages: 100, maxBytes: 10 });
  const big = track(writer.write(messages("aaaa", "bbbb", "cccc", "dddd", "eeeeeeeeeeeeeeee")));
  const small = track(writer.write(messages("ff")));
  await settle();
  assert.deepEqual(fake.calls.map((call) => call.values), [["aaaa", "bbbb"]]);
  fake.calls[0]!.done.resolve();
  await settle();
  assert.equal(big.settled, "pending", "acknowledged only once every part is");
  assert.deepEqual(fake.calls[1]?.values, ["cccc", "dddd"]);
  fake.calls[1]!.done.resolve();
  await settle();
  assert.deepEqual(fake.calls[2]?.values, ["eeeeeeeeeeeeeeee"], "an oversize message goes alone");
  fake.calls[2]!.done.resolve();
  await settle();
  assert.equal(big.settled, "resolved");
  assert.deepEqual(fake.calls[3]?.values, ["ff"]);
  fake.calls[3]!.done.resolve();
  await settle();
  assert.equal(small.settled, "resolved");
});

Deno.test("grouped writer: when one part of a request fails, its unsent rest is dropped", async () => {
  const fake = manualSend();
  const writer = groupedWriter(fake.send, { maxMessages: 2, maxBytes: 1_000 });
  const big = track(writer.write(messages("a", "b", "c", "d", "e")));
  const next = track(writer.write(messages("z")));
  await settle();
  fake.calls[0]!.done.resolve();
  await settle();
  fake.calls[1]!.done.reject(new Error("not leader"));
  await settle();
  assert.equal(big.settled, "rejected");
  assert.deepEqual(fake.calls.map((call) => call.values), [["a", "b"], ["c", "d"], ["z"]]);
  fake.calls[2]!.done.resolve();
  await settle();
  assert.equal(next.settled, "resolved", "e was never written; the next request was");
});

Deno.test("grouped writer: an empty request resolves without a send", async () => {
  const fake = manualSend();
  await groupedWriter(fake.send, roomy).write([]);
  assert.equal(fake.calls.length, 0);
});
