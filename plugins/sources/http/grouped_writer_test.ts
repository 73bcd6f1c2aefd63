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

function track(promise: Promise<void>) {
  const state = { settled: "pending" as "pending" | "resolved" | "rejected" };
  promise.then(() => state.settled = "resolved", () => state.settled = "rejected");
  return state;
}

Deno.test("grouped writer: writes arriving during a send go together in the next", async () => {
  const fake = manualSend();
  const writer = groupedWriter(fake.send, 100);
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

Deno.test("grouped writer: a failed send fails exactly its own writes", async () => {
  const fake = manualSend();
  const writer = groupedWriter(fake.send, 100);
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

Deno.test("grouped writer: groups stay under the cap and never split a request", async () => {
  const fake = manualSend();
  const writer = groupedWriter(fake.send, 4);
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
  assert.deepEqual(fake.calls.map((call) => call.values), [
    ["a"],
    ["b", "c", "d", "e"],
    ["f", "g", "h", "i", "j"],
    ["k"],
  ]);
});
