/**
 * examples/warehouse.yaml: valid, and its postgres sink takes every shipped aggregation (each
 * result shape makes a table in a real PostgreSQL).
 */
import assert from "assert";
import { loadPipeline } from "../lib/config/load.ts";
import { listPlugins } from "../lib/config/plugins_catalog.ts";
import type { RuntimeContext } from "../lib/contracts.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import { createTestDatabase } from "./_postgres_support.ts";

Deno.test("examples/warehouse.yaml runs every shipped aggregation into PostgreSQL", async () => {
  const db = await createTestDatabase();
  try {
    const pipeline = await loadPipeline(`${REPO_ROOT}/examples/warehouse.yaml`, {
      ...Deno.env.toObject(),
      DATABASE_URL: db.url,
    });
    const shipped = (await listPlugins()).filter((plugin) => plugin.kind === "aggregation")
      .map((plugin) => plugin.name).sort();
    assert.deepEqual(
      [...new Set(pipeline.aggregations.map((entry) => entry.plugin.name))].sort(),
      shipped,
      "every shipped aggregation plugin",
    );
    const warehouse = pipeline.sinks.find((entry) => entry.plugin.name === "postgres")!;
    assert.deepEqual(warehouse.plugin.postgresUrls!(warehouse.options), [db.url]);
    const sink = await warehouse.plugin.open(warehouse.options, {
      log: () => {},
    } as unknown as RuntimeContext);
    try {
      await sink.prepare(pipeline.aggregations.map((entry) => ({
        aggregation: entry.name,
        window: entry.window,
        shape: entry.aggregation.shape,
      })));
    } finally {
      await sink.close();
    }
    const tables = await db.client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'warehouse' " +
        "AND table_name NOT LIKE 'events\\_%' ORDER BY 1",
    );
    assert.deepEqual(
      tables.rows.map((row) => row.table_name),
      [
        "events",
        ...pipeline.aggregations.flatMap((entry) => [entry.name, `${entry.name}_windows`]),
      ].sort(),
    );
    assert.ok(pipeline.sinks.some((entry) => entry.plugin.name === "archive"), "and Parquet");
  } finally {
    await db.drop();
  }
});
