import assert from "assert";
import {
  listPlugins,
  PLUGIN_REFERENCE_BEGIN,
  PLUGIN_REFERENCE_END,
  PLUGIN_REFERENCE_FILE,
  pluginReferenceMarkdown,
} from "../lib/config/plugins_catalog.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";

/** Markdown tables are aligned by `deno fmt`; compare cells, not padding. */
function normalize(markdown: string): string {
  return markdown.trim().split("\n").map((line) => {
    if (!line.startsWith("|")) return line.trimEnd();
    return line.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/^-{3,}$/, "---")).join("|");
  }).join("\n");
}

/** `markdown` as `deno fmt` leaves it with the repository's settings (it splits long examples). */
async function formatted(markdown: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    cwd: REPO_ROOT,
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(markdown));
  await writer.close();
  const { stdout } = await child.output();
  return new TextDecoder().decode(stdout);
}

Deno.test("docs/plugins.md's reference is generated from the plugins' own definitions", async () => {
  const page = await Deno.readTextFile(`${REPO_ROOT}/${PLUGIN_REFERENCE_FILE}`);
  const begin = page.indexOf(PLUGIN_REFERENCE_BEGIN);
  const end = page.indexOf(PLUGIN_REFERENCE_END);
  assert.ok(begin >= 0 && end > begin, `${PLUGIN_REFERENCE_FILE} has the plugin reference markers`);
  const documented = page.slice(begin + PLUGIN_REFERENCE_BEGIN.length, end);
  const generated = await formatted(pluginReferenceMarkdown(await listPlugins()));
  assert.equal(
    normalize(documented),
    normalize(generated),
    `${PLUGIN_REFERENCE_FILE} is out of date: run \`deno task plugins --update-docs\``,
  );
});
