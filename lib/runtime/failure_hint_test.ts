import assert from "assert";
import { failingService, failureHint } from "./failure_hint.ts";

class KafkaJSNumberOfRetriesExceeded extends Error {
  constructor(cause: unknown) {
    super("retries exceeded", { cause });
    this.name = "KafkaJSNumberOfRetriesExceeded";
  }
}

Deno.test("failing service: the innermost known cause names it", () => {
  const cassandra = new Error("Cassandra: saving aggregate state failed: timeout");
  assert.equal(failingService(cassandra), "Cassandra");
  assert.equal(failingService(new KafkaJSNumberOfRetriesExceeded(cassandra)), "Cassandra");
  const broker = new Error("broker unreachable");
  broker.name = "KafkaJSConnectionError";
  assert.equal(failingService(new KafkaJSNumberOfRetriesExceeded(broker)), "Kafka");
  const driver = new Error("All host(s) tried for query failed");
  driver.name = "NoHostAvailableError";
  assert.equal(
    failingService(new Error("writing log rows failed", { cause: driver })),
    "Cassandra",
  );
  assert.equal(failingService(new Error("something else")), undefined);
});

Deno.test("failure hint: says which service failed and what to check", () => {
  assert.match(
    failureHint(new Error("Cassandra: reading aggregate state failed: x")),
    /^Cassandra failed: `deno task services status`.*Restarting the runner resumes/,
  );
  assert.match(failureHint("?"), /^Check Kafka and Cassandra: /);
});
