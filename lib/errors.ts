/**
 * One way to turn anything thrown into a line of text for an operator.
 *
 * @module
 */

/**
 * The message of an error, or the thrown value as text.
 *
 * @param error Anything caught.
 * @param options `firstLine: true` keeps only the first line (driver errors can run long).
 * @returns `error.message` for an `Error`, otherwise `String(error)`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { errorText } from "./errors.ts";
 * assert.equal(errorText(new Error("broker down")), "broker down");
 * assert.equal(errorText("plain"), "plain");
 * assert.equal(errorText(new Error("a\nb"), { firstLine: true }), "a");
 * ```
 */
export function errorText(error: unknown, options: { firstLine?: boolean } = {}): string {
  const text = error instanceof Error ? error.message : String(error);
  return options.firstLine ? text.split("\n")[0] ?? text : text;
}
