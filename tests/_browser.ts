/**
 * A headless Chromium for browser tests: Debian's `chromium` driven by playwright-core, with a
 * fresh profile folder that is removed on close.
 *
 * @module
 */
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian installs Chromium (`apt-get install -y chromium`). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** A running browser. */
export interface TestBrowser {
  /** The browser context (one profile). */
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Starts headless Chromium with a fresh profile and no background traffic. */
export async function launchTestBrowser(): Promise<TestBrowser> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install Debian's browser with \`apt-get install -y chromium\``,
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "chromium-test-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
