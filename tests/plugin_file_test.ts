import assert from "assert";
import { loadPipeline } from "../lib/config/load.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import {
  createTestPipeline,
  dropTestPipeline,
  produceEvents,
  runRealtimeUntilCommitted,
  testStream,
  topN,
} from "./_pipeline_support.ts";

/** The README's "Writing a plugin" example, exactly as documented. */
async function readmeExample(): Promise<string> {
  const readme = await Deno.readTextFile(`${REPO_ROOT}/README.md`);
  const match = /in `my_plugins\/top_referrers\.ts`:\n\n```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, "README.md has the top_referrers example");
  return match[1]!.replace('"../lib/sdk/mod.ts"', `"${REPO_ROOT}/lib/sdk/mod.ts"`);
}

Deno.test("a new aggregation is one file: the README example runs end to end", async () => {
  const test = await createTestPipeline();
  const dir = test.file.replace(/\/pipeline\.yaml$/, "");
  try {
    await Deno.mkdir(`${dir}/my_plugins`);
    await Deno.writeTextFile(`${dir}/my_plugins/top_referrers.ts`, await readmeExample());
    await Deno.writeTextFile(
      test.file,
      (await Deno.readTextFile(test.file))
        .replace(
          "aggregations:\n",
          "aggregations:\n  - name: referrers_daily\n    plugin: ./my_plugins/top_referrers.ts\n" +
            "    source: rawlog\n    sinks: [referrers]\n",
        )
        .replace(
          "sinks:\n",
          "sinks:\n  - name: referrers\n    plugin: cassandra\n    options: { table: referrers }\n",
        ),
    );
    const events = testStream(5_000, 5);
    await produceEvents(test.kafka, test.topic, events);
    const pipeline = await loadPipeline(test.file);
    assert.equal(pipeline.aggregations[0]?.plugin.name, "top_referrers");
    await runRealtimeUntilCommitted(test, events.length);

    const byDay = new Map<string, Map<string, number>>();
    for (const { record } of events) {
      if (record === undefined || record.http_referrer === "-") continue;
      const day = new Date(record.timestamp).toISOString().slice(0, 10);
      const counts = byDay.get(day) ?? new Map<string, number>();
      counts.set(record.http_referrer, (counts.get(record.http_referrer) ?? 0) + 1);
      byDay.set(day, counts);
    }
    for (const [day, counts] of byDay) {
      const rows = await test.cassandra.execute(
        `SELECT referrer, visits FROM ${test.keyspace}.referrers WHERE date = ?`,
        [day],
        { prepare: true },
      );
      const got = rows.rows.map((row) => [row.get("referrer"), Number(row.get("visits"))])
        .sort((a, b) => Number(b[1]) - Number(a[1]) || (String(a[0]) < String(b[0]) ? -1 : 1));
      assert.deepEqual(got, topN(counts, 5), `top referrers of ${day}`);
    }
  } finally {
    await dropTestPipeline(test);
  }
});
