import assert from "assert";
import { interpolate, readPlainScalar } from "./interpolate.ts";

Deno.test("interpolate replaces set variables and applies defaults", () => {
  const env = { HOST: "kafka", EMPTY: "" };
  assert.deepEqual(interpolate("${HOST}:9092", env), {
    value: "kafka:9092",
    missing: [],
    changed: true,
  });
  assert.equal(interpolate("${EMPTY:-fallback}", env).value, "fallback");
  assert.equal(interpolate("${NOPE:-a:1,b:2}", env).value, "a:1,b:2");
  assert.equal(interpolate("plain $HOST {x}", env).changed, false);
});

Deno.test("interpolate lists unset variables that have no default", () => {
  assert.deepEqual(interpolate("${A}-${B:-b}-${C}", {}).missing, ["A", "C"]);
  assert.deepEqual(interpolate("${A}", { A: "" }).missing, []);
});

Deno.test("readPlainScalar types numbers and booleans like YAML", () => {
  assert.equal(readPlainScalar("42"), 42);
  assert.equal(readPlainScalar("-1.5"), -1.5);
  assert.equal(readPlainScalar("false"), false);
  assert.equal(readPlainScalar("127.0.0.1:9092"), "127.0.0.1:9092");
});
