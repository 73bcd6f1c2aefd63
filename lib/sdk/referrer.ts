/**
 * The domain a referrer points at, for referrer breakdowns: `https://www.google.com/search?q=x`
 * counts as `google.com`.
 *
 * @module
 */

/**
 * The host of a referrer URL, lower case, without port, user info, trailing dot or a leading
 * `www.` (so `www.example.com` and `example.com` count together).
 *
 * Accepts absolute URLs of any scheme (`https://...`, `android-app://com.google.android.gm/`),
 * protocol-relative ones (`//example.com/a`) and bare hosts (`example.com/a`), as they appear
 * in logs. Does not allocate a `URL`: it runs for every record.
 *
 * @param referrer The Referer header as logged.
 * @returns The domain, or `undefined` for none: absent (`""`, `-`) or not a URL (`/relative`).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { referrerDomain } from "./referrer.ts";
 * assert.equal(referrerDomain("https://www.Google.com/search?q=shoes"), "google.com");
 * assert.equal(referrerDomain("http://user@shop.example.com:8080/a"), "shop.example.com");
 * assert.equal(referrerDomain("-"), undefined);
 * ```
 */
export function referrerDomain(referrer: string): string | undefined {
  const text = referrer.trim();
  let start: number;
  const scheme = text.indexOf("://");
  if (scheme > 0 && /^[a-z][a-z0-9+.-]*$/i.test(text.slice(0, scheme))) start = scheme + 3;
  else if (text.startsWith("//")) start = 2;
  else if (/^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[:/?#]|$)/i.test(text)) start = 0;
  else return undefined;
  let end = text.length;
  for (const stop of ["/", "?", "#"]) {
    const at = text.indexOf(stop, start);
    if (at >= 0 && at < end) end = at;
  }
  let host = text.slice(start, end);
  host = host.slice(host.lastIndexOf("@") + 1);
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    host = close < 0 ? host : host.slice(0, close + 1);
  } else {
    const colon = host.indexOf(":");
    if (colon >= 0) host = host.slice(0, colon);
  }
  host = host.toLowerCase();
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host.startsWith("www.")) host = host.slice(4);
  return host === "" ? undefined : host;
}
