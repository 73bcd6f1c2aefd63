/**
 * The `kafka` and `stdout` notifiers: a notification lands on the topic once, keyed
 * `<rule>/<series>`, as JSON; stdout prints its text line.
 */
import assert from "assert";
import type { AlertNotification, RuntimeContext } from "../lib/contracts.ts";
import { createKafka, ensureTopics } from "../lib/runtime/kafka.ts";
import kafkaNotifier from "../plugins/notifiers/kafka.ts";
import stdoutNotifier from "../plugins/notifiers/stdout.ts";
import { testKafkaSettings, uniqueSuffix, waitFor } from "./_support.ts";

const NOTIFICATION: AlertNotification = {
  id: "lag/rawlog/1796638200000/resolved",
  event: "resolved",
  rule: "lag",
  series: "rawlog",
  severity: "warning",
  labels: {},
  value: 3,
  text: "[RESOLVED] lag (warning): lag of rawlog is 3 (above 10000)",
  firedAt: 1796638200000,
  resolvedAt: 1796638260000,
};

Deno.test("kafka notifier: one JSON message per notification, keyed rule/series", async () => {
  const kafka = createKafka(testKafkaSettings());
  const topic = `test-alerts-${uniqueSuffix()}`;
  const options = kafkaNotifier.options.parse({ topic });
  await ensureTopics(kafka, kafkaNotifier.topics!(options));
  const notifier = await kafkaNotifier.open(options, { kafka } as unknown as RuntimeContext);
  const consumer = kafka.consumer({ groupId: `test-group-${uniqueSuffix()}` });
  try {
    await notifier.send(NOTIFICATION);
    const received: { key: string; value: Record<string, unknown> }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        received.push({
          key: message.key!.toString(),
          value: JSON.parse(message.value!.toString()),
        });
        return Promise.resolve();
      },
    });
    await waitFor("the alert message", () => received.length >= 1 ? true : undefined, 30_000);
    assert.equal(received.length, 1);
    assert.equal(received[0]!.key, "lag/rawlog");
    assert.deepEqual(received[0]!.value, {
      id: NOTIFICATION.id,
      event: "resolved",
      rule: "lag",
      series: "rawlog",
      severity: "warning",
      labels: {},
      value: 3,
      text: NOTIFICATION.text,
      fired_at: 1796638200000,
      resolved_at: 1796638260000,
    });
  } finally {
    await consumer.disconnect();
    await notifier.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});

Deno.test("stdout notifier: the text, or the whole notification as JSON", async () => {
  const printed: string[] = [];
  const original = console.log;
  console.log = (line: string) => printed.push(line);
  try {
    const context = {} as RuntimeContext;
    await (await stdoutNotifier.open(stdoutNotifier.options.parse({}), context)).send(NOTIFICATION);
    const json = await stdoutNotifier.open(stdoutNotifier.options.parse({ json: true }), context);
    await json.send(NOTIFICATION);
  } finally {
    console.log = original;
  }
  assert.deepEqual(printed, [`alert: ${NOTIFICATION.text}`, JSON.stringify(NOTIFICATION)]);
});
