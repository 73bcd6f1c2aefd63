/**
 * A private, single-node Kafka broker for tests that must stop Kafka: its own ports and data
 * folder, started from the jars the services task already fetched, and stopped (by its own
 * process id) without touching the shared broker.
 *
 * @module
 */
import { Kafka, logLevel } from "kafkajs";
import { cacheDir, KAFKA_VERSION } from "../lib/services/settings.ts";
import { hideTimeoutNegativeWarning } from "../lib/runtime/kafka.ts";
import { waitFor } from "./_support.ts";

/** A private broker. */
export interface PrivateKafka {
  /** `127.0.0.1:port`. */
  broker: string;
  /** Stops the broker process (SIGTERM, then SIGKILL after 30 s); its data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data, and waits until it answers. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  remove(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function properties(dir: string, port: number, controllerPort: number): string {
  return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dir}/data
num.partitions=3
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=1
num.io.threads=2
log.cleaner.dedupe.buffer.size=2097152
`;
}

const LOG4J = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

/** Starts a private broker and waits until it answers. */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  const jars = `${cacheDir()}/kafka-${KAFKA_VERSION}/lib`;
  try {
    await Deno.stat(`${jars}/.complete`);
  } catch {
    throw new Error(
      `no Kafka jars in ${jars}: run \`deno task services up\` once (it fetches them)`,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "private-kafka-" });
  const port = freePort();
  const controllerPort = freePort();
  await Deno.writeTextFile(`${dir}/server.properties`, properties(dir, port, controllerPort));
  await Deno.writeTextFile(`${dir}/log4j.properties`, LOG4J);
  const java = (main: string[]) => [
    "-Xms192m",
    "-Xmx192m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
    `-Dlog4j.configuration=file:${dir}/log4j.properties`,
    "-cp",
    `${jars}/*`,
    ...main,
  ];
  const format = await new Deno.Command("java", {
    args: java([
      "kafka.tools.StorageTool",
      "format",
      "-t",
      "cHJpdmF0ZS1rYWZrYS10ZQ",
      "-c",
      `${dir}/server.properties`,
    ]),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!format.success) {
    throw new Error(`formatting private Kafka failed: ${new TextDecoder().decode(format.stderr)}`);
  }
  const broker = `127.0.0.1:${port}`;
  let child: Deno.ChildProcess | undefined;

  async function start(): Promise<void> {
    const log = await Deno.open(`${dir}/server.log`, { append: true, create: true, write: true });
    child = new Deno.Command("java", {
      args: java(["kafka.Kafka", `${dir}/server.properties`]),
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    child.stdout.pipeTo(log.writable).catch(() => {});
    hideTimeoutNegativeWarning();
    const kafka = new Kafka({
      brokers: [broker],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    await waitFor(
      `private Kafka on ${broker}`,
      async () => {
        const admin = kafka.admin();
        try {
          await admin.connect();
          await admin.listTopics();
          return true;
        } finally {
          await admin.disconnect().catch(() => {});
        }
      },
      120_000,
      500,
    );
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined) return;
    running.kill("SIGTERM");
    const timer = setTimeout(() => {
      try {
        running.kill("SIGKILL");
      } catch {
        // gone
      }
    }, 30_000);
    await running.status;
    clearTimeout(timer);
  }

  try {
    await start();
  } catch (error) {
    await stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
  return {
    broker,
    stop,
    start,
    async remove() {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
