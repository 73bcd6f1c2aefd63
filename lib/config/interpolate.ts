/**
 * `${VAR}` and `${VAR:-default}` interpolation of environment variables.
 *
 * @module
 */

/** The outcome of interpolating one string. */
export interface Interpolated {
  /** The string with every reference replaced (missing ones replaced by `""`). */
  value: string;
  /** Variables that were referenced without a default and are unset. */
  missing: string[];
  /** Whether the string contained any reference. */
  changed: boolean;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in `text` from `env`. As in the shell, the default
 * is used when the variable is unset or empty.
 *
 * @param text A scalar string from pipeline.yaml.
 * @param env Variables to read.
 * @returns The new value and the names of unset variables that had no default.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { interpolate } from "./interpolate.ts";
 * assert.equal(interpolate("${HOST:-localhost}:9092", {}).value, "localhost:9092");
 * assert.deepEqual(interpolate("${HOST}", {}).missing, ["HOST"]);
 * ```
 */
export function interpolate(
  text: string,
  env: Record<string, string | undefined>,
): Interpolated {
  const missing: string[] = [];
  let changed = false;
  const value = text.replace(REFERENCE, (_, name: string, fallback: string | undefined) => {
    changed = true;
    const found = env[name];
    if (found !== undefined && found !== "") return found;
    if (fallback !== undefined) return fallback;
    if (found === undefined) missing.push(name);
    return "";
  });
  return { value, missing, changed };
}

/**
 * Reads an interpolated plain (unquoted) YAML scalar as YAML would have: `1000` becomes a
 * number and `true`/`false` booleans, so `flush_interval_ms: ${FLUSH_MS:-1000}` is a number.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { readPlainScalar } from "./interpolate.ts";
 * assert.equal(readPlainScalar("1000"), 1000);
 * assert.equal(readPlainScalar("web"), "web");
 * ```
 */
export function readPlainScalar(text: string): string | number | boolean | null {
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(~|null|Null|NULL)$/.test(text)) return null;
  return text;
}
