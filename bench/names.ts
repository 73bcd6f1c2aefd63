/**
 * Names a bench run owns (keyspaces, topics, consumer groups), and their removal at the end.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import { errorText } from "../lib/errors.ts";

/** The names of one bench pipeline: its keyspace, topics and consumer group. */
export interface PipelineNames {
  /** Keyspace of `log`, the real-time state tables and the result tables. */
  keyspace: string;
  /** Input topic. */
  topic: string;
  /** Dead-letter topic. */
  deadLetterTopic: string;
  /** Topic of the `kafka` results sink. */
  resultsTopic: string;
  /** Consumer group of the runner. */
  group: string;
}

/**
 * Everything a bench run created, so that it can all be dropped at the end, even after a
 * failure or Ctrl-C.
 */
export class BenchNames {
  /** Short unique suffix of this run. */
  readonly run: string;
  /** Keyspaces created. */
  readonly keyspaces = new Set<string>();
  /** Topics created. */
  readonly topics = new Set<string>();
  /** Consumer groups used. */
  readonly groups = new Set<string>();

  /** @param run Unique suffix; default: derived from the clock and a random number. */
  constructor(run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`) {
    this.run = run;
  }

  /**
   * Registers and returns the names of a bench pipeline.
   *
   * @param label What the pipeline is for (lower case letters and digits), e.g. `n100000`.
   */
  pipeline(label: string): PipelineNames {
    const topic = `BENCH-${this.run}-${label}`;
    const names: PipelineNames = {
      keyspace: this.keyspace(label),
      topic,
      deadLetterTopic: `${topic}.dlq`,
      resultsTopic: `BENCH-${this.run}-${label}-RESULTS`,
      group: this.group(label),
    };
    this.topics.add(names.topic).add(names.deadLetterTopic).add(names.resultsTopic);
    return names;
  }

  /** Registers and returns a keyspace name (a CQL identifier). */
  keyspace(label: string): string {
    const name = `bench_${this.run}_${label}`.toLowerCase();
    this.keyspaces.add(name);
    return name;
  }

  /** Registers and returns a consumer group name. */
  group(label: string): string {
    const name = `bench-${this.run}-${label}`;
    this.groups.add(name);
    return name;
  }

  /**
   * Drops every keyspace, topic and group registered so far (or only those of `only`, which
   * are then forgotten); failures are reported, not thrown.
   *
   * @returns One line per thing that could not be removed.
   */
  async drop(kafka: Kafka, client: cassandra.Client, only?: PipelineNames): Promise<string[]> {
    const keyspaces = only === undefined ? [...this.keyspaces] : [only.keyspace];
    const topicNames = only === undefined
      ? [...this.topics]
      : [only.topic, only.deadLetterTopic, only.resultsTopic];
    const groupNames = only === undefined ? [...this.groups] : [only.group];
    if (only !== undefined) this.forget(only);
    const problems: string[] = [];
    for (const keyspace of keyspaces) {
      try {
        await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], {
          readTimeout: 120_000,
        });
      } catch (error) {
        problems.push(`keyspace ${keyspace}: ${errorText(error)}`);
      }
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const topics = topicNames.filter((topic) => existing.has(topic));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
      const groups = new Set((await admin.listGroups()).groups.map((group) => group.groupId));
      const mine = groupNames.filter((group) => groups.has(group));
      if (mine.length > 0) await admin.deleteGroups(mine);
    } catch (error) {
      problems.push(`Kafka topics or groups: ${errorText(error)}`);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    return problems;
  }

  /** Forgets a pipeline's names after they were dropped individually. */
  forget(names: PipelineNames): void {
    this.keyspaces.delete(names.keyspace);
    this.topics.delete(names.topic);
    this.topics.delete(names.deadLetterTopic);
    this.topics.delete(names.resultsTopic);
    this.groups.delete(names.group);
  }
}
