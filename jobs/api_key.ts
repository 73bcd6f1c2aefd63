/**
 * `deno task api-key NAME`: makes a new random API key for the `http` source and prints the key
 * (give it to the client) and its `NAME=sha256:HEX` entry (put it in `INGEST_API_KEYS` or the
 * source's `api_keys_file`). Only the entry is stored; the key is shown once.
 *
 * @module
 */
import { newApiKey } from "../lib/guards/api_keys.ts";

const name = Deno.args[0];
if (
  name === undefined || name === "--help" || name === "-h" || !/^[A-Za-z0-9._-]{1,64}$/.test(name)
) {
  console.error(
    "usage: deno task api-key NAME\n\n  NAME  1-64 letters, digits, '.', '_' or '-', e.g. shop-frontend",
  );
  Deno.exit(name === "--help" || name === "-h" ? 0 : 1);
}
const { key, entry } = await newApiKey(name);
console.log(`key (give to the client; shown only now): ${key}`);
console.log(`entry (store in INGEST_API_KEYS or api_keys_file): ${entry}`);
