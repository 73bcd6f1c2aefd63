/**
 * Kafka in KRaft mode (one combined broker/controller node) run natively on Java: the dev
 * services' broker on the default ports, or a private one (the chaos job's) on others.
 *
 * @module
 */
import type { NativeServer } from "./native.ts";
import { exists } from "./native.ts";
import { probeKafka } from "./probe.ts";
import { KAFKA_CONTROLLER_PORT, KAFKA_PORT, KAFKA_VERSION } from "./settings.ts";

/** Where one native Kafka node listens. */
export interface KafkaNodeOptions {
  /** Folder and marker name, e.g. `kafka` or `chaos-kafka`. */
  name: string;
  /** Client port on 127.0.0.1. */
  port: number;
  /** KRaft controller port on 127.0.0.1. */
  controllerPort: number;
  /** Partitions of topics created implicitly (default 6). */
  partitions?: number;
  /** Loopback address (default 127.0.0.1). */
  host?: string;
  /** Cluster membership; absent for a single node. */
  cluster?: KafkaClusterOptions;
}

/** How one node of a KRaft cluster (every node broker and controller) knows the others. */
export interface KafkaClusterOptions {
  /** This node's id, 1-based. */
  nodeId: number;
  /** Every controller, `id@host:port`. */
  voters: string[];
  /** Cluster id shared by every node (their storage is formatted with it). */
  clusterId: string;
  /** Replicas of each topic (default topic replication and internal topics). */
  replicationFactor: number;
  /** Replicas that must have a write before it is acknowledged with acks=all. */
  minInsyncReplicas: number;
}

/**
 * A native single-node Kafka (broker and controller in one process).
 *
 * @param options Its name and ports.
 * @returns The server description for `startServer` / `stopServer`.
 *
 * @example
 * ```ts
 * import { kafkaNode } from "./kafka_native.ts";
 * const node = kafkaNode({ name: "chaos-kafka", port: 19092, controllerPort: 19093 });
 * console.assert(node.ports.includes(19092));
 * ```
 */
export function kafkaNode(options: KafkaNodeOptions): NativeServer {
  const { port, controllerPort } = options;
  const host = options.host ?? "127.0.0.1";
  return {
    name: options.name,
    product: "kafka",
    host,
    version: KAFKA_VERSION,
    ports: [port, controllerPort],
    artifacts: [`org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`, "org.slf4j:slf4j-reload4j:1.7.36"],
    heap: "512m",
    async prepare(dataDir, jarDir) {
      await Deno.writeTextFile(
        `${dataDir}/server.properties`,
        serverProperties(dataDir, host, port, controllerPort, options),
      );
      await Deno.writeTextFile(`${dataDir}/log4j.properties`, LOG4J_PROPERTIES);
      if (await exists(`${dataDir}/data/meta.properties`)) return;
      const format = await new Deno.Command("java", {
        args: [
          "-cp",
          `${jarDir}/*`,
          `-Dlog4j.configuration=file:${dataDir}/log4j.properties`,
          "kafka.tools.StorageTool",
          "format",
          "--ignore-formatted",
          "-t",
          options.cluster?.clusterId ?? randomClusterId(),
          "-c",
          `${dataDir}/server.properties`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!format.success) {
        throw new Error(
          `formatting Kafka storage in ${dataDir}/data failed:\n${
            new TextDecoder().decode(format.stderr)
          }`,
        );
      }
    },
    javaArgs(dataDir, jarDir) {
      return [
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        `-Dlog4j.configuration=file:${dataDir}/log4j.properties`,
        "-cp",
        `${jarDir}/*`,
        "kafka.Kafka",
        `${dataDir}/server.properties`,
      ];
    },
    probe: () => probeKafka([`${host}:${port}`]),
  };
}

/** The native Kafka server of `deno task services`, on the default ports. */
export const kafkaServer: NativeServer = kafkaNode({
  name: "kafka",
  port: KAFKA_PORT,
  controllerPort: KAFKA_CONTROLLER_PORT,
});

function serverProperties(
  dataDir: string,
  host: string,
  port: number,
  controllerPort: number,
  options: KafkaNodeOptions,
): string {
  const cluster = options.cluster;
  const replicas = cluster?.replicationFactor ?? 1;
  return `# Written by deno task services; edits are overwritten on the next start.
process.roles=broker,controller
node.id=${cluster?.nodeId ?? 1}
controller.quorum.voters=${cluster?.voters.join(",") ?? `1@${host}:${controllerPort}`}
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}
advertised.listeners=PLAINTEXT://${host}:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}/data
num.partitions=${options.partitions ?? 6}
default.replication.factor=${replicas}
min.insync.replicas=${cluster?.minInsyncReplicas ?? 1}
offsets.topic.replication.factor=${replicas}
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${cluster?.minInsyncReplicas ?? 1}
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=168
`;
}

const LOG4J_PROPERTIES = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka=WARN
log4j.logger.kafka.server.KafkaConfig=WARN
log4j.logger.state.change.logger=WARN
`;

/** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with '-'. */
export function randomClusterId(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
    if (!id.startsWith("-")) return id;
  }
}
