/**
 * `kafka` notifier: publishes each alert transition as one JSON message on a topic (`ALERTS`),
 * keyed by rule and series, for other systems to consume.
 *
 * @module
 */
import {
  type NotifierPlugin,
  partitionsOption,
  topicOption,
  topicProducer,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  topic: topicOption("ALERTS", "Topic receiving alert messages; created when missing."),
  partitions: partitionsOption(1),
});

/** Validated `kafka` notifier options. */
export type KafkaNotifierOptions = z.output<typeof options>;

/** The `kafka` notifier plugin. */
const kafkaNotifier: NotifierPlugin<KafkaNotifierOptions> = {
  kind: "notifier",
  name: "kafka",
  summary: "Publishes each alert transition as JSON to a Kafka topic.",
  description: "One message per firing and per resolve, keyed <rule>/<series>, with the fields " +
    "id, event (firing or resolved), rule, series, severity, labels, value, text, fired_at " +
    "and resolved_at (ms since epoch).",
  options,
  example: { topic: "ALERTS" },
  topics: (settings) => [{ topic: settings.topic, partitions: settings.partitions }],
  open(settings, context) {
    const producer = topicProducer(context.kafka, settings.topic);
    return Promise.resolve({
      async send(notification) {
        // A failed connect is tried again at the next notification.
        await producer.connect();
        await producer.send([{
          key: `${notification.rule}/${notification.series}`,
          value: JSON.stringify({
            id: notification.id,
            event: notification.event,
            rule: notification.rule,
            series: notification.series,
            severity: notification.severity,
            labels: notification.labels,
            value: notification.value,
            text: notification.text,
            fired_at: notification.firedAt,
            resolved_at: notification.resolvedAt,
          }),
        }]);
      },
      close: () => producer.close(),
    });
  },
};

export default kafkaNotifier;
