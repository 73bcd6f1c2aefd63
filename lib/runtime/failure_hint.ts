/**
 * What to check after a persistent failure: names the service the error came from.
 *
 * @module
 */

/** The service an error came from: `Kafka`, `Cassandra`, or undefined when unknown. */
export function failingService(error: unknown): "Kafka" | "Cassandra" | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; depth++) {
    if (cause.name.startsWith("KafkaJS")) {
      // kafkajs wraps whatever the batch handler threw; the innermost cause decides.
      const inner = failingService(cause.cause);
      return inner ?? "Kafka";
    }
    if (
      cause.message.startsWith("Cassandra:") || cause.name === "NoHostAvailableError" ||
      cause.name === "ResponseError" || cause.name === "OperationTimedOutError"
    ) {
      return "Cassandra";
    }
    cause = cause.cause;
  }
  return undefined;
}

/**
 * One line telling the operator which service failed and what to check.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { failureHint } from "./failure_hint.ts";
 * assert.match(failureHint(new Error("Cassandra: saving aggregate state failed: timeout")),
 *   /^Cassandra failed/);
 * ```
 */
export function failureHint(error: unknown): string {
  const service = failingService(error);
  const check = "`deno task services status` shows what answers and `deno task services logs` " +
    "the servers' last log lines";
  return service === undefined
    ? `Check Kafka and Cassandra: ${check}. Restarting the runner resumes from the last commit.`
    : `${service} failed: ${check}. Restarting the runner resumes from the last commit.`;
}
