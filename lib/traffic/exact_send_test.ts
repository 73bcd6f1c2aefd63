import assert from "assert";
import type { Kafka, Message, Producer } from "kafkajs";
import { openExactSender, OtherWriterError } from "./exact_send.ts";

/**
 * A topic in memory and producers that fail as scripted: "lost" fails without landing, "acked
 * late" lands partition 0 then fails (the acknowledgement lost in a failover), "landed" lands
 * everything then fails; "down" makes the admin fail once too.
 */
function fakeKafka(script: string[]) {
  const log = new Map<number, string[]>([[0, []], [1, []]]);
  let adminDown = 0;
  const producers: string[] = [];
  const kafka = {
    admin: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      fetchTopicOffsets: () => {
        if (adminDown > 0) {
          adminDown--;
          return Promise.reject(new Error("broker down"));
        }
        return Promise.resolve(
          [...log].map(([partition, values]) => ({ partition, high: String(values.length) })),
        );
      },
    }),
  } as unknown as Kafka;
  const newProducer = () => {
    producers.push("p");
    return {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      send: ({ messages }: { messages: Message[] }) => {
        const step = script.shift() ?? "ok";
        const land = (partition?: number) => {
          for (const message of messages) {
            if (partition === undefined || message.partition === partition) {
              log.get(message.partition!)!.push(String(message.value));
            }
          }
        };
        if (step === "down") adminDown = 1;
        if (step === "ok") land();
        if (step === "acked late") land(0);
        if (step === "landed") land();
        if (step === "other writer") log.get(1)!.push("someone else");
        const partitions = [...new Set(messages.map((message) => message.partition!))];
        // Where each partition's part was appended, as the broker answers.
        const meta = partitions.map((partition) => ({
          topicName: "t",
          partition,
          errorCode: 0,
          baseOffset: String(
            log.get(partition)!.length -
              messages.filter((message) => message.partition === partition).length,
          ),
        }));
        if (step === "discarded") {
          return Promise.resolve(meta.map((m) => ({ ...m, baseOffset: "0" })));
        }
        return step === "ok" ? Promise.resolve(meta) : Promise.reject(new Error(step));
      },
    } as unknown as Producer;
  };
  return { kafka, log, newProducer, producers };
}

const batch = (from: number): Message[] =>
  [0, 1, 2, 3].map((i) => ({ value: `m${from + i}`, partition: (from + i) % 2 }));

Deno.test("exact send: after a failed request only what did not land is re-sent", async () => {
  for (const failure of ["lost", "acked late", "landed", "down", "discarded"]) {
    const fake = fakeKafka(["ok", failure]);
    const retries: string[] = [];
    const sender = await openExactSender(fake.kafka, "t", {
      newProducer: fake.newProducer,
      settleMs: 1,
      onRetry: (line) => retries.push(line),
    });
    await sender.send(batch(0));
    await sender.send(batch(4));
    await sender.send(batch(8));
    await sender.close();
    assert.deepEqual(fake.log.get(0), ["m0", "m2", "m4", "m6", "m8", "m10"], failure);
    assert.deepEqual(fake.log.get(1), ["m1", "m3", "m5", "m7", "m9", "m11"], failure);
    assert.equal(retries.length, 1, failure);
    assert.match(
      retries[0]!,
      failure === "discarded"
        ? /attempt 1\): partition 0 acknowledged at offset 0, expected 2/
        : new RegExp(`attempt 1\\): ${failure}`),
    );
    // A fresh producer after a failure that left something to send.
    assert.equal(fake.producers.length, failure === "landed" ? 1 : 2, failure);
  }
});

Deno.test("exact send: every acknowledgement is checked against the expected offsets", async () => {
  // Sanity of the fake: plain sends pass the check, so the retries above come from the faults.
  const fake = fakeKafka([]);
  const retries: string[] = [];
  const sender = await openExactSender(fake.kafka, "t", {
    newProducer: fake.newProducer,
    settleMs: 1,
    onRetry: (line) => retries.push(line),
  });
  for (let from = 0; from < 40; from += 4) await sender.send(batch(from));
  assert.deepEqual(retries, []);
  assert.equal(fake.log.get(0)!.length + fake.log.get(1)!.length, 40);
});

Deno.test("exact send: another writer on the topic is an error, never a guess", async () => {
  const fake = fakeKafka(["other writer"]);
  const sender = await openExactSender(fake.kafka, "t", {
    newProducer: fake.newProducer,
    settleMs: 1,
  });
  await assert.rejects(() => sender.send(batch(0)), (error: Error) => {
    assert.ok(error instanceof OtherWriterError);
    assert.match(error.message, /t partition 1: end offset 1, expected 0 or 2.*topic of its own/);
    return true;
  });
});

Deno.test("exact send: a send failing longer than the patience throws with its cause", async () => {
  const fake = fakeKafka(["lost", "lost", "lost", "lost", "lost", "lost", "lost", "lost"]);
  const sender = await openExactSender(fake.kafka, "t", {
    newProducer: fake.newProducer,
    settleMs: 1,
    giveUpMs: 0,
  });
  await assert.rejects(() => sender.send(batch(0)), /sending to t failed for 0 s: lost/);
  assert.deepEqual(fake.log.get(0), []);
});
