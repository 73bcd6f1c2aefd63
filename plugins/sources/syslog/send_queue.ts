/**
 * The syslog source's way to Kafka: messages from every connection and datagram are queued and
 * written together, one send at a time; a failed send is tried again (with a growing pause)
 * until it is acknowledged, so a message counts only once Kafka has it. A TCP connection waits
 * for its messages before it reads more (the sender feels Kafka's pace); datagrams beyond
 * `maxQueued` are dropped and counted, since UDP has no way to slow a sender.
 *
 * @module
 */

/** A message for the topic or the dead-letter topic. */
export interface QueuedMessage {
  /** `topic` or `deadLetters`. */
  to: "topic" | "deadLetters";
  /** Key (the sending host), or none. */
  key?: string;
  /** Value: a JSON record, or the rejected bytes. */
  value: string | Uint8Array;
  /** Headers (a dead letter's reason). */
  headers?: Record<string, string>;
}

/** A queue of messages on their way to Kafka. */
export interface SendQueue {
  /** Queues messages; resolves once Kafka acknowledged every one (false if dropped). */
  write(messages: QueuedMessage[], droppable: boolean): Promise<boolean>;
  /** Messages acknowledged so far. */
  readonly acknowledged: number;
  /** Messages dropped (a full queue of datagrams). */
  readonly dropped: number;
  /** Stops retrying; waiting writes resolve false. */
  close(): void;
}

interface Entry {
  messages: QueuedMessage[];
  done: (sent: boolean) => void;
}

/**
 * Builds a send queue.
 *
 * @param send Writes messages; resolves once Kafka acknowledged them all.
 * @param limits Most messages per send, most queued messages before datagrams are dropped.
 * @param onFailure Told about a failed send (then tried again).
 * @returns The queue.
 */
export function sendQueue(
  send: (messages: QueuedMessage[]) => Promise<void>,
  limits: { maxPerSend: number; maxQueued: number },
  onFailure: (error: unknown, attempt: number) => void,
): SendQueue {
  const pending: Entry[] = [];
  let queued = 0;
  let acknowledged = 0;
  let dropped = 0;
  let running = false;
  let closed = false;

  async function drain() {
    running = true;
    let attempt = 0;
    while (pending.length > 0 && !closed) {
      const taken: Entry[] = [];
      let count = 0;
      for (const entry of pending) {
        if (taken.length > 0 && count + entry.messages.length > limits.maxPerSend) break;
        taken.push(entry);
        count += entry.messages.length;
      }
      try {
        await send(taken.flatMap((entry) => entry.messages));
      } catch (error) {
        onFailure(error, ++attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
        continue;
      }
      attempt = 0;
      pending.splice(0, taken.length);
      queued -= count;
      acknowledged += count;
      for (const entry of taken) entry.done(true);
    }
    running = false;
  }

  return {
    write(messages, droppable) {
      if (messages.length === 0) return Promise.resolve(true);
      if (closed || (droppable && queued + messages.length > limits.maxQueued)) {
        dropped += messages.length;
        return Promise.resolve(false);
      }
      return new Promise((done) => {
        pending.push({ messages, done });
        queued += messages.length;
        if (!running) drain();
      });
    },
    get acknowledged() {
      return acknowledged;
    },
    get dropped() {
      return dropped;
    },
    close() {
      closed = true;
      for (const entry of pending.splice(0)) entry.done(false);
    },
  };
}
