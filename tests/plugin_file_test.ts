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

const GUIDE = "docs/writing-plugins.md";

/** A code block of the plugin guide's complete example, exactly as documented. */
async function guideBlock(file: string): Promise<string> {
  const guide = await Deno.readTextFile(`${REPO_ROOT}/${GUIDE}`);
  const match = new RegExp(`\`my_plugins/${file}\`[^\n]*:\n\n\`\`\`ts\n([\\s\\S]*?)\`\`\``)
    .exec(guide);
  assert.ok(match, `${GUIDE} has the ${file} example`);
  return match[1]!.replace('"../lib/sdk/mod.ts"', `"${REPO_ROOT}/lib/sdk/mod.ts"`);
}

Deno.test("the plugin guide's example's own test passes (the aggregation laws)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "guide-plugin-" });
  try {
    await Deno.writeTextFile(`${dir}/top_referrers.ts`, await guideBlock("top_referrers.ts"));
    await Deno.writeTextFile(
      `${dir}/top_referrers_test.ts`,
      await guideBlock("top_referrers_test.ts"),
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--allow-all", "--config", `${REPO_ROOT}/deno.json`, dir],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    assert.ok(run.success, output);
    assert.match(output, /1 passed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a new aggregation is one file: the plugin guide's example runs end to end", async () => {
  const test = await createTestPipeline();
  const dir = test.file.replace(/\/pipeline\.yaml$/, "");
  try {
    await Deno.mkdir(`${dir}/my_plugins`);
    await Deno.writeTextFile(
      `${dir}/my_plugins/top_referrers.ts`,
      await guideBlock("top_referrers.ts"),
    );
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
      if (record?.http_referrer === undefined || record.http_referrer === "-") continue;
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
