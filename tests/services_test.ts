import assert from "assert";
import { servicesUp } from "../lib/services/mod.ts";
import { probeCassandra, probeKafka, probePostgres } from "../lib/services/probe.ts";
import { cassandraContactPoints, databaseUrl, kafkaBrokers } from "../lib/services/settings.ts";

Deno.test("services up is idempotent: with both answering, it starts nothing", async () => {
  const lines: string[] = [];
  await servicesUp({ log: (line) => lines.push(line) });
  await servicesUp({ log: (line) => lines.push(line) });
  assert.deepEqual(lines, [
    "Kafka and Cassandra already answer; nothing to start.",
    "Kafka and Cassandra already answer; nothing to start.",
  ]);
  assert.ok((await probeKafka(kafkaBrokers())).ok);
  assert.ok((await probeCassandra(cassandraContactPoints())).ok);
});

Deno.test("probes report a clear failure for an address where nothing listens", async () => {
  const kafka = await probeKafka(["127.0.0.1:1"]);
  assert.equal(kafka.ok, false);
  const cassandra = await probeCassandra(["127.0.0.1:1"]);
  assert.equal(cassandra.ok, false);
});

Deno.test("services up with a PostgreSQL URL leaves it answering, and starts nothing when it answers", async () => {
  const lines: string[] = [];
  const url = databaseUrl();
  await servicesUp({ log: (line) => lines.push(line), postgresUrls: [url] });
  assert.equal(lines[0], "Kafka and Cassandra already answer.");
  assert.ok((await probePostgres(url)).ok);
  lines.length = 0;
  await servicesUp({ log: (line) => lines.push(line), postgresUrls: [url] });
  assert.deepEqual(lines, ["Kafka and Cassandra already answer."]);
});
