import assert from "assert";
import { z } from "zod";
import {
  deadLetterTopicOf,
  deadLetterTopicOption,
  partitionsOption,
  topicOption,
} from "./topic_options.ts";

Deno.test("topic options: defaults, bounds and the dead-letter topic they name", () => {
  const options = z.strictObject({
    topic: topicOption("RAWLOG", "Topic to read."),
    partitions: partitionsOption(6),
    dead_letter_topic: deadLetterTopicOption("messages that cannot be parsed", "RAWLOG.dlq"),
  });
  const defaults = options.parse({});
  assert.deepEqual(defaults, { topic: "RAWLOG", partitions: 6 });
  assert.equal(deadLetterTopicOf(defaults), "RAWLOG.dlq");
  assert.equal(deadLetterTopicOf(options.parse({ dead_letter_topic: "BAD" })), "BAD");
  assert.equal(options.safeParse({ partitions: 0 }).success, false);
  assert.equal(options.safeParse({ partitions: 1001 }).success, false);
  assert.equal(options.safeParse({ topic: "no spaces" }).success, false);
  assert.equal(
    options.shape.dead_letter_topic.description,
    "Topic receiving messages that cannot be parsed; default <topic>.dlq.",
  );
});
