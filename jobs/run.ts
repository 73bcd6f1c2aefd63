/**
 * `deno task run`: starts Kafka and Cassandra if nothing answers, connects, and creates the
 * keyspace and core tables. (The pipeline runtime arrives with the pipeline issues.)
 *
 * @module
 */
import { applyCoreSchema, createCassandraClient } from "../lib/cassandra.ts";
import { ensureServices, ServicesError } from "../lib/services/mod.ts";
import { cassandraContactPoints } from "../lib/services/settings.ts";

try {
  await ensureServices();
} catch (error) {
  if (error instanceof ServicesError) {
    console.error(`run: ${error.message}`);
    Deno.exit(1);
  }
  throw error;
}
const settings = {
  contactPoints: cassandraContactPoints(),
  localDataCenter: "datacenter1",
  keyspace: "web_analytics",
  replication: { class: "SimpleStrategy", replication_factor: 1 } as const,
};
const client = createCassandraClient(settings);
await client.connect();
await applyCoreSchema(client, settings, "log");
await client.shutdown();
console.log("connected; keyspace web_analytics and its core tables exist.");
