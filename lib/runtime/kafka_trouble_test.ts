import assert from "assert";
import { logLevel } from "kafkajs";
import { brokerTroubleLogger } from "./kafka_trouble.ts";

const entry = (namespace: string, message: string, broker = "127.0.0.1:9092", level = 1) => ({
  namespace,
  level,
  label: "ERROR",
  log: { timestamp: "", message, broker },
});

Deno.test("kafka trouble: an unreachable broker is said once per interval, per broker", () => {
  const lines: string[] = [];
  let clock = 0;
  const logger = brokerTroubleLogger((line) => lines.push(line), () => clock, 30_000)(
    logLevel.ERROR,
  );
  const refused = "Connection error: connect ECONNREFUSED 127.0.0.1:9092";
  logger(entry("Connection", refused));
  clock = 500;
  logger(entry("Connection", refused));
  logger(entry("Connection", "Connection error: connect ECONNREFUSED", "127.0.0.2:9092"));
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /cannot reach broker 127\.0\.0\.1:9092 \(connect ECONNREFUSED/);
  assert.match(lines[1]!, /127\.0\.0\.2:9092/);
  clock = 30_000;
  logger(entry("Connection", refused));
  assert.equal(lines.length, 3);
});

Deno.test("kafka trouble: retried responses and other namespaces say nothing", () => {
  const lines: string[] = [];
  const logger = brokerTroubleLogger((line) => lines.push(line))(logLevel.ERROR);
  logger(entry("Connection", "Response Metadata(key: 3, version: 6)"));
  logger(entry("BrokerPool", "Failed to connect to seed broker, trying another broker"));
  logger(entry("Connection", "Connection error: timeout", "b:1", logLevel.WARN));
  assert.deepEqual(lines, []);
});
