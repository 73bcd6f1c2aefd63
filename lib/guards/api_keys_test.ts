import assert from "assert";
import {
  ApiKeyListError,
  digestApiKey,
  identifyApiKey,
  newApiKey,
  parseApiKeyFile,
  parseApiKeyVariable,
  presentedApiKey,
} from "./api_keys.ts";

const HEX = "0123456789abcdef".repeat(4);

Deno.test("api keys: a file with comments, blank lines and indentation", () => {
  const keys = parseApiKeyFile(`# keys\n\n  shop=sha256:${HEX}\nbackend.1=sha256:${HEX}\n`, "k");
  assert.deepEqual(keys.map((key) => key.name), ["shop", "backend.1"]);
  assert.equal(keys[0]?.digest.length, 32);
  assert.equal(keys[0]?.digest[0], 0x01);
});

Deno.test("api keys: a bad entry names file, line and column, and says how to make one", () => {
  assert.throws(
    () => parseApiKeyFile(`shop=sha256:${HEX}\n\n    web=plaintext-key\n`, "keys.txt"),
    (error: Error) =>
      error instanceof ApiKeyListError &&
      error.message.startsWith("keys.txt:3:5: expected NAME=sha256:<64 hex digits>") &&
      error.message.includes("deno task api-key") &&
      error.message.endsWith('found "web=plaintext-key"'),
  );
});

Deno.test("api keys: a variable's entries, and duplicates refused", () => {
  const keys = parseApiKeyVariable(`a=sha256:${HEX};b=sha256:${HEX}\n c=sha256:${HEX}`, "KEYS");
  assert.deepEqual(keys.map((key) => key.name), ["a", "b", "c"]);
  assert.throws(
    () => parseApiKeyVariable(`a=sha256:${HEX} a=sha256:${HEX}`, "KEYS"),
    /KEYS: key name "a" appears twice/,
  );
  assert.throws(() => parseApiKeyVariable(`a=sha256:${HEX} b`, "KEYS"), /KEYS entry 2: expected/);
});

Deno.test("api keys: identify finds the right key among several, and nothing for others", async () => {
  const first = await newApiKey("first");
  const second = await newApiKey("second");
  const keys = parseApiKeyVariable(`${first.entry} ${second.entry}`, "KEYS");
  assert.equal(await identifyApiKey(keys, second.key), "second");
  assert.equal(await identifyApiKey(keys, first.key), "first");
  assert.equal(await identifyApiKey(keys, first.key + "x"), undefined);
  assert.equal(await identifyApiKey(keys, ""), undefined);
  assert.notEqual(first.key, second.key);
});

Deno.test("api keys: the store holds the SHA-256 of the key, never the key", async () => {
  const { key, entry } = await newApiKey("shop");
  assert.ok(!entry.includes(key));
  const hex = [...await digestApiKey(key)].map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(entry, `shop=sha256:${hex}`);
});

Deno.test("api keys: bearer, header and query parameter; none when absent", () => {
  const url = "http://127.0.0.1/api/events";
  assert.equal(
    presentedApiKey(new Request(url, { headers: { authorization: "bearer abc" } })),
    "abc",
  );
  assert.equal(presentedApiKey(new Request(url, { headers: { "x-api-key": " def " } })), "def");
  assert.equal(presentedApiKey(new Request(`${url}?key=ghi`)), "ghi");
  assert.equal(
    presentedApiKey(new Request(url, { headers: { authorization: "Basic x" } })),
    undefined,
  );
  assert.equal(presentedApiKey(new Request(`${url}?key=`)), undefined);
});
