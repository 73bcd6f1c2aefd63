/**
 * examples/nginx.yaml as shipped (its names swapped for test-owned ones): its sample nginx log,
 * in a custom log_format, reaches `log` once per line, and status counts and latency count
 * exactly the lines of the file.
 */
import assert from "assert";
import {
  createTestPipeline,
  dropTestPipeline,
  runnerLog,
  spawnRunner,
} from "./_pipeline_support.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import { waitFor } from "./_support.ts";

Deno.test({
  name: "examples/nginx.yaml: the sample log into log, status counts and latency",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const test = await createTestPipeline();
    const example = await Deno.readTextFile(`${REPO_ROOT}/examples/nginx.yaml`);
    await Deno.writeTextFile(
      test.file,
      example
        .replace("keyspace: nginx_analytics", `keyspace: ${test.keyspace}`)
        .replace("consumer_group: nginx-analytics", `consumer_group: ${test.group}`)
        .replaceAll("NGINX_LOG.dlq", test.deadLetterTopic)
        .replaceAll("NGINX_LOG", test.topic) + "\nhttp:\n  listen: 127.0.0.1:0\n",
    );
    const lines = (await Deno.readTextFile(`${REPO_ROOT}/examples/nginx/access.log`))
      .trimEnd().split("\n");
    const statuses = new Map<string, number>();
    for (const line of lines) {
      const status = line.split('" ')[1]!.split(" ")[0]!;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const runner = spawnRunner(test, "runner");
    try {
      await waitFor("every line in log", async () => {
        const result = await test.cassandra.execute(`SELECT count(*) FROM ${test.keyspace}.log`)
          .catch(() => undefined);
        return Number(result?.rows[0]?.get("count") ?? 0) >= lines.length ? true : undefined;
      }, 180_000).catch(async (error) => {
        throw new Error(`${error.message}\n${await runnerLog(test, "runner")}`);
      });
      const counted = await test.cassandra.execute(`SELECT count(*) FROM ${test.keyspace}.log`);
      assert.equal(Number(counted.rows[0]!.get("count")), lines.length);

      const statusTotals = () =>
        test.cassandra.execute(`SELECT status, count FROM ${test.keyspace}.status_hourly`)
          .then((result) => {
            const totals = new Map<string, number>();
            for (const row of result.rows) {
              const status = String(row.get("status"));
              if (status.endsWith("xx")) continue; // the class rows (2xx...) repeat the codes
              totals.set(status, (totals.get(status) ?? 0) + Number(row.get("count")));
            }
            return totals;
          });
      await waitFor("status counts of every line", async () => {
        const totals = await statusTotals().catch(() => undefined);
        return totals !== undefined && [...totals.values()].reduce((a, b) => a + b, 0) ===
            lines.length
          ? true
          : undefined;
      }, 60_000);
      assert.deepEqual(await statusTotals(), statuses);

      await waitFor("latency of every line", async () => {
        const result = await test.cassandra.execute(
          `SELECT page, requests FROM ${test.keyspace}.latency_5m`,
        ).catch(() => undefined);
        const requests = (result?.rows ?? []).filter((row) => row.get("page") === "*")
          .reduce((sum, row) => sum + Number(row.get("requests")), 0);
        return requests === lines.length ? true : undefined;
      }, 60_000);
    } finally {
      runner.kill("SIGTERM");
      await runner.status;
      await dropTestPipeline(test);
    }
  },
});
