/**
 * `deno task plugins [--markdown] [--update-docs]`: lists every plugin in plugins/ with its
 * options, from the plugins' own definitions. `--markdown` prints the plugin reference of
 * docs/plugins.md instead; `--update-docs` rewrites that reference inside docs/plugins.md.
 *
 * @module
 */
import { parseArgs } from "cli";
import {
  describePlugin,
  listPlugins,
  PLUGIN_REFERENCE_FILE,
  type PluginLoadFailure,
  pluginReferenceMarkdown,
  withPluginReference,
} from "../lib/config/plugins_catalog.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    markdown: { type: "boolean", default: false },
    "update-docs": { type: "boolean", default: false },
    // The reference lived in README.md until it moved to docs/plugins.md; the old flag still works.
    "update-readme": { type: "boolean", default: false },
  },
});

const failures: PluginLoadFailure[] = [];
const plugins = await listPlugins(undefined, (failure) => failures.push(failure));
if (values["update-docs"] || values["update-readme"]) {
  const path = `${REPO_ROOT}/${PLUGIN_REFERENCE_FILE}`;
  await Deno.writeTextFile(
    path,
    withPluginReference(await Deno.readTextFile(path), pluginReferenceMarkdown(plugins)),
  );
  // Formatted as `deno task check` wants it (long examples are split).
  await new Deno.Command(Deno.execPath(), { args: ["fmt", path], stderr: "null" }).output();
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
