import assert from "assert";
import { REPO_ROOT } from "../lib/services/settings.ts";

const README = `${REPO_ROOT}/README.md`;

Deno.test("README shows the two commands CI runs", async () => {
  const readme = await Deno.readTextFile(README);
  assert.match(readme, /deno task run /);
  assert.match(readme, /deno task test /);
  const ci = await Deno.readTextFile(`${REPO_ROOT}/.ci/run`);
  assert.match(ci, /^deno task test$/m);
});

Deno.test("README is read to the end: at most 300 lines, the engineering in docs/", async () => {
  const lines = (await Deno.readTextFile(README)).trimEnd().split("\n");
  assert.ok(lines.length <= 300, `README.md has ${lines.length} lines; move detail to docs/`);
});

Deno.test("README shows the dashboard, HTTP ingestion and writing a plugin in its first 150 lines", async () => {
  const head = (await Deno.readTextFile(README)).split("\n").slice(0, 150).join("\n");
  assert.match(head, /docs\/dashboard\.png/, "the dashboard picture");
  assert.match(head, /POST \/api\/events/, "HTTP ingestion");
  assert.match(head, /docs\/writing-plugins\.md/, "writing a plugin");
});
