import assert from "assert";
import type { Message, Producer, RecordMetadata } from "kafkajs";
import { sendAcknowledged } from "./kafka_send.ts";

/** A producer whose answers leave out the partitions scripted for each send. */
function producer(skipped: number[][]) {
  const sent: Array<Array<{ value: string; partition: number }>> = [];
  const fake = {
    send({ messages }: { messages: Message[] }): Promise<RecordMetadata[]> {
      sent.push(messages.map((m) => ({ value: String(m.value), partition: m.partition! })));
      const skip = skipped.shift() ?? [];
      const partitions = [...new Set(messages.map((m) => m.partition!))];
      return Promise.resolve(
        partitions.filter((p) => !skip.includes(p)).map((partition) => ({
          topicName: "t",
          partition,
          errorCode: 0,
        })),
      );
    },
  } as unknown as Producer;
  return { fake, sent };
}

const messages = [0, 1, 2, 3, 4, 5].map((i) => ({ value: `m${i}`, partition: i % 3 }));

Deno.test("acknowledged send: partitions a send left unanswered are sent again, alone", async () => {
  const { fake, sent } = producer([[2]]);
  await sendAcknowledged(fake, "t", messages);
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[1], [{ value: "m2", partition: 2 }, { value: "m5", partition: 2 }]);
});

Deno.test("acknowledged send: still unanswered after the attempts is an error naming them", async () => {
  const { fake, sent } = producer([[1, 2], [2], [2]]);
  await assert.rejects(
    () => sendAcknowledged(fake, "t", messages),
    /did not acknowledge 2 of 6 messages to t \(partitions 2\) after 3 sends/,
  );
  assert.equal(sent.length, 3);
});

Deno.test("acknowledged send: a fully answered send is sent once", async () => {
  const { fake, sent } = producer([]);
  await sendAcknowledged(fake, "t", messages);
  assert.equal(sent.length, 1);
});
