/**
 * `deno task plugins [--markdown] [--update-readme]`: lists every plugin in plugins/ with its
 * options, from the plugins' own definitions. `--markdown` prints the README plugin reference
 * instead; `--update-readme` rewrites that reference inside README.md.
 *
 * @module
 */
import { parseArgs } from "cli";
import {
  describePlugin,
  listPlugins,
  type PluginLoadFailure,
  pluginReferenceMarkdown,
  withPluginReference,
} from "../lib/config/plugins_catalog.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    markdown: { type: "boolean", default: false },
    "update-readme": { type: "boolean", default: false },
  },
});

const failures: PluginLoadFailure[] = [];
const plugins = await listPlugins(undefined, (failure) => failures.push(failure));
if (values["update-readme"]) {
  const path = `${REPO_ROOT}/README.md`;
  await Deno.writeTextFile(
    path,
    withPluginReference(await Deno.readTextFile(path), pluginReferenceMarkdown(plugins)),
  );
  console.log(`updated the plugin reference in ${path}`);
} else if (values.markdown) {
  console.log(pluginReferenceMarkdown(plugins));
} else {
  for (const plugin of plugins) console.log(describePlugin(plugin));
}
for (const failure of failures) {
  console.error(`could not load plugins/${failure.module}: ${failure.message}`);
}
if (failures.length > 0) Deno.exitCode = 1;
