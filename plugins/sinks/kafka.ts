/**
 * `kafka` sink: publishes each changed window result as one JSON message, keyed by
 * `<aggregation>/<window>`, so a compacted topic keeps exactly the latest result per window.
 *
 * @module
 */
import {
  keyColumns,
  keyValues,
  partitionsOption,
  type SinkPlugin,
  topicOption,
  topicProducer,
  type WindowResult,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  topic: topicOption("RESULTS", "Topic receiving result messages; created when missing."),
  partitions: partitionsOption(6),
});

/** Validated `kafka` sink options. */
export type KafkaSinkOptions = z.output<typeof options>;

/** The JSON body of one result message. */
function resultMessage(result: WindowResult): Record<string, unknown> {
  return {
    aggregation: result.aggregation,
    size: result.window.size,
    window: result.window.key,
    ...(result.window.size === "none" ? {} : {
      date: result.window.date,
      ...(result.window.hour === undefined ? {} : { hour: result.window.hour }),
      window_start: new Date(result.window.start).toISOString(),
      window_end: new Date(result.window.end).toISOString(),
    }),
    records: result.records,
    computed_at: new Date(result.computedAt).toISOString(),
    rows: result.rows.map((row) => {
      const keys = keyValues(row);
      return {
        ...Object.fromEntries(keyColumns(result.shape).map((column, i) => [column.name, keys[i]])),
        ...row.values,
      };
    }),
  };
}

/** The `kafka` sink plugin. */
const kafkaSink: SinkPlugin<KafkaSinkOptions> = {
  kind: "sink",
  name: "kafka",
  summary: "Publishes every changed window result as JSON to a Kafka topic.",
  description: "One message per changed window and flush, keyed <aggregation>/<window>, with " +
    "the fields aggregation, size (the window size, e.g. 5m), window (its key), date, hour " +
    "(hour-sized windows only), window_start and window_end (ISO-8601; date and both ends not " +
    "for window: none), records, computed_at and rows (e.g. [{page_url, visits, rank}], one " +
    "field per key column).",
  options,
  example: { topic: "RESULTS" },
  topics: (settings) => [{ topic: settings.topic, partitions: settings.partitions }],
  open(settings, context) {
    const producer = topicProducer(context.kafka, settings.topic);
    return Promise.resolve({
      prepare: async () => {
        await producer.connect();
      },
      async write(results) {
        if (results.length === 0) return;
        await producer.connect();
        await producer.send(results.map((result) => ({
          key: `${result.aggregation}/${result.window.key}`,
          value: JSON.stringify(resultMessage(result)),
        })));
      },
      close: () => producer.close(),
    });
  },
};

export default kafkaSink;
