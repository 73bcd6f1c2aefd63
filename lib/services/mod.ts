/**
 * `deno task services up|down|status|logs`, and `ensureServices()` for the run and test tasks:
 * Kafka and Cassandra from compose.yaml when Docker works, natively on Java otherwise; and, when
 * asked for (a pipeline with a postgres sink, the tests), PostgreSQL natively from npm
 * (`postgres_native.ts`).
 *
 * @module
 */
import { cassandraServer } from "./cassandra_native.ts";
import { compose, composeAvailable } from "./compose.ts";
import { kafkaServer } from "./kafka_native.ts";
import type { NativeServer } from "./native.ts";
import {
  checkJavaTools,
  dataDirOf,
  logFileOf,
  runningPid,
  ServicesError,
  startServer,
  stopServer,
  tailLog,
} from "./native.ts";
import { probeCassandra, probeKafka, probePostgres } from "./probe.ts";
import { allLocal, cassandraContactPoints, databaseUrl, kafkaBrokers } from "./settings.ts";
import {
  ensurePostgres,
  postgresDir,
  postgresLogFile,
  postgresPid,
  redactUrl,
  stopPostgres,
  tailPostgresLog,
} from "./postgres_native.ts";
import {
  type ClusterPorts,
  type ClusterServers,
  clusterServers,
  DEFAULT_CLUSTER_PORTS,
  localClusterId,
} from "./cluster.ts";

export { ServicesError } from "./native.ts";
export { type ClusterPorts, DEFAULT_CLUSTER_PORTS } from "./cluster.ts";

const NATIVE_SERVERS: NativeServer[] = [kafkaServer, cassandraServer];

/** Every node a local cluster may have started (only their names and pid files matter here). */
function clusterNodes(): NativeServer[] {
  const cluster = clusterServers(3, DEFAULT_CLUSTER_PORTS, "unused");
  return [...cluster.kafka, ...cluster.cassandra];
}

/** Options for bringing services up. */
export interface UpOptions {
  /** Give up waiting for readiness after this many ms (default 240 s). */
  timeoutMs?: number;
  /** Where progress lines go (default stderr). */
  log?: (line: string) => void;
  /** Kafka addresses to check (default `KAFKA_BROKERS` or 127.0.0.1:9092). */
  kafkaBrokers?: string[];
  /** Cassandra addresses to check (default `CASSANDRA_CONTACT_POINTS` or 127.0.0.1:9042). */
  cassandraContactPoints?: string[];
  /**
   * PostgreSQL URLs to check (a pipeline's postgres sinks); a local one is started when a URL
   * names 127.0.0.1:5432 and nothing answers. Default: none, PostgreSQL is not needed.
   */
  postgresUrls?: string[];
}

/** Whether each service answers on its configured address. */
async function servicesAnswer(
  brokers: string[] = kafkaBrokers(),
  contactPoints: string[] = cassandraContactPoints(),
): Promise<{ kafka: boolean; cassandra: boolean }> {
  const [kafka, cassandra] = await Promise.all([
    probeKafka(brokers),
    probeCassandra(contactPoints),
  ]);
  return { kafka: kafka.ok, cassandra: cassandra.ok };
}

/**
 * Makes sure Kafka and Cassandra answer on their configured addresses, starting local ones when
 * nothing answers. Does nothing when both already answer.
 */
export async function ensureServices(options: UpOptions = {}): Promise<void> {
  const log = options.log ?? logToStderr;
  const brokers = options.kafkaBrokers ?? kafkaBrokers();
  const contactPoints = options.cassandraContactPoints ?? cassandraContactPoints();
  const answering = await servicesAnswer(brokers, contactPoints);
  if (answering.kafka && answering.cassandra) {
    await ensurePostgres(options.postgresUrls ?? [], log, options.timeoutMs);
    return;
  }
  const missing = [
    ...(answering.kafka ? [] : [`Kafka at ${brokers.join(",")}`]),
    ...(answering.cassandra ? [] : [`Cassandra at ${contactPoints.join(",")}`]),
  ];
  if (!allLocal([...brokers, ...contactPoints])) {
    throw new ServicesError(
      `${missing.join(" and ")} did not answer. These addresses are not on this machine, so ` +
        "nothing is started for you: check the servers, or unset KAFKA_BROKERS and " +
        "CASSANDRA_CONTACT_POINTS to use local ones.",
    );
  }
  log(`${missing.join(" and ")} did not answer; starting local services.`);
  await servicesUp(options);
}

/**
 * Starts whatever is not answering and waits until both answer (PostgreSQL too, for each of
 * `options.postgresUrls`).
 */
export async function servicesUp(options: UpOptions = {}): Promise<void> {
  const log = options.log ?? logToStderr;
  const timeoutMs = options.timeoutMs ?? 240_000;
  const answering = await servicesAnswer();
  if (answering.kafka && answering.cassandra) {
    const postgresUrls = options.postgresUrls ?? [];
    log(
      `Kafka and Cassandra already answer${postgresUrls.length === 0 ? "; nothing to start" : ""}.`,
    );
    await ensurePostgres(postgresUrls, log, timeoutMs);
    return;
  }
  if (await composeAvailable()) {
    log("Docker answers: starting services from compose.yaml");
    if (!await compose(["up", "-d"])) {
      throw new ServicesError("`docker compose up -d` failed; see its output above.");
    }
    await waitUntilReady(
      timeoutMs,
      log,
      (name) => Promise.resolve(`see \`docker compose logs --tail 20 ${name}\``),
    );
    await ensurePostgres(options.postgresUrls ?? [], log, timeoutMs);
    return;
  }
  await checkJavaTools();
  const toStart = NATIVE_SERVERS.filter((server) =>
    server.name === "kafka" ? !answering.kafka : !answering.cassandra
  );
  for (const server of toStart) {
    const pid = await startServer(server, log);
    log(`started ${server.name} ${server.version} natively (pid ${pid}, log ${logFileOf(server)})`);
  }
  await waitUntilReady(timeoutMs, log, async (name) => {
    const server = NATIVE_SERVERS.find((candidate) => candidate.name === name);
    if (server === undefined) return "";
    const alive = await runningPid(server) !== undefined;
    return `${alive ? "" : `${name} exited. `}Last lines of ${logFileOf(server)}:\n${await tailLog(
      server,
      25,
    )}`;
  });
  await ensurePostgres(options.postgresUrls ?? [], log, timeoutMs);
}

/** Options of {@linkcode clusterUp}. */
export interface ClusterUpOptions {
  /** Nodes of each service (3). */
  nodes: number;
  /** Ports every node binds on its own address (127.0.0.1, 127.0.0.2, ...). */
  ports: ClusterPorts;
  /** Give up waiting for one node after this many ms. */
  timeoutMs: number;
  /** Where progress lines go (default stderr). */
  log?: (line: string) => void;
  /** Prefix of the nodes' folder names (default none: `kafka-1`, `cassandra-1`, ...). */
  prefix?: string;
}

/**
 * Starts a local cluster natively: every Kafka broker at once (their controllers form a quorum),
 * then the Cassandra nodes one after another (a node joins only once the previous one answers).
 * Nodes already running are left alone.
 *
 * @param options Nodes, ports, timeout.
 * @returns The cluster's servers.
 * @throws {ServicesError} When Java or Maven is missing, a port is taken, or a node does not
 *   answer in time (with its last log lines).
 */
export async function clusterUp(options: ClusterUpOptions): Promise<ClusterServers> {
  const log = options.log ?? logToStderr;
  await checkJavaTools();
  const cluster = clusterServers(
    options.nodes,
    options.ports,
    await localClusterId(options.prefix ?? ""),
    options.prefix ?? "",
  );
  for (const server of cluster.kafka) await startUnlessRunning(server, log);
  for (const server of cluster.kafka) await waitForNode(server, options.timeoutMs, log);
  for (const server of cluster.cassandra) {
    await startUnlessRunning(server, log);
    await waitForNode(server, options.timeoutMs, log);
  }
  return cluster;
}

async function startUnlessRunning(server: NativeServer, log: (line: string) => void) {
  const running = await runningPid(server);
  if (running !== undefined) {
    log(`${server.name} already runs (pid ${running})`);
    return;
  }
  const pid = await startServer(server, log);
  log(`started ${server.name} on ${server.host} (pid ${pid}, log ${logFileOf(server)})`);
}

async function waitForNode(server: NativeServer, timeoutMs: number, log: (line: string) => void) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await server.probe();
    if (probe.ok) {
      log(`${server.name} on ${server.host} answers (${probe.detail})`);
      return;
    }
    if (Date.now() > deadline || await runningPid(server) === undefined) {
      throw new ServicesError(
        `${server.name} on ${server.host} did not answer (${probe.error}). Last lines of ` +
          `${logFileOf(server)}:\n${await tailLog(server, 25)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Stops the native servers this project started, cluster nodes included (never anything else). */
export async function servicesDown(log: (line: string) => void = logToStderr): Promise<void> {
  let stopped = 0;
  for (const server of clusterNodes().reverse()) {
    const pid = await stopServer(server);
    if (pid !== undefined) {
      log(`stopped ${server.name} (pid ${pid})`);
      stopped++;
    }
  }
  const postgres = await stopPostgres();
  if (postgres !== undefined) {
    log(`stopped postgres (pid ${postgres})`);
    stopped++;
  }
  if (await composeAvailable()) {
    await compose(["down"]);
    return;
  }
  for (const server of [...NATIVE_SERVERS].reverse()) {
    const pid = await stopServer(server);
    if (pid !== undefined) {
      log(`stopped ${server.name} (pid ${pid})`);
      stopped++;
    }
  }
  if (stopped === 0) log("no service started by this project is running; nothing to stop.");
}

/** Prints what runs where. */
export async function servicesStatus(log: (line: string) => void = console.log): Promise<void> {
  const [kafka, cassandra] = await Promise.all([
    probeKafka(kafkaBrokers()),
    probeCassandra(cassandraContactPoints()),
  ]);
  const docker = await composeAvailable();
  log(`mode:      ${docker ? "docker compose (compose.yaml)" : "native Java (no Docker engine)"}`);
  for (
    const [server, probe, address] of [
      [kafkaServer, kafka, kafkaBrokers().join(",")],
      [cassandraServer, cassandra, cassandraContactPoints().join(",")],
    ] as const
  ) {
    const pid = docker ? undefined : await runningPid(server);
    const state = probe.ok ? `answers (${probe.detail})` : `does not answer (${probe.error})`;
    const owner = pid !== undefined
      ? `started by this project, pid ${pid}, data ${dataDirOf(server)}`
      : probe.ok
      ? "not started by this project"
      : "not running";
    log(`${server.name.padEnd(10)} ${address}: ${state}; ${owner}`);
  }
  const postgres = await probePostgres(databaseUrl());
  const postgresOwner = await postgresPid();
  log(
    `${"postgres".padEnd(10)} ${redactUrl(databaseUrl())}: ${
      postgres.ok ? `answers (${postgres.detail})` : `does not answer (${postgres.error})`
    }; ${
      postgresOwner !== undefined
        ? `started by this project, pid ${postgresOwner}, data ${postgresDir()}`
        : postgres.ok
        ? "not started by this project"
        : "not running"
    }`,
  );
  for (const server of clusterNodes()) {
    const pid = await runningPid(server);
    if (pid !== undefined) {
      log(
        `${server.name.padEnd(12)} ${server.host}: cluster node, pid ${pid}, data ${
          dataDirOf(server)
        }`,
      );
    }
  }
}

/** Prints the last lines of each service's log. */
export async function servicesLogs(lines = 40, log: (line: string) => void = console.log) {
  if (await composeAvailable()) {
    await compose(["logs", "--tail", String(lines)]);
    return;
  }
  for (const server of NATIVE_SERVERS) {
    log(`==> ${logFileOf(server)} <==`);
    log(await tailLog(server, lines));
  }
  if (await postgresPid() !== undefined) {
    log(`==> ${postgresLogFile()} <==`);
    log(await tailPostgresLog(lines));
  }
}

async function waitUntilReady(
  timeoutMs: number,
  log: (line: string) => void,
  diagnose: (name: string) => Promise<string>,
): Promise<void> {
  const started = Date.now();
  const ready = { kafka: false, cassandra: false };
  const tty = Deno.stderr.isTerminal();
  let lastPrinted = 0;
  while (!(ready.kafka && ready.cassandra)) {
    const elapsed = Date.now() - started;
    if (elapsed > timeoutMs) {
      if (tty) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
      const waiting = Object.entries(ready).filter(([, ok]) => !ok).map(([name]) => name);
      const details = await Promise.all(waiting.map(diagnose));
      throw new ServicesError(
        `${waiting.join(" and ")} did not become ready within ${timeoutMs / 1000} s.\n` +
          `${details.join("\n")}\nFix the cause above, then run \`deno task services up\` again.`,
      );
    }
    if (!ready.kafka) ready.kafka = (await probeKafka(kafkaBrokers())).ok;
    if (!ready.cassandra) ready.cassandra = (await probeCassandra(cassandraContactPoints())).ok;
    const line = `waiting for services: kafka ${ready.kafka ? "ready" : "starting"}, ` +
      `cassandra ${ready.cassandra ? "ready" : "starting"} (${Math.round(elapsed / 1000)} s of ` +
      `${timeoutMs / 1000} s)`;
    if (tty) {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}\x1b[K`));
    } else if (elapsed - lastPrinted >= 10_000 || (ready.kafka && ready.cassandra)) {
      log(line);
      lastPrinted = elapsed;
    }
    if (!(ready.kafka && ready.cassandra)) await new Promise((r) => setTimeout(r, 1000));
  }
  if (tty) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
  log(`Kafka and Cassandra are ready (${Math.round((Date.now() - started) / 1000)} s).`);
}

function logToStderr(line: string): void {
  console.error(line);
}
