/**
 * A headless Chromium for browser tests: Debian's `chromium` (installed by `deno task test`, see
 * lib/services/browser.ts) driven by playwright-core, with a fresh profile folder that is
 * removed on close.
 *
 * @module
 */
import { type BrowserContext, chromium } from "playwright-core";
import { CHROMIUM_ARGS, chromiumPath } from "../lib/services/browser.ts";

/** A running browser. */
export interface TestBrowser {
  /** The browser context (one profile). */
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Starts headless Chromium with a fresh profile and no background traffic. */
export async function launchTestBrowser(): Promise<TestBrowser> {
  const executablePath = chromiumPath();
  try {
    await Deno.stat(executablePath);
  } catch {
    throw new Error(
      `no Chromium at ${executablePath}: install Debian's browser with ` +
        "`apt-get install -y chromium` (deno task test does it itself)",
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "chromium-test-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  return {
    context,
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
