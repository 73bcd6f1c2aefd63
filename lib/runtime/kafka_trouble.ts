/**
 * What the runner says when a Kafka broker cannot be reached. kafkajs retries a lost broker by
 * itself and, with its logging off, says nothing: a broker restart the client rode out left no
 * line at all in the runner's log. This turns kafkajs' connection errors into one line per
 * broker, at most every `everyMs`, naming the broker, the cause and what the client does.
 *
 * @module
 */
import { type LogEntry, logLevel } from "kafkajs";

/** How often a broker that stays unreachable is reported again, ms. */
export const BROKER_TROUBLE_EVERY_MS = 30_000;

/**
 * A kafkajs `logCreator` reporting unreachable brokers through `log`, rate-limited per broker.
 *
 * @param log Where lines go.
 * @param now Clock, ms (injected by tests).
 * @param everyMs Least time between two lines about one broker.
 * @returns The log creator.
 *
 * @example
 * ```ts
 * import { logLevel } from "kafkajs";
 * import { brokerTroubleLogger } from "./kafka_trouble.ts";
 * const lines: string[] = [];
 * const logger = brokerTroubleLogger((line) => lines.push(line), () => 0)(logLevel.ERROR);
 * logger({ namespace: "Connection", level: logLevel.ERROR, label: "ERROR",
 *   log: { timestamp: "", message: "Connection error: connect ECONNREFUSED 127.0.0.1:9092",
 *     broker: "127.0.0.1:9092" } });
 * console.assert(lines.length === 1);
 * ```
 */
export function brokerTroubleLogger(
  log: (line: string) => void,
  now: () => number = Date.now,
  everyMs = BROKER_TROUBLE_EVERY_MS,
): (level: logLevel) => (entry: LogEntry) => void {
  const lastSaid = new Map<string, number>();
  return () => (entry) => {
    if (entry.level !== logLevel.ERROR || entry.namespace !== "Connection") return;
    const { message, broker } = entry.log as { message?: string; broker?: string };
    if (typeof message !== "string" || !message.startsWith("Connection error")) return;
    const where = typeof broker === "string" ? broker : "a broker";
    const said = lastSaid.get(where);
    if (said !== undefined && now() - said < everyMs) return;
    lastSaid.set(where, now());
    log(
      `kafka: cannot reach broker ${where} (${message.replace(/^Connection error: ?/, "")}); ` +
        `the client keeps trying, and reading, writing and committing through it wait meanwhile ` +
        `(said again every ${Math.round(everyMs / 1000)} s while it lasts)`,
    );
  };
}
