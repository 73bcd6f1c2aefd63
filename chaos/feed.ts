/**
 * The chaos job's input: its seeded stream produced at a steady rate into the private broker,
 * with a gate that holds the feed (nothing in flight) while the broker restarts.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { produceTraffic } from "../lib/traffic/producer.ts";
import type { TrafficOptions } from "../lib/traffic/simulate.ts";

/** A feed running in the background. */
export interface ChaosFeed {
  /** Messages acknowledged so far. */
  sent(): number;
  /** Resolves with the messages sent when the whole stream is in Kafka. */
  done: Promise<number>;
  /** Resolves once the feed waits at its gate, with no request in flight. */
  hold(): Promise<void>;
  /** Lets the feed go on. */
  release(): void;
}

/**
 * Starts producing `traffic` into `topic` at `rate` events/s.
 *
 * @param kafka Client of the private broker.
 * @param topic Input topic (created with 6 partitions when missing).
 * @param traffic The seeded stream.
 * @param rate Events per second.
 * @param onRetry Told when a request failed and only what did not land is re-sent.
 * @returns The running feed.
 */
export function startFeed(
  kafka: Kafka,
  topic: string,
  traffic: TrafficOptions,
  rate: number,
  onRetry: (line: string) => void = () => {},
): ChaosFeed {
  let sent = 0;
  let held: { reached: () => void; release: Promise<void>; open: () => void } | undefined;
  const done = produceTraffic(kafka, topic, {
    ...traffic,
    rate,
    partitions: 6,
    onRetry,
    onProgress: (count) => sent = count,
    hold: async () => {
      if (held === undefined) return;
      held.reached();
      await held.release;
    },
  }).then((result) => result.sent);
  done.catch(() => {});
  return {
    sent: () => sent,
    done,
    hold() {
      let reached!: () => void;
      let open!: () => void;
      const atGate = new Promise<void>((resolve) => reached = resolve);
      const release = new Promise<void>((resolve) => open = resolve);
      held = { reached, release, open };
      // When the stream ends before reaching the gate, nothing is in flight either.
      return Promise.race([atGate, done.then(() => {}, () => {})]);
    },
    release() {
      const gate = held;
      held = undefined;
      gate?.open();
    },
  };
}
