import assert from "assert";
import { checkImportRules, importEdges, sourceFiles } from "./import_rules.ts";

/** Writes a small tree of modules, runs the real graph check on it, and cleans up. */
async function checkTree(files: Record<string, string>) {
  const root = await Deno.makeTempDir({ prefix: "import-rules-" });
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(`${root}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${path}`, text);
    }
    return checkImportRules(await importEdges(root, await sourceFiles(root)));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("import rules: a planted violation of each rule is reported with file:line:col", async () => {
  const violations = await checkTree({
    "lib/core.ts": 'export const core = 1;\nimport { plugin } from "../plugins/sources/p.ts";\n' +
      "export const uses = plugin;\n",
    "plugins/sources/p.ts": "export const plugin = 2;\n",
    "lib/runtime/run.ts":
      'import { PORT } from "../services/settings.ts";\nexport const p = PORT;\n',
    "lib/services/settings.ts": "export const PORT = 9092;\n",
    "lib/one/a.ts": 'import type { B } from "../two/b.ts";\nexport type A = B | 1;\n',
    "lib/two/b.ts": 'import { a } from "../one/c.ts";\nexport type B = typeof a;\n',
    "lib/one/c.ts": "export const a = 3;\n",
  });
  const byRule = Object.fromEntries(violations.map((v) => [v.rule, v]));
  assert.equal(violations.length, 3, JSON.stringify(violations, null, 2));
  assert.equal(byRule["lib-imports-plugins"]?.at, "lib/core.ts:2:24");
  assert.equal(byRule["runtime-imports-services"]?.at, "lib/runtime/run.ts:1:22");
  assert.match(
    byRule["folder-cycle"]?.message ?? "",
    /folders lib\/one, lib\/two import each other/,
  );
});

Deno.test("import rules: services may use the runtime, and a clean tree passes", async () => {
  const violations = await checkTree({
    "lib/runtime/kafka.ts": "export const brokers = ['127.0.0.1:9092'];\n",
    "lib/services/probe.ts":
      'import { brokers } from "../runtime/kafka.ts";\nexport const b = brokers;\n',
    "plugins/sinks/s.ts":
      'import { brokers } from "../../lib/runtime/kafka.ts";\nexport const s = brokers;\n',
  });
  assert.deepEqual(violations, []);
});

Deno.test("import rules: this repository obeys them", async () => {
  const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
  assert.deepEqual(checkImportRules(await importEdges(root, await sourceFiles(root))), []);
});
