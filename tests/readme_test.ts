import assert from "assert";
import {
  listPlugins,
  pluginReferenceMarkdown,
  README_BEGIN,
  README_END,
} from "../lib/config/plugins_catalog.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";

/** Markdown tables are aligned by `deno fmt`; compare cells, not padding. */
function normalize(markdown: string): string {
  return markdown.trim().split("\n").map((line) => {
    if (!line.startsWith("|")) return line.trimEnd();
    return line.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/^-{3,}$/, "---")).join("|");
  }).join("\n");
}

Deno.test("README's plugin reference is generated from the plugins' own definitions", async () => {
  const readme = await Deno.readTextFile(`${REPO_ROOT}/README.md`);
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  assert.ok(begin >= 0 && end > begin, "README.md has the plugin reference markers");
  const documented = readme.slice(begin + README_BEGIN.length, end);
  const generated = pluginReferenceMarkdown(await listPlugins());
  assert.equal(
    normalize(documented),
    normalize(generated),
    "README.md is out of date: run `deno task plugins --update-readme`",
  );
});

Deno.test("README shows the two commands CI runs", async () => {
  const readme = await Deno.readTextFile(`${REPO_ROOT}/README.md`);
  assert.match(readme, /deno task run /);
  assert.match(readme, /deno task test /);
  const ci = await Deno.readTextFile(`${REPO_ROOT}/.ci/run`);
  assert.match(ci, /^deno task test$/m);
});
