/**
 * `deno task plugins [--markdown]`: lists every plugin in plugins/ with its options, from the
 * plugins' own definitions. `--markdown` prints the README plugin reference instead.
 *
 * @module
 */
import { parseArgs } from "cli";
import {
  describePlugin,
  describePluginMarkdown,
  listPlugins,
  type PluginLoadFailure,
} from "../lib/plugins_catalog.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { markdown: { type: "boolean", default: false } },
});

const failures: PluginLoadFailure[] = [];
const plugins = await listPlugins(undefined, (failure) => failures.push(failure));
const render = values.markdown ? describePluginMarkdown : describePlugin;
if (values.markdown) console.log("## Plugin reference\n");
for (const plugin of plugins) console.log(render(plugin));
for (const failure of failures) {
  console.error(`could not load plugins/${failure.module}: ${failure.message}`);
}
if (failures.length > 0) Deno.exitCode = 1;
