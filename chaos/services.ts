/**
 * The chaos job's own Kafka broker and Cassandra node: native, on free ports, with data under
 * `.services/chaos-*` (git-ignored), started from the jars `deno task services` fetched. Every
 * fault the job injects hits these, never a shared or user's server; `stop()` ends exactly the
 * processes they run as (by their pid files) and removes their data.
 *
 * @module
 */
import { cassandraNode } from "../lib/services/cassandra_native.ts";
import { kafkaNode } from "../lib/services/kafka_native.ts";
import {
  checkJavaTools,
  dataDirOf,
  type NativeServer,
  runningPid,
  startServer,
  stopServer,
  tailLog,
} from "../lib/services/native.ts";

/** One private server and the faults that can be done to it. */
export interface PrivateServer {
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
  /** Its Kafka broker. */
  kafka: PrivateServer;
  /** Its Cassandra node. */
  cassandra: PrivateServer;
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
 * Starts a private Kafka broker and Cassandra node on free ports and waits until both answer.
 *
 * @param log Progress lines.
 * @param label Names their folders and process markers (`<label>-kafka`, `<label>-cassandra`).
 * @returns The running services.
 * @throws {Error} When Java or Maven is missing, or a server does not come up within 4 minutes.
 */
export async function startPrivateServices(
  log: (line: string) => void,
  label = "chaos",
): Promise<PrivateServices> {
  await checkJavaTools();
  const kafkaPort = freePort();
  const cassandraPort = freePort();
  const kafkaServer = kafkaNode({
    name: `${label}-kafka`,
    port: kafkaPort,
    controllerPort: freePort(),
    partitions: 6,
  });
  const cassandraServer = cassandraNode({
    name: `${label}-cassandra`,
    port: cassandraPort,
    storagePort: freePort(),
    heap: "768M",
  });
  const servers = [kafkaServer, cassandraServer];
  async function stop(): Promise<void> {
    for (const server of servers) {
      const pid = await runningPid(server);
      // A frozen server ignores SIGTERM until resumed.
      if (pid !== undefined) Deno.kill(pid, "SIGCONT");
      await stopServer(server, 20_000);
      await Deno.remove(dataDirOf(server), { recursive: true }).catch(() => {});
    }
  }
  const kafka = privateServer(kafkaServer, `127.0.0.1:${kafkaPort}`, log);
  const cassandra = privateServer(cassandraServer, `127.0.0.1:${cassandraPort}`, log);
  try {
    for (const server of servers) {
      // Left over from an interrupted run: ours (by marker), so stop it and start afresh.
      await stopServer(server, 10_000);
      await Deno.remove(dataDirOf(server), { recursive: true }).catch(() => {});
      const pid = await startServer(server, log);
      log(`started private ${server.product} (pid ${pid}, data ${dataDirOf(server)})`);
    }
    await Promise.all([kafka.waitUntilReady(240_000), cassandra.waitUntilReady(240_000)]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kafka, cassandra, stop };
}
