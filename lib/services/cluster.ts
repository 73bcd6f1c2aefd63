/**
 * A local three-node cluster for development: Kafka brokers (each also a KRaft controller,
 * replication factor 3, `min.insync.replicas` 2) and Cassandra nodes on 127.0.0.1, 127.0.0.2
 * and 127.0.0.3, each node on the same ports of its own loopback address.
 *
 * @module
 */
import { cassandraNode } from "./cassandra_native.ts";
import { kafkaNode, randomClusterId } from "./kafka_native.ts";
import type { NativeServer } from "./native.ts";
import { servicesDir } from "./settings.ts";

/** Ports every node of a local cluster binds on its own address. */
export interface ClusterPorts {
  /** Kafka client port. */
  kafka: number;
  /** Kafka KRaft controller port. */
  controller: number;
  /** Cassandra CQL port. */
  cassandra: number;
  /** Cassandra inter-node storage port. */
  storage: number;
}

/** The default ports: the single node's. */
export const DEFAULT_CLUSTER_PORTS: ClusterPorts = {
  kafka: 9092,
  controller: 9093,
  cassandra: 9042,
  storage: 7000,
};

/** The servers of a local cluster, started in this order. */
export interface ClusterServers {
  /** Kafka brokers, node 1 first. */
  kafka: NativeServer[];
  /** Cassandra nodes, the seed (node 1) first. */
  cassandra: NativeServer[];
}

/** Loopback address of cluster node `index` (1-based): 127.0.0.1, 127.0.0.2, ... */
export function nodeHost(index: number): string {
  return `127.0.0.${index}`;
}

/**
 * Describes the nodes of a local cluster (`kafka-1`, `cassandra-1`, ... under `.services`).
 *
 * @param nodes Nodes of each service (3 for a cluster).
 * @param ports Ports each node binds on its own address.
 * @param clusterId Kafka cluster id every broker's storage is formatted with.
 * @param prefix Prefix of the node names (the chaos job's private cluster: `chaos-`).
 * @returns The servers.
 *
 * @example
 * ```ts
 * import { clusterServers, DEFAULT_CLUSTER_PORTS } from "./cluster.ts";
 * const cluster = clusterServers(3, DEFAULT_CLUSTER_PORTS, "cHJpdmF0ZS1rYWZrYS10ZQ");
 * console.assert(cluster.cassandra[2]!.host === "127.0.0.3");
 * ```
 */
export function clusterServers(
  nodes: number,
  ports: ClusterPorts,
  clusterId: string,
  prefix = "",
): ClusterServers {
  const indexes = Array.from({ length: nodes }, (_, i) => i + 1);
  const voters = indexes.map((i) => `${i}@${nodeHost(i)}:${ports.controller}`);
  return {
    kafka: indexes.map((i) =>
      kafkaNode({
        name: `${prefix}kafka-${i}`,
        host: nodeHost(i),
        port: ports.kafka,
        controllerPort: ports.controller,
        cluster: {
          nodeId: i,
          voters,
          clusterId,
          replicationFactor: Math.min(3, nodes),
          minInsyncReplicas: Math.min(2, nodes),
        },
      })
    ),
    cassandra: indexes.map((i) =>
      cassandraNode({
        name: `${prefix}cassandra-${i}`,
        host: nodeHost(i),
        port: ports.cassandra,
        storagePort: ports.storage,
        heap: "768M",
        seeds: [`${nodeHost(1)}:${ports.storage}`],
      })
    ),
  };
}

/**
 * The Kafka cluster id of the local cluster: kept in `.services/<prefix>kafka-cluster.id` so
 * brokers formatted later (or again) join the same cluster.
 *
 * @param prefix Prefix of the node names.
 * @returns The id.
 */
export async function localClusterId(prefix = ""): Promise<string> {
  const file = `${servicesDir()}/${prefix}kafka-cluster.id`;
  try {
    return (await Deno.readTextFile(file)).trim();
  } catch {
    const id = randomClusterId();
    await Deno.mkdir(servicesDir(), { recursive: true });
    await Deno.writeTextFile(file, id);
    return id;
  }
}
