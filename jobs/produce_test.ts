import assert from "assert";
import { isUnreachable, parseProduceArgs, UsageError } from "./produce.ts";

const NOW = Date.UTC(2026, 10, 22, 12);
const noEnv = () => undefined;

function usageError(args: string[]): string {
  try {
    parseProduceArgs(args, NOW, noEnv);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail(`accepted ${args.join(" ")}`);
}

Deno.test("parseProduceArgs applies the documented defaults", () => {
  const command = parseProduceArgs([], NOW, noEnv)!;
  assert.equal(command.topic, "RAWLOG");
  assert.deepEqual(command.brokers, ["127.0.0.1:9092"]);
  assert.equal(command.traffic.rate, 1000);
  assert.equal(command.traffic.count, 60_000);
  assert.equal(command.traffic.spanMs, 3_600_000);
  assert.equal(command.traffic.start, NOW - 3_600_000);
  assert.equal(command.traffic.malformedShare, 0.01);
  assert.equal(command.traffic.lateShare, 0.02);
  assert.equal(command.traffic.combinedShare, 0.2);
  assert.equal(command.durationMs, undefined);
  assert.ok(Number.isInteger(command.traffic.seed));
  assert.equal(parseProduceArgs(["--help"], NOW, noEnv), undefined);
});

Deno.test("parseProduceArgs reads every flag", () => {
  const command = parseProduceArgs(
    [
      "--topic=LOGS",
      "--rate",
      "0",
      "--count",
      "5000",
      "--duration",
      "5m",
      "--seed",
      "42",
      "--start",
      "2026-11-20T00:00:00Z",
      "--span",
      "2d",
      "--malformed",
      "0",
      "--late",
      "0.5",
      "--combined",
      "1",
      "--pages",
      "10",
      "--partitions",
      "3",
      "--batch",
      "100",
      "--brokers",
      "a:1, b:2",
    ],
    NOW,
    noEnv,
  )!;
  assert.equal(command.topic, "LOGS");
  assert.deepEqual(command.brokers, ["a:1", "b:2"]);
  assert.equal(command.durationMs, 300_000);
  assert.deepEqual(command.traffic, {
    mode: "weblog",
    products: 500,
    users: 5000,
    model: { botShare: 0.05, campaignShare: 0.25, cartShare: 0.2, paymentFailureShare: 0.08 },
    seed: 42,
    count: 5000,
    start: Date.UTC(2026, 10, 20),
    spanMs: 2 * 86_400_000,
    malformedShare: 0,
    lateShare: 0.5,
    combinedShare: 1,
    pages: 10,
    rate: undefined,
    partitions: 3,
    batchSize: 100,
  });
  assert.equal(parseProduceArgs(["--duration", "10s"], NOW, noEnv)!.traffic.count, 10_000);
  assert.deepEqual(
    parseProduceArgs([], NOW, (name) => name === "KAFKA_BROKERS" ? "k:9" : undefined)!.brokers,
    ["k:9"],
  );
});

Deno.test("parseProduceArgs says which flag is wrong and what it expects", () => {
  assert.equal(
    usageError(["--rate", "fast"]),
    '--rate: expected events per second ≥ 0, found "fast"',
  );
  assert.match(usageError(["--rate=-5"]), /^--rate: expected events per second ≥ 0, found "-5"/);
  assert.match(
    usageError(["--count", "1.5"]),
    /^--count: expected a whole number ≥ 1, found "1.5"/,
  );
  assert.match(usageError(["--duration", "5min"]), /^--duration: expected a duration like 90s/);
  assert.match(usageError(["--span", ""]), /^--span:/);
  assert.match(usageError(["--malformed", "2"]), /^--malformed: expected a share between 0 and 1/);
  assert.match(usageError(["--start", "yesterday"]), /^--start: expected an ISO-8601 date-time/);
  assert.match(usageError(["--start", "2030-01-01"]), /^--start\/--span: timestamps would run/);
  assert.match(usageError(["--topic", "bad topic"]), /^--topic: expected a Kafka topic name/);
  assert.match(usageError(["--brokers", "localhost"]), /^--brokers: expected host:port/);
  assert.match(usageError(["--rate", "0"]), /^--count: needed with --rate 0/);
  assert.match(usageError(["--nope"]), /nope/);
  assert.match(usageError(["extra"]), /extra/);
});

Deno.test("isUnreachable recognises kafkajs connection failures", () => {
  const refused = Object.assign(new Error("Connection error: connect ECONNREFUSED 127.0.0.1:1"), {
    name: "KafkaJSConnectionError",
  });
  assert.ok(isUnreachable(refused));
  const retries = Object.assign(new Error("retries exceeded"), {
    name: "KafkaJSNumberOfRetriesExceeded",
  });
  assert.ok(isUnreachable(retries));
  assert.ok(isUnreachable(Object.assign(new Error("wrapped"), { originalError: refused })));
  assert.ok(!isUnreachable(new Error("Topic authorization failed")));
});

Deno.test("parseProduceArgs reads the simulation mode and the shop model's shares", () => {
  const defaults = parseProduceArgs([], NOW, noEnv)!;
  assert.equal(defaults.traffic.mode, "weblog");
  const command = parseProduceArgs(
    [
      "--mode",
      "ecommerce",
      "--products",
      "80",
      "--users",
      "900",
      "--bot-share",
      "0",
      "--campaign-share",
      "0.5",
      "--cart-share",
      "0.3",
      "--payment-failure-share",
      "0.1",
    ],
    NOW,
    noEnv,
  )!;
  assert.equal(command.traffic.mode, "ecommerce");
  assert.equal(command.traffic.products, 80);
  assert.equal(command.traffic.users, 900);
  assert.deepEqual(command.traffic.model, {
    botShare: 0,
    campaignShare: 0.5,
    cartShare: 0.3,
    paymentFailureShare: 0.1,
  });
  assert.equal(
    usageError(["--mode", "shop"]),
    '--mode: expected one of weblog, ecommerce, clickstream, found "shop"',
  );
  assert.match(usageError(["--cart-share", "2"]), /^--cart-share: expected a share/);
  assert.match(usageError(["--products", "0"]), /^--products: expected a whole number/);
});

Deno.test("parseProduceArgs: --incident in real time lasts until 3 minutes after it", () => {
  const command = parseProduceArgs(
    ["--incident", "error-spike", "--at", "+2m", "--for", "5m", "--rate", "200"],
    NOW,
    noEnv,
  )!;
  assert.deepEqual(command.traffic.incident, {
    kind: "error-spike",
    from: NOW + 120_000,
    to: NOW + 420_000,
  });
  assert.equal(command.traffic.clock, Date.now);
  assert.equal(command.traffic.start, NOW);
  assert.equal(command.traffic.count, 200 * 600);
});

Deno.test("parseProduceArgs: --incident with --start is placed in event time", () => {
  const command = parseProduceArgs(
    [
      "--incident",
      "traffic-drop",
      "--at",
      "+10m",
      "--start",
      "2026-11-20T00:00:00Z",
      "--count",
      "10",
    ],
    NOW,
    noEnv,
  )!;
  const start = Date.parse("2026-11-20T00:00:00Z");
  assert.deepEqual(command.traffic.incident, {
    kind: "traffic-drop",
    from: start + 600_000,
    to: start + 900_000,
  });
  assert.equal(command.traffic.clock, undefined);
});

Deno.test("parseProduceArgs: --incident mistakes say what is expected", () => {
  assert.match(
    usageError(["--incident", "outage"]),
    /--incident: expected one of error-spike, traffic-drop, bot-surge, found "outage"/,
  );
  assert.match(
    usageError(["--incident", "bot-surge", "--at", "soon"]),
    /--at: expected \+N followed by s, m or h/,
  );
  assert.match(
    usageError(["--incident", "bot-surge", "--mode", "ecommerce"]),
    /incidents are staged in weblog traffic; remove --mode ecommerce/,
  );
});
