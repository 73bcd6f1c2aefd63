/**
 * The `kafka` source's consumer: a member of the runner's consumer group, tuned so that a
 * failed batch, a dead runner or a restarting service costs seconds, not tens of seconds.
 *
 * @module
 */
import type { Consumer, Kafka } from "kafkajs";

/**
 * How the consumer retries after a failed batch (Cassandra or Kafka not answering) before it
 * counts as a crash: kafkajs doubles the wait from 300 ms up to `maxRetryTime`, 30 s by default,
 * so after a 10 s Cassandra restart the next attempt came up to 20 s after it answered again.
 * Capped at 1 s, results are fresh within seconds of the service's return; 30 attempts keep a
 * crash about as far apart as before (the runtime stops after 10 crashes or 5 minutes).
 */
export const CONSUMER_RETRY = { retries: 30, initialRetryTime: 300, maxRetryTime: 1_000 };

/**
 * How often a member tells the group it is alive, ms. A member learns that the group is
 * rebalancing (a runner died or joined) only at its next heartbeat: at kafkajs' default of 3 s
 * that wait came on top of the session timeout after a runner was killed, and a recovery took
 * 15.1 s against its bound of session + 5 s. A heartbeat is one small request.
 */
export const HEARTBEAT_MS = 1_000;

/** The consumer options the `kafka` source takes from its settings. */
export interface ConsumerSettings {
  /** Largest fetch per partition, bytes (a whole fetch: ten times that). */
  max_bytes_per_partition: number;
  /** How long a silent member keeps its partitions, ms. */
  session_timeout_ms: number;
}

/**
 * A consumer in group `groupId`, not yet connected.
 *
 * @param kafka The client.
 * @param groupId The consumer group.
 * @param settings Fetch sizes and session timeout.
 * @param restartOnFailure Asked after each crash whether kafkajs should restart the consumer.
 * @returns The consumer.
 */
export function groupConsumer(
  kafka: Kafka,
  groupId: string,
  settings: ConsumerSettings,
  restartOnFailure: (error: unknown) => boolean,
): Consumer {
  return kafka.consumer({
    groupId,
    maxBytesPerPartition: settings.max_bytes_per_partition,
    maxBytes: settings.max_bytes_per_partition * 10,
    sessionTimeout: settings.session_timeout_ms,
    heartbeatInterval: HEARTBEAT_MS,
    retry: {
      ...CONSUMER_RETRY,
      // kafkajs restarts a crashed consumer forever; the runtime counts each crash, logs it
      // and says when the failure has persisted long enough to stop instead.
      restartOnFailure: (error) => Promise.resolve(restartOnFailure(error)),
    },
  });
}

/**
 * Rejects with the error of a crash after which kafkajs does not restart the consumer.
 *
 * @param consumer The consumer.
 * @returns A promise that only ever rejects.
 */
export function finalCrash(consumer: Consumer): Promise<never> {
  return new Promise<never>((_, reject) => {
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) reject(event.payload.error);
    });
  });
}
