/**
 * Part of `deno task check`: fails when an import breaks the repository's layout rules
 * (`lib/` importing `plugins/`, the runtime importing the dev-services code, or a cycle
 * between folders). See tools/import_rules.ts.
 *
 * @module
 */
import { checkImportRules, importEdges, sourceFiles } from "../tools/import_rules.ts";

const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const violations = checkImportRules(await importEdges(root, await sourceFiles(root)));
for (const violation of violations) {
  console.error(`${violation.at}: ${violation.rule}: ${violation.message}`);
}
if (violations.length > 0) {
  console.error(`\n${violations.length} import rule violation(s).`);
  Deno.exit(1);
}
console.log(
  "import rules: ok (lib/ knows no plugin, runtime knows no dev services, no folder cycles)",
);
