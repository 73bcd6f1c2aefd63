/**
 * User-agent classification for breakdowns: device type, browser family and OS family, from
 * one function, so every plugin names them alike.
 *
 * Parsing is done by `ua-parser-js` 1.x (MIT; its 2.x line is AGPL), whose regular
 * expressions cover browsers, operating systems and device types from decades of agents; the
 * bot test is {@linkcode isBot}, the one every `exclude_bots` uses. Answers are cached per
 * agent (agents repeat a lot), so classifying a record costs a map lookup most of the time.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { classifyUserAgent } from "./user_agent.ts";
 * assert.deepEqual(
 *   classifyUserAgent(
 *     "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 " +
 *       "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
 *   ),
 *   { device: "mobile", browser: "Mobile Safari", os: "iOS" },
 * );
 * ```
 *
 * @module
 */
import { UAParser } from "ua-parser-js";
import { isBot } from "./bot.ts";
import { memoize } from "./_memo.ts";

/** Device types: `bot` whenever {@linkcode isBot} says so, `other` for TVs, consoles, unknowns. */
export type DeviceType = "desktop" | "mobile" | "tablet" | "bot" | "other";

/** The device types, in the order a breakdown lists them. */
export const DEVICE_TYPES: readonly DeviceType[] = ["desktop", "mobile", "tablet", "bot", "other"];

/** What a user agent says about its client. */
export interface UserAgentClass {
  /** Device type. */
  device: DeviceType;
  /** Browser family as ua-parser-js names it (`Chrome`, `Mobile Safari`, `Edge`...) or `Other`. */
  browser: string;
  /** OS family as ua-parser-js names it (`Windows`, `Mac OS`, `iOS`, `Android`...) or `Other`. */
  os: string;
}

/** The part of ua-parser-js 1.x's result read here (the package ships no types). */
interface ParsedAgent {
  browser: { name?: string };
  os: { name?: string };
  device: { type?: string };
}

const MOBILE_OSES = new Set(["Android", "iOS", "HarmonyOS", "KaiOS", "Windows Phone"]);

const cachedClassify = memoize((userAgent: string): UserAgentClass => {
  if (userAgent === "" || userAgent === "-") {
    return Object.freeze({ device: "other", browser: "Other", os: "Other" });
  }
  const parsed = new UAParser(userAgent).getResult() as ParsedAgent;
  const browser = parsed.browser.name ?? "Other";
  const os = parsed.os.name ?? "Other";
  return Object.freeze({ device: deviceType(userAgent, parsed.device.type, os), browser, os });
});

/**
 * Device type, browser family and OS family of a user agent.
 *
 * Device type: `bot` when {@linkcode isBot} says so; otherwise ua-parser-js's `mobile` or
 * `tablet`; an agent with no device type is `desktop` when it names an OS (ua-parser-js leaves
 * desktops untyped), `mobile` when that OS is a mobile one; TVs, consoles, wearables and agents
 * naming no OS are `other`.
 *
 * @param userAgent The User-Agent header as logged; `""` and `-` (absent) give `other`.
 * @returns A frozen classification (shared between calls with the same agent).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { classifyUserAgent } from "./user_agent.ts";
 * const windowsChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " +
 *   "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
 * assert.deepEqual(classifyUserAgent(windowsChrome), {
 *   device: "desktop",
 *   browser: "Chrome",
 *   os: "Windows",
 * });
 * assert.equal(classifyUserAgent("curl/8.5.0").device, "bot");
 * ```
 */
export function classifyUserAgent(userAgent: string): UserAgentClass {
  return cachedClassify(userAgent);
}

function deviceType(userAgent: string, parsedType: string | undefined, os: string): DeviceType {
  if (isBot(userAgent)) return "bot";
  if (parsedType === "mobile" || parsedType === "tablet") return parsedType;
  if (parsedType !== undefined) return "other";
  if (os === "Other") return "other";
  return MOBILE_OSES.has(os) ? "mobile" : "desktop";
}
