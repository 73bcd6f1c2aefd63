/**
 * The chaos job's own Kafka and Cassandra (one node each, or a three-node cluster of each):
 * native, on free ports, with data under `.services/chaos-*` (git-ignored), started from the
 * jars `deno task services` fetched. Every
 * fault the job injects hits these, never a shared or user's server; `stop()` ends exactly the
 * processes they run as (by their pid files) and removes their data.
 *
 * @module
 */
import { cassandraNode } from "../lib/services/cassandra_native.ts";
import { kafkaNode, randomClusterId } from "../lib/services/kafka_native.ts";
import { clusterServers } from "../lib/services/cluster.ts";
import {
  checkJavaTools,
  dataDirOf,
  logFileOf,
  type NativeServer,
  runningPid,
  startServer,
  stopServer,
  tailLog,
} from "../lib/services/native.ts";

/** One private server and the faults that can be done to it. */
export interface PrivateServer {
  /** Its name, e.g. `chaos-kafka` or `chaos-cassandra-2`. */
  name: string;
  /** `kafka` or `cassandra`. */
  product: string;
  /** Its address, `127.0.0.1:port`. */
  address: string;
  /** Stops it (SIGTERM, SIGKILL after the grace) and starts it again on the same data. */
  restart(): Promise<void>;
  /** Freezes it with SIGSTOP. */
  freeze(): Promise<void>;
  /** Resumes it with SIGCONT. */
  thaw(): Promise<void>;
  /** Resolves when it answers its protocol (not merely accepts TCP). */
  waitUntilReady(timeoutMs: number): Promise<void>;
}

/** The chaos job's private services. */
export interface PrivateServices {
  /** Its Kafka brokers (one, or three in cluster mode). */
  kafka: PrivateServer[];
  /** Its Cassandra nodes (one, or three in cluster mode). */
  cassandra: PrivateServer[];
  /** Every broker's address. */
  brokers: string[];
  /** Every Cassandra node's address. */
  contactPoints: string[];
  /** Stops both (by pid) and removes their data. */
  stop(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function privateServer(server: NativeServer, address: string, log: (line: string) => void) {
  const pid = async () => {
    const found = await runningPid(server);
    if (found === undefined) throw new Error(`${server.name} is not running`);
    return found;
  };
  const self: PrivateServer = {
    name: server.name,
    product: server.product,
    address,
    async restart() {
      await stopServer(server, 30_000);
      await startServer(server, log);
    },
    async freeze() {
      Deno.kill(await pid(), "SIGSTOP");
    },
    async thaw() {
      Deno.kill(await pid(), "SIGCONT");
    },
    async waitUntilReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const probe = await server.probe();
        if (probe.ok) return;
        if (Date.now() > deadline || await runningPid(server) === undefined) {
          throw new Error(
            `private ${server.product} at ${address} did not answer (${probe.error}). Its log:\n` +
              await tailLog(server, 20),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
  return self;
}

/**
 * Starts a private Kafka and Cassandra on free ports and waits until every node answers: one
 * node of each, or (`nodes` 3) a cluster of three brokers and three Cassandra nodes on
 * 127.0.0.1-3, as `deno task services up --nodes 3` starts it.
 *
 * @param log Progress lines.
 * @param label Names their folders and process markers (`<label>-kafka`, `<label>-kafka-1`...).
 * @param nodes Nodes of each service: 1 or 3.
 * @param logDir Where each server's log is copied when they stop (`<server>.log`), so a failed
 *   run can be read afterwards; none when undefined.
 * @returns The running services.
 * @throws {Error} When Java or Maven is missing, or a server does not come up within 4 minutes.
 */
export async function startPrivateServices(
  log: (line: string) => void,
  label = "chaos",
  nodes = 1,
  logDir?: string,
): Promise<PrivateServices> {
  await checkJavaTools();
  const cluster = nodes === 1
    ? {
      kafka: [kafkaNode({
        name: `${label}-kafka`,
        port: freePort(),
        controllerPort: freePort(),
        partitions: 6,
      })],
      cassandra: [cassandraNode({
        name: `${label}-cassandra`,
        port: freePort(),
        storagePort: freePort(),
        heap: "768M",
      })],
    }
    : clusterServers(
      nodes,
      { kafka: freePort(), controller: freePort(), cassandra: freePort(), storage: freePort() },
      randomClusterId(),
      `${label}-`,
    );
  const servers = [...cluster.kafka, ...cluster.cassandra];
  const wrap = (server: NativeServer) =>
    privateServer(server, `${server.host ?? "127.0.0.1"}:${server.ports[0]}`, log);
  const kafka = cluster.kafka.map(wrap);
  const cassandra = cluster.cassandra.map(wrap);
  async function stop(): Promise<void> {
    for (const server of [...servers].reverse()) {
      const pid = await runningPid(server);
      // A frozen server ignores SIGTERM until resumed.
      if (pid !== undefined) Deno.kill(pid, "SIGCONT");
      await stopServer(server, 20_000);
      if (logDir !== undefined) {
        await Deno.copyFile(logFileOf(server), `${logDir}/${server.name}.log`).catch(() => {});
      }
      await Deno.remove(dataDirOf(server), { recursive: true }).catch(() => {});
    }
  }
  try {
    for (const server of servers) {
      // Left over from an interrupted run: ours (by marker), so stop it and start afresh.
      await stopServer(server, 10_000);
      await Deno.remove(dataDirOf(server), { recursive: true }).catch(() => {});
    }
    // Brokers all at once (their controllers form a quorum); Cassandra nodes one at a time.
    for (const server of cluster.kafka) await startLogged(server);
    await Promise.all(kafka.map((node) => node.waitUntilReady(240_000)));
    for (const [i, server] of cluster.cassandra.entries()) {
      await startLogged(server);
      await cassandra[i]!.waitUntilReady(240_000);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kafka,
    cassandra,
    brokers: kafka.map((node) => node.address),
    contactPoints: cassandra.map((node) => node.address),
    stop,
  };

  async function startLogged(server: NativeServer): Promise<void> {
    const pid = await startServer(server, log);
    log(`started private ${server.name} on ${server.host} (pid ${pid}, data ${dataDirOf(server)})`);
  }
}
