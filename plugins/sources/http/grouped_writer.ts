/**
 * Group commit for the HTTP source: requests that arrive while a Kafka write is in flight are
 * written together in the next one, so 50 concurrent clients cost a few large produce requests
 * instead of 50 small ones queued behind each other.
 *
 * @module
 */

/** A message for Kafka. */
export interface OutgoingMessage {
  /** Message key (the event id), or none. */
  key: string | undefined;
  /** Message value. */
  value: string;
}

/** Writes messages; resolves once they are acknowledged. */
export interface GroupedWriter {
  /**
   * Queues one request's messages; resolves once the write that holds them is acknowledged,
   * rejects with that write's error otherwise.
   */
  write(messages: OutgoingMessage[]): Promise<void>;
}

interface Waiting {
  messages: OutgoingMessage[];
  done: PromiseWithResolvers<void>;
}

/**
 * Builds a grouped writer over `send`.
 *
 * Invariants (each has a unit test):
 * - one `send` at a time; everything queued while it runs goes in the next, in arrival order;
 * - a request's messages are never split across sends, so one acknowledgement covers the whole
 *   request, and a failed send fails exactly the requests it held (none of them is answered
 *   as acknowledged, none of the others is affected);
 * - a send holds at most `maxMessages` messages, unless a single request alone has more;
 * - `write` resolves only after the `send` holding its messages resolved.
 *
 * @param send Writes messages (Kafka: one `producer.send` with acks from all in-sync replicas).
 * @param maxMessages Largest number of messages grouped into one send.
 * @returns The writer.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { groupedWriter } from "./grouped_writer.ts";
 * const sends: number[] = [];
 * const writer = groupedWriter(async (messages) => { sends.push(messages.length); }, 100);
 * await Promise.all([
 *   writer.write([{ key: "a", value: "1" }]),
 *   writer.write([{ key: "b", value: "2" }]),
 *   writer.write([{ key: "c", value: "3" }]),
 * ]);
 * assert.deepEqual(sends, [1, 2]);
 * ```
 */
export function groupedWriter(
  send: (messages: OutgoingMessage[]) => Promise<void>,
  maxMessages: number,
): GroupedWriter {
  const queue: Waiting[] = [];
  let sending = false;

  async function drain(): Promise<void> {
    sending = true;
    while (queue.length > 0) {
      const group: Waiting[] = [queue.shift()!];
      let size = group[0]!.messages.length;
      while (queue.length > 0 && size + queue[0]!.messages.length <= maxMessages) {
        const next = queue.shift()!;
        size += next.messages.length;
        group.push(next);
      }
      try {
        await send(group.flatMap((waiting) => waiting.messages));
        for (const waiting of group) waiting.done.resolve();
      } catch (error) {
        for (const waiting of group) waiting.done.reject(error);
      }
    }
    sending = false;
  }

  return {
    write(messages) {
      const done = Promise.withResolvers<void>();
      queue.push({ messages, done });
      if (!sending) drain();
      return done.promise;
    },
  };
}
