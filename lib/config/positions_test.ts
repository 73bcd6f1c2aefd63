import assert from "assert";
import { LineCounter, parseDocument } from "yaml";
import { createLocator } from "./positions.ts";

const text = `sources:
  - name: a
    options: { rate: 5 }
  - name: b
    options:
`;
const lineCounter = new LineCounter();
const locate = createLocator(parseDocument(text, { lineCounter }), lineCounter);

Deno.test("locate finds values and keys", () => {
  assert.deepEqual(locate(["sources", 0, "options", "rate"]), { line: 3, column: 22 });
  assert.deepEqual(locate(["sources", 0, "options", "rate"], "key"), { line: 3, column: 16 });
  assert.deepEqual(locate(["sources", 1, "name"]), { line: 4, column: 11 });
});

Deno.test("locate falls back to the deepest existing key", () => {
  assert.deepEqual(locate(["sources", 0, "options", "topic"]), { line: 3, column: 5 });
  assert.deepEqual(locate(["sources", 1, "options", "rate"]), { line: 5, column: 5 });
  assert.deepEqual(locate(["sources", 7]), { line: 1, column: 1 });
  assert.deepEqual(locate(["aggregations"]), { line: 1, column: 1 });
});
