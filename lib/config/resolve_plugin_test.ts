import assert from "assert";
import { writeFixturePlugins } from "./_fixture_plugins.ts";
import { BUILTIN_PLUGINS_DIR, pluginModules, resolvePlugin } from "./resolve_plugin.ts";
import { pathToFileURL } from "node:url";

Deno.test("pluginModules skips helpers and tests, and looks in kind folders", async () => {
  const fixtures = await writeFixturePlugins();
  await Deno.copyFile(`${fixtures}/topic_sink.ts`, `${fixtures}/sinks/kafka.ts`);
  await Deno.writeTextFile(`${fixtures}/sinks/_helper.ts`, "export default 1;\n");
  await Deno.writeTextFile(`${fixtures}/sinks/kafka_test.ts`, "export default 1;\n");
  const dir = pathToFileURL(`${fixtures}/`);
  assert.deepEqual((await pluginModules(dir)).map((module) => module.path).sort(), [
    "aggregations/top_referrers.ts",
    "sinks/kafka.ts",
    "sinks/not_a_plugin.ts",
    "sinks/table_sink.ts",
    "sinks/topic_sink.ts",
    "sources/broken.ts",
    "sources/source.ts",
  ]);
  assert.equal(
    (await pluginModules(dir, "source")).some((m) => m.path === "sinks/kafka.ts"),
    false,
  );
  const builtIn = (await pluginModules(BUILTIN_PLUGINS_DIR)).map((module) => module.name);
  assert.ok(builtIn.includes("top_pages") && builtIn.includes("status_counts"));
  assert.deepEqual(await pluginModules(new URL("file:///nonexistent/dir/")), []);

  // Bare names look in the kind's folder first.
  const kafka = await resolvePlugin("kafka", "sink", dir, dir);
  assert.ok(kafka.ok && kafka.url.pathname.endsWith("/sinks/kafka.ts"));
  assert.deepEqual(await resolvePlugin("kafak", "sink", dir, dir), {
    ok: false,
    message: "unknown sink plugin 'kafak' (did you mean 'kafka'?)",
  });
  assert.deepEqual(await resolvePlugin("kafka", "source", dir, dir), {
    ok: false,
    message: "plugin 'kafka' is a sink plugin, but this section needs a source plugin",
  });
  assert.deepEqual(await resolvePlugin("kafks", "source", dir, dir), {
    ok: false,
    message: "unknown source plugin 'kafks'; available plugins: broken, source",
  });
});

Deno.test("resolvePlugin loads bare names and relative paths", async () => {
  const dir = pathToFileURL(`${await writeFixturePlugins()}/`);
  const bare = await resolvePlugin("top_pages", "aggregation", dir);
  assert.ok(bare.ok && bare.plugin.name === "top_pages");
  const relative = await resolvePlugin("./table_sink.ts", "sink", dir);
  assert.ok(relative.ok && relative.plugin.name === "fixture_table_sink");
  const wrongKind = await resolvePlugin("./table_sink.ts", "source", dir);
  assert.deepEqual(wrongKind, {
    ok: false,
    message: "plugin './table_sink.ts' is a sink plugin, but this section needs a source plugin",
  });
  const odd = await resolvePlugin("Top Pages", "aggregation", dir);
  assert.equal(odd.ok, false);
});
