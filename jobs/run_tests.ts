/**
 * `deno task test`: starts Kafka and Cassandra if nothing answers, and PostgreSQL (at
 * `DATABASE_URL`, default 127.0.0.1:5432) for the postgres sink's tests, installs the headless browser
 * of the dashboard tests if it is missing, runs the whole test suite, and
 * prints a closing `N passed, N failed` line read from Deno's JUnit report.
 *
 * Extra arguments go to `deno test` (e.g. `deno task test --filter kafka`).
 *
 * @module
 */
import { ensureServices, ServicesError } from "../lib/services/mod.ts";
import { databaseUrl, REPO_ROOT } from "../lib/services/settings.ts";
import { ensureBrowser } from "../lib/services/browser.ts";

const JUNIT_PATH = `${REPO_ROOT}/.test-results/junit.xml`;

try {
  await ensureServices({ postgresUrls: [databaseUrl()] });
  await ensureBrowser();
} catch (error) {
  if (error instanceof ServicesError) {
    console.error(`test: ${error.message}`);
    Deno.exit(1);
  }
  throw error;
}

await Deno.mkdir(`${REPO_ROOT}/.test-results`, { recursive: true });
await Deno.remove(JUNIT_PATH).catch(() => {});
const result = await new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", `--junit-path=${JUNIT_PATH}`, ...Deno.args],
  cwd: REPO_ROOT,
  stdout: "inherit",
  stderr: "inherit",
}).output();

const summary = await summarizeJunit(JUNIT_PATH);
console.log(summary ?? "0 passed, 1 failed (no test report was written)");
Deno.exit(result.code !== 0 ? result.code : summary === undefined ? 1 : 0);

/** Counts passed, failed and skipped test cases in a JUnit report. */
async function summarizeJunit(path: string): Promise<string | undefined> {
  let xml: string;
  try {
    xml = await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
  let passed = 0, failed = 0, skipped = 0;
  for (const match of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = match[2] ?? "";
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`;
}
