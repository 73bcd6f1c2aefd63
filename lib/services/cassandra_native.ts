/**
 * A single Cassandra node run natively on Java 17 from `cassandra-all` and its dependencies
 * (Maven Central carries no binary tarball for the 5.0 releases).
 *
 * @module
 */
import type { NativeServer } from "./native.ts";
import { probeCassandra } from "./probe.ts";
import { CASSANDRA_PORT, CASSANDRA_STORAGE_PORT, CASSANDRA_VERSION } from "./settings.ts";

/** JVM module flags Cassandra needs on Java 17 (from its jvm17-server.options). */
const JAVA17_FLAGS = [
  "-Djdk.attach.allowAttachSelf=true",
  ...[
    "java.base/jdk.internal.misc",
    "java.management.rmi/com.sun.jmx.remote.internal.rmi",
    "java.rmi/sun.rmi.registry",
    "java.rmi/sun.rmi.server",
    "java.sql/java.sql",
    "java.base/java.lang.ref",
    "jdk.unsupported/sun.misc",
    "jdk.compiler/com.sun.tools.javac.file",
    "jdk.attach/sun.tools.attach",
  ].map((module) => `--add-exports=${module}=ALL-UNNAMED`),
  ...[
    "java.base/java.lang.module",
    "java.base/jdk.internal.loader",
    "java.base/jdk.internal.ref",
    "java.base/jdk.internal.reflect",
    "java.base/jdk.internal.math",
    "java.base/jdk.internal.module",
    "java.base/jdk.internal.util.jar",
    "jdk.management/com.sun.management.internal",
    "java.base/sun.nio.ch",
    "java.base/java.io",
    "java.base/java.lang.reflect",
    "java.base/java.lang",
    "java.base/java.util",
  ].map((module) => `--add-opens=${module}=ALL-UNNAMED`),
  "-Dio.netty.tryReflectionSetAccessible=true",
];

/** Where one native Cassandra node listens. */
export interface CassandraNodeOptions {
  /** Folder and marker name, e.g. `cassandra` or `chaos-cassandra`. */
  name: string;
  /** CQL native-protocol port on 127.0.0.1. */
  port: number;
  /** Inter-node storage port on 127.0.0.1. */
  storagePort: number;
  /** JVM heap (default 1G). */
  heap?: string;
  /** Loopback address (default 127.0.0.1); cluster nodes listen on 127.0.0.2, 127.0.0.3. */
  host?: string;
  /** Seed nodes, `host:storagePort` (default: this node alone). */
  seeds?: string[];
}

/**
 * A native single Cassandra node.
 *
 * @param options Its name, ports and heap.
 * @returns The server description for `startServer` / `stopServer`.
 *
 * @example
 * ```ts
 * import { cassandraNode } from "./cassandra_native.ts";
 * const node = cassandraNode({ name: "chaos-cassandra", port: 19042, storagePort: 17000 });
 * console.assert(node.ports.includes(19042));
 * ```
 */
export function cassandraNode(options: CassandraNodeOptions): NativeServer {
  const { port, storagePort } = options;
  const host = options.host ?? "127.0.0.1";
  const seeds = options.seeds ?? [`${host}:${storagePort}`];
  return {
    name: options.name,
    product: "cassandra",
    host,
    version: CASSANDRA_VERSION,
    ports: [port, storagePort],
    artifacts: [`org.apache.cassandra:cassandra-all:${CASSANDRA_VERSION}`],
    heap: options.heap ?? "2G",
    async prepare(dataDir) {
      await Deno.writeTextFile(
        `${dataDir}/cassandra.yaml`,
        cassandraYaml(dataDir, host, port, storagePort, seeds),
      );
      await Deno.writeTextFile(`${dataDir}/logback.xml`, LOGBACK_XML);
    },
    javaArgs(dataDir, jarDir) {
      return [
        "-Xss256k",
        "-XX:+UseG1GC",
        "-XX:+ParallelRefProcEnabled",
        "-XX:MaxGCPauseMillis=300",
        ...JAVA17_FLAGS,
        `-javaagent:${jarDir}/jamm-0.4.0.jar`,
        `-Dcassandra.config=file://${dataDir}/cassandra.yaml`,
        `-Dlogback.configurationFile=file://${dataDir}/logback.xml`,
        `-Dcassandra.storagedir=${dataDir}`,
        "-Dcassandra-foreground=yes",
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        "-Dcassandra.superuser_setup_delay_ms=0",
        // A node joining a cluster waits this long for gossip (default 30 s).
        "-Dcassandra.ring_delay_ms=5000",
        "-Djava.net.preferIPv4Stack=true",
        "-cp",
        `${jarDir}/*`,
        "org.apache.cassandra.service.CassandraDaemon",
      ];
    },
    probe: () => probeCassandra([`${host}:${port}`]),
  };
}

/** The native Cassandra server of `deno task services`, on the default ports. */
export const cassandraServer: NativeServer = cassandraNode({
  name: "cassandra",
  port: CASSANDRA_PORT,
  storagePort: CASSANDRA_STORAGE_PORT,
});

function cassandraYaml(
  dataDir: string,
  host: string,
  port: number,
  storagePort: number,
  seeds: string[],
): string {
  return `# Written by deno task services; edits are overwritten on the next start.
cluster_name: web-analytics-local
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
data_file_directories:
  - ${dataDir}/data
commitlog_directory: ${dataDir}/commitlog
saved_caches_directory: ${dataDir}/saved_caches
hints_directory: ${dataDir}/hints
cdc_raw_directory: ${dataDir}/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${seeds.join(",")}"
listen_address: ${host}
rpc_address: ${host}
storage_port: ${storagePort}
native_transport_port: ${port}
start_native_transport: true
endpoint_snitch: SimpleSnitch
# Three nodes sharing a small machine answer gossip late while one restarts; the default (8)
# then convicts live nodes and quorum queries fail for minutes ("only 1 alive").
phi_convict_threshold: 12
concurrent_reads: 16
concurrent_writes: 32
concurrent_compactors: 1
# Tests drop keyspaces often; snapshots on drop would only fill the disk.
auto_snapshot: false
batch_size_warn_threshold: 64KiB
batch_size_fail_threshold: 1024KiB
`;
}

const LOGBACK_XML = `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
`;
