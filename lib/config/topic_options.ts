/**
 * The options every plugin that reads or writes a Kafka topic offers the same way: `topic`,
 * `partitions` and `dead_letter_topic`, and the dead-letter topic they name. Each plugin says
 * in its own words what its topic and its dead-letter topic hold.
 *
 * @module
 */
import { z } from "zod";
import { topicName } from "./option_schemas.ts";

/**
 * The `topic` option: a Kafka topic name with a default, which is also its example.
 *
 * @param defaultTopic The topic when the option is left out.
 * @param description What the topic holds and who reads it, in the plugin's own words.
 * @returns The option's schema.
 *
 * @example
 * ```ts
 * import { topicOption } from "./topic_options.ts";
 * topicOption("RESULTS", "Topic receiving result messages.").parse(undefined); // "RESULTS"
 * ```
 */
export function topicOption(defaultTopic: string, description: string): z.ZodDefault<z.ZodString> {
  return topicName().default(defaultTopic)
    .describe(description)
    .meta({ examples: [defaultTopic] });
}

/**
 * The `partitions` option: the partition count (1 to 1000) used when the runner creates the
 * plugin's topics.
 *
 * @param defaultCount The count when the option is left out, also its example.
 * @returns The option's schema.
 *
 * @example
 * ```ts
 * import { partitionsOption } from "./topic_options.ts";
 * partitionsOption(6).parse(undefined); // 6
 * ```
 */
export function partitionsOption(defaultCount: number): z.ZodDefault<z.ZodNumber> {
  return z.number().int().min(1).max(1000).default(defaultCount)
    .describe("Partition count used when the runner creates the topic.")
    .meta({ examples: [defaultCount] });
}

/**
 * The `dead_letter_topic` option: where rejected input goes, by default `<topic>.dlq`; read
 * it with {@linkcode deadLetterTopicOf}.
 *
 * @param receives What the topic receives, e.g. `messages that cannot be parsed`; the
 *   description reads "Topic receiving <receives>; default <topic>.dlq."
 * @param example An example topic name.
 * @returns The option's schema.
 *
 * @example
 * ```ts
 * import { deadLetterTopicOption } from "./topic_options.ts";
 * deadLetterTopicOption("lines that cannot be parsed", "RAWLOG.dlq").parse(undefined); // undefined
 * ```
 */
export function deadLetterTopicOption(
  receives: string,
  example: string,
): z.ZodOptional<z.ZodString> {
  return topicName().optional()
    .describe(`Topic receiving ${receives}; default <topic>.dlq.`)
    .meta({ examples: [example] });
}

/**
 * The dead-letter topic that a plugin's settings name: `dead_letter_topic`, else `<topic>.dlq`.
 *
 * @param settings The plugin's validated `topic` and `dead_letter_topic`.
 * @returns The topic name.
 *
 * @example
 * ```ts
 * import { deadLetterTopicOf } from "./topic_options.ts";
 * deadLetterTopicOf({ topic: "RAWLOG" }); // "RAWLOG.dlq"
 * ```
 */
export function deadLetterTopicOf(settings: { topic: string; dead_letter_topic?: string }): string {
  return settings.dead_letter_topic ?? `${settings.topic}.dlq`;
}
