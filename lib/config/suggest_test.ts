import assert from "assert";
import { closestMatch, didYouMean, levenshtein } from "./suggest.ts";

Deno.test("levenshtein counts edits and adjacent swaps", () => {
  assert.equal(levenshtein("", "abc"), 3);
  assert.equal(levenshtein("abc", "abc"), 0);
  assert.equal(levenshtein("granularty", "granularity"), 1);
  assert.equal(levenshtein("kafak", "kafka"), 1);
});

Deno.test("closestMatch only suggests plausible typos", () => {
  assert.equal(closestMatch("sink", ["sinks", "sources", "schedules"]), "sinks");
  assert.equal(closestMatch("Runtime", ["runtime"]), "runtime");
  assert.equal(closestMatch("completely_else", ["runtime"]), undefined);
  assert.equal(closestMatch("6xx", ["1xx", "2xx"]), undefined);
  assert.equal(didYouMean("top_page", ["top_pages"]), " (did you mean 'top_pages'?)");
  assert.equal(didYouMean("zzzz", ["top_pages"]), "");
});
