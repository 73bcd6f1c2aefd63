/**
 * API keys for HTTP endpoints: stored only as SHA-256 digests, read from an environment
 * variable or a file, and checked in constant time.
 *
 * An entry is `NAME=sha256:HEX` (64 hex digits, the SHA-256 of the key's UTF-8 bytes). Keys are
 * long random strings (see {@linkcode newApiKey}), so a plain digest is enough: it cannot be
 * reversed, and the store never holds a key itself.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";

/** One stored key: a name for logs and per-source permissions, and the key's digest. */
export interface StoredApiKey {
  /** Name of the key (letters, digits, `.`, `_`, `-`), e.g. `shop-frontend`. */
  name: string;
  /** SHA-256 of the key. */
  digest: Uint8Array;
}

/** A problem in a key list, with where it is. */
export class ApiKeyListError extends Error {
  /** Builds the error; `message` already names the place. */
  constructor(message: string) {
    super(message);
    this.name = "ApiKeyListError";
  }
}

const ENTRY = /^([A-Za-z0-9._-]{1,64})=sha256:([0-9a-fA-F]{64})$/;
const ENTRY_SHAPE = "NAME=sha256:<64 hex digits> (create one with `deno task api-key NAME`)";

function parseEntry(text: string, where: string): StoredApiKey {
  const match = ENTRY.exec(text);
  if (match === null) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    throw new ApiKeyListError(`${where}: expected ${ENTRY_SHAPE}, found ${JSON.stringify(shown)}`);
  }
  return { name: match[1]!, digest: hexBytes(match[2]!) };
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * Reads a key file: one `NAME=sha256:HEX` entry per line; blank lines and lines starting with
 * `#` are ignored.
 *
 * @param text The file's contents.
 * @param file The file's path, for error messages.
 * @returns The entries in file order.
 * @throws {ApiKeyListError} Naming `file:line:column` of the first bad entry or duplicate name.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseApiKeyFile } from "./api_keys.ts";
 * const keys = parseApiKeyFile(`# site\nshop=sha256:${"ab".repeat(32)}\n`, "keys.txt");
 * assert.equal(keys[0]?.name, "shop");
 * assert.throws(() => parseApiKeyFile("\n  shop=secret", "keys.txt"), /keys\.txt:2:3: expected/);
 * ```
 */
export function parseApiKeyFile(text: string, file: string): StoredApiKey[] {
  const keys: StoredApiKey[] = [];
  text.split("\n").forEach((line, index) => {
    const entry = line.trim();
    if (entry === "" || entry.startsWith("#")) return;
    const column = line.length - line.trimStart().length + 1;
    keys.push(parseEntry(entry, `${file}:${index + 1}:${column}`));
  });
  return checkUnique(keys, file);
}

/**
 * Reads keys from an environment variable's value: entries separated by commas, semicolons or
 * white space.
 *
 * @param value The variable's value.
 * @param variable The variable's name, for error messages.
 * @returns The entries in order.
 * @throws {ApiKeyListError} Naming the variable and the entry's position.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseApiKeyVariable } from "./api_keys.ts";
 * const digest = "cd".repeat(32);
 * assert.equal(parseApiKeyVariable(`a=sha256:${digest}, b=sha256:${digest}`, "KEYS").length, 2);
 * ```
 */
export function parseApiKeyVariable(value: string, variable: string): StoredApiKey[] {
  const entries = value.split(/[\s,;]+/).filter((entry) => entry !== "");
  return checkUnique(
    entries.map((entry, index) => parseEntry(entry, `${variable} entry ${index + 1}`)),
    variable,
  );
}

function checkUnique(keys: StoredApiKey[], where: string): StoredApiKey[] {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.name)) {
      throw new ApiKeyListError(`${where}: key name ${JSON.stringify(key.name)} appears twice`);
    }
    seen.add(key.name);
  }
  return keys;
}

/**
 * SHA-256 of a key's UTF-8 bytes.
 *
 * @param key The key as presented by a client.
 * @returns The 32-byte digest.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { digestApiKey } from "./api_keys.ts";
 * assert.equal((await digestApiKey("k")).length, 32);
 * ```
 */
export async function digestApiKey(key: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
}

/**
 * A new random key (32 random bytes, base64url) and its store entry.
 *
 * @param name The key's name.
 * @returns `key` to give the client, and `entry` (`NAME=sha256:HEX`) to store.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { newApiKey, parseApiKeyVariable } from "./api_keys.ts";
 * const { key, entry } = await newApiKey("shop");
 * assert.equal(key.length, 43);
 * assert.equal(parseApiKeyVariable(entry, "X")[0]?.name, "shop");
 * ```
 */
export async function newApiKey(name: string): Promise<{ key: string; entry: string }> {
  const random = crypto.getRandomValues(new Uint8Array(32));
  const key = btoa(String.fromCharCode(...random)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  const hex = [...await digestApiKey(key)].map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  const entry = `${name}=sha256:${hex}`;
  parseEntry(entry, "name");
  return { key, entry };
}

/**
 * Finds which stored key a presented key is. Every stored digest is compared, each in constant
 * time, so the time taken does not depend on how much of a digest matched nor on which entry
 * matched.
 *
 * @param keys The store.
 * @param presented The key from the request.
 * @returns The matching key's name, or undefined.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { identifyApiKey, newApiKey, parseApiKeyVariable } from "./api_keys.ts";
 * const { key, entry } = await newApiKey("shop");
 * const keys = parseApiKeyVariable(entry, "KEYS");
 * assert.equal(await identifyApiKey(keys, key), "shop");
 * assert.equal(await identifyApiKey(keys, "guess"), undefined);
 * ```
 */
export async function identifyApiKey(
  keys: readonly StoredApiKey[],
  presented: string,
): Promise<string | undefined> {
  const digest = await digestApiKey(presented);
  let found: string | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.digest, digest) && found === undefined) found = key.name;
  }
  return found;
}

/**
 * The API key a request carries: `Authorization: Bearer KEY`, an `X-API-Key` header, or a
 * `key` query parameter (for browsers sending beacons, which cannot set headers).
 *
 * @param request The request.
 * @returns The key, or undefined when the request has none.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { presentedApiKey } from "./api_keys.ts";
 * const request = new Request("http://x/api/events", { headers: { authorization: "Bearer k1" } });
 * assert.equal(presentedApiKey(request), "k1");
 * assert.equal(presentedApiKey(new Request("http://x/api/events?key=k2")), "k2");
 * ```
 */
export function presentedApiKey(request: Request): string | undefined {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match !== null) return match[1];
  }
  const header = request.headers.get("x-api-key")?.trim();
  if (header) return header;
  const query = new URL(request.url).searchParams.get("key");
  return query ? query : undefined;
}
