import assert from "assert";
import { writeFixturePlugins } from "./_fixture_plugins.ts";
import {
  describeOptions,
  describePlugin,
  describePluginMarkdown,
  listPlugins,
  type PluginLoadFailure,
} from "./plugins_catalog.ts";
import { pathToFileURL } from "node:url";

Deno.test("listPlugins loads the built-in plugins", async () => {
  const plugins = await listPlugins();
  const names = plugins.map((plugin) => plugin.name);
  assert.ok(
    names.includes("top_pages") && names.includes("status_counts") && names.includes("filter"),
  );
  const kinds = plugins.map((plugin) => plugin.kind);
  assert.deepEqual(kinds, [...kinds].sort((a, b) => order(a) - order(b)));
});

Deno.test("listPlugins reports modules that fail and carries on", async () => {
  const dir = pathToFileURL(`${await writeFixturePlugins()}/`);
  const failures: PluginLoadFailure[] = [];
  const plugins = await listPlugins(dir, (failure) => failures.push(failure));
  assert.deepEqual(plugins.map((plugin) => plugin.name), [
    "fixture_source",
    "top_referrers",
    "fixture_table_sink",
    "fixture_topic_sink",
  ]);
  assert.deepEqual(failures.map((failure) => failure.module), [
    "sinks/not_a_plugin.ts",
    "sources/broken.ts",
  ]);
  assert.match(failures[1]?.message ?? "", /boom at import/);
});

Deno.test("options are documented from the zod schema", async () => {
  const topPages = (await listPlugins()).find((plugin) => plugin.name === "top_pages");
  assert.ok(topPages);
  const options = describeOptions(topPages);
  assert.deepEqual(options.find((option) => option.name === "n"), {
    name: "n",
    type: "integer 1..1000",
    required: false,
    default: "10",
    description: "How many pages to keep per window.",
    example: "10",
  });
  const text = describePlugin(topPages);
  assert.match(text, /^top_pages \(aggregation\)\n {2}The N most visited pages/);
  assert.match(text, /strip_query: boolean, default true/);
  assert.match(text, /example:\n {4}plugin: top_pages\n {4}window: 1d/);
  const markdown = describePluginMarkdown(topPages);
  assert.match(markdown, /^### `top_pages` \(aggregation\)/);
  assert.match(markdown, /\| `statuses` \| list of "1xx" \\\| "2xx"/);
});

function order(kind: string): number {
  return ["source", "transform", "aggregation", "sink", "notifier"].indexOf(kind);
}
