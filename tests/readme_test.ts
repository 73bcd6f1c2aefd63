import assert from "assert";
import { REPO_ROOT } from "../lib/services/settings.ts";

Deno.test("README shows the two commands CI runs", async () => {
  const readme = await Deno.readTextFile(`${REPO_ROOT}/README.md`);
  assert.match(readme, /deno task run /);
  assert.match(readme, /deno task test /);
  const ci = await Deno.readTextFile(`${REPO_ROOT}/.ci/run`);
  assert.match(ci, /^deno task test$/m);
});
