/**
 * The headless browser the dashboard tests drive: Debian's `chromium` package, installed with
 * apt-get by `deno task test` when it is missing (as the services are started). Playwright's
 * own browser downloads cannot work here; playwright-core drives this one.
 *
 * @module
 */
import { ServicesError } from "./native.ts";

/** Where Debian's package puts the browser; `CHROMIUM_PATH` overrides it. */
export function chromiumPath(): string {
  return Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
}

/**
 * Command-line flags for a quiet, headless, sandbox-less run (tests run as root in a
 * container): no GPU, no QUIC, no first-run, background, update or sync traffic.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Makes sure the browser is installed: does nothing when it is, otherwise runs
 * `apt-get install -y chromium` (with `apt-get update` first).
 *
 * @throws {ServicesError} When it is missing and cannot be installed, saying what to do.
 */
export async function ensureBrowser(log: (line: string) => void = console.error): Promise<void> {
  if (await isFile(chromiumPath())) return;
  const hint = "install Debian's chromium package (`apt-get install -y chromium`) or set " +
    "CHROMIUM_PATH to a Chromium binary";
  if (!(await isFile("/usr/bin/apt-get"))) {
    throw new ServicesError(`no browser at ${chromiumPath()} for the dashboard tests: ${hint}`);
  }
  log(`no browser at ${chromiumPath()}; installing Debian's chromium package`);
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const result = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!result.success) {
      throw new ServicesError(
        `apt-get ${args.join(" ")} failed (exit ${result.code}); ${hint} (apt-get needs root)`,
      );
    }
  }
  if (!(await isFile(chromiumPath()))) {
    throw new ServicesError(`chromium was installed but ${chromiumPath()} is missing: ${hint}`);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
