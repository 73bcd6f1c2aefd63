/**
 * Paths of requests and pages: without their query, and whether they name a static asset.
 *
 * @module
 */

/** File extensions of static assets (styles, scripts, images, fonts, source maps). */
export const STATIC_EXTENSIONS: ReadonlySet<string> = new Set([
  "css",
  "js",
  "png",
  "jpg",
  "jpeg",
  "gif",
  "svg",
  "ico",
  "woff",
  "woff2",
  "map",
  "webp",
]);

/**
 * A path without its query string and fragment: `/a?b=1#c` is `/a`.
 *
 * @param path A request URI or page path.
 * @returns The path part.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { withoutQuery } from "./paths.ts";
 * assert.equal(withoutQuery("/shoes?color=red#top"), "/shoes");
 * ```
 */
export function withoutQuery(path: string): string {
  let end = path.indexOf("?");
  const hash = path.indexOf("#");
  if (hash >= 0 && (end < 0 || hash < end)) end = hash;
  return end < 0 ? path : path.slice(0, end);
}

/**
 * Whether a path (without query) names a static asset: its last segment ends with one of
 * {@linkcode STATIC_EXTENSIONS}, in any case. No regex: this runs for every record.
 *
 * @param path A path without query, e.g. `/static/app.JS`.
 * @returns `true` for `.css .js .png .jpg .jpeg .gif .svg .ico .woff .woff2 .map .webp`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { isStaticAsset } from "./paths.ts";
 * assert.equal(isStaticAsset("/img/logo.PNG"), true);
 * assert.equal(isStaticAsset("/products/42"), false);
 * assert.equal(isStaticAsset("/v1.2/docs"), false);
 * ```
 */
export function isStaticAsset(path: string): boolean {
  const dot = path.lastIndexOf(".");
  return dot >= 0 && path.indexOf("/", dot) < 0 &&
    STATIC_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}
