/**
 * Group commit for the HTTP source: requests that arrive while a Kafka write is in flight are
 * written together in the next one, so 50 concurrent clients cost a few large produce requests
 * instead of 50 small ones queued behind each other. Writes stay under a byte budget, so no
 * produce request can exceed what a Kafka broker accepts in one partition.
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
   * Queues one request's messages; resolves once every write holding them is acknowledged,
   * rejects with the error of the first that is not.
   */
  write(messages: OutgoingMessage[]): Promise<void>;
}

/** Limits of one write. */
export interface WriteLimits {
  /** Most messages in one write. */
  maxMessages: number;
  /** Most bytes (keys and values, UTF-16 code units as an estimate) in one write. */
  maxBytes: number;
}

interface Waiting {
  messages: OutgoingMessage[];
  /** Index of the first message not yet handed to a write. */
  next: number;
  /** Messages acknowledged so far. */
  acknowledged: number;
  failed: boolean;
  done: PromiseWithResolvers<void>;
}

interface Part {
  waiting: Waiting;
  count: number;
}

function size(message: OutgoingMessage): number {
  return message.value.length + (message.key?.length ?? 0);
}

/**
 * Builds a grouped writer over `send`.
 *
 * Invariants (each has a unit test):
 * - one `send` at a time; everything queued while it runs goes into the next ones, in arrival
 *   order, each message once;
 * - a send holds at most `maxMessages` messages and `maxBytes` bytes, except that a single
 *   message larger than that goes alone;
 * - a request larger than one send is written in consecutive sends; `write` resolves only once
 *   every send holding its messages resolved;
 * - a failed send fails every request it held a part of, and the unsent rest of such a request
 *   is dropped (never written); requests it held no part of are not affected.
 *
 * @param send Writes messages (Kafka: one `producer.send` with acks from all in-sync replicas).
 * @param limits Largest write.
 * @returns The writer.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { groupedWriter } from "./grouped_writer.ts";
 * const sends: number[] = [];
 * const writer = groupedWriter(async (messages) => {
 *   sends.push(messages.length);
 * }, { maxMessages: 100, maxBytes: 1_000_000 });
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
  limits: WriteLimits,
): GroupedWriter {
  const queue: Waiting[] = [];
  let sending = false;

  /** Takes the next write's messages off the queue, request by request, within the limits. */
  function nextGroup(): { messages: OutgoingMessage[]; parts: Part[] } {
    const messages: OutgoingMessage[] = [];
    const parts: Part[] = [];
    let bytes = 0;
    while (queue.length > 0) {
      const waiting = queue[0]!;
      let count = 0;
      while (waiting.next < waiting.messages.length) {
        const message = waiting.messages[waiting.next]!;
        const fits = messages.length < limits.maxMessages &&
          bytes + size(message) <= limits.maxBytes;
        if (!fits && messages.length > 0) break;
        messages.push(message);
        bytes += size(message);
        waiting.next++;
        count++;
      }
      if (count > 0) parts.push({ waiting, count });
      if (waiting.next < waiting.messages.length) break;
      queue.shift();
    }
    return { messages, parts };
  }

  async function drain(): Promise<void> {
    sending = true;
    while (queue.length > 0) {
      const { messages, parts } = nextGroup();
      try {
        await send(messages);
        for (const { waiting, count } of parts) {
          waiting.acknowledged += count;
          if (!waiting.failed && waiting.acknowledged === waiting.messages.length) {
            waiting.done.resolve();
          }
        }
      } catch (error) {
        for (const { waiting } of parts) {
          if (waiting.failed) continue;
          waiting.failed = true;
          waiting.done.reject(error);
          const queued = queue.indexOf(waiting);
          if (queued >= 0) queue.splice(queued, 1);
        }
      }
    }
    sending = false;
  }

  return {
    write(messages) {
      const done = Promise.withResolvers<void>();
      if (messages.length === 0) {
        done.resolve();
        return done.promise;
      }
      queue.push({ messages, next: 0, acknowledged: 0, failed: false, done });
      if (!sending) drain();
      return done.promise;
    },
  };
}
