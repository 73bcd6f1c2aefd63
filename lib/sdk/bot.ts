/**
 * Bot detection from the user agent: the one test behind every `exclude_bots` option, the
 * `bot` device type and bot reports, so they all agree.
 *
 * The patterns are the community-kept list of the `crawler-user-agents` package (MIT, about
 * 1,500 patterns: search engines, SEO and AI crawlers, monitors, feed readers, HTTP libraries
 * and command-line clients such as curl, Wget, python-requests, Go-http-client and headless
 * browsers), matched as one regular expression, case-sensitively as the list intends. The list
 * names known agents only, so three generic rules of our own are added for unknown ones that
 * say what they are:
 * - a URL in the agent (`+http://...`): crawlers link their documentation, browsers never do;
 * - the words `crawler`, `spider` or `scraper` in any case;
 * - a product name ending in `bot` followed by a version (`FooBot/1.0`), or `bot` as a word.
 *
 * An absent user agent (`""` or `-`) is not counted as a bot: browsers always send one, but
 * server-side event posts often do not, and excluding those would drop real purchases. A
 * report that wants them can test for `-` itself.
 *
 * `isbot` (the best-known detector) was not chosen: its licence is the Unlicense, not one of
 * MIT, BSD, Apache-2.0 or ISC.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { isBot } from "./bot.ts";
 * const googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
 * assert.equal(isBot(googlebot), true);
 * assert.equal(isBot("curl/8.5.0"), true);
 * const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
 * assert.equal(isBot(firefox), false);
 * ```
 *
 * @module
 */
import crawlers from "crawler-user-agents";
import { memoize } from "./_memo.ts";

const KNOWN_AGENTS = new RegExp(crawlers.map((crawler) => crawler.pattern).join("|"));
const SELF_DECLARED = /\+?https?:\/\/|crawler|spider|scraper|[a-z]bot\/|\bbot\b/i;

const cachedIsBot = memoize((userAgent: string) =>
  userAgent !== "" && userAgent !== "-" &&
  (KNOWN_AGENTS.test(userAgent) || SELF_DECLARED.test(userAgent))
);

/**
 * Whether a user agent belongs to a bot, crawler, spider, monitor or HTTP library.
 *
 * @param userAgent The User-Agent header as logged; `""` and `-` (absent) are not bots.
 * @returns `true` for a bot.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { isBot } from "./bot.ts";
 * assert.equal(isBot("python-requests/2.31.0"), true);
 * assert.equal(isBot("MyMonitor/1.0 (+https://example.com/monitor)"), true);
 * assert.equal(isBot("-"), false);
 * ```
 */
export function isBot(userAgent: string): boolean {
  return cachedIsBot(userAgent);
}
