import assert from "assert";
import { isStaticAsset, withoutQuery } from "./paths.ts";
import { percentOf } from "./percent.ts";

Deno.test("withoutQuery cuts at the first ? or #", () => {
  assert.equal(withoutQuery("/a?b=1#c"), "/a");
  assert.equal(withoutQuery("/a#c?d"), "/a");
  assert.equal(withoutQuery("/a"), "/a");
});

Deno.test("isStaticAsset reads the last segment's extension, in any case", () => {
  assert.deepEqual(
    ["/x.css", "/i/a.WEBP", "/f.woff2", "/v1.2/docs", "/products/42", "/a.js/b", "/file.pdf"]
      .map(isStaticAsset),
    [true, true, true, false, false, false, false],
  );
});

Deno.test("percentOf rounds to two decimals and gives 0 of nothing", () => {
  assert.deepEqual([percentOf(1, 3), percentOf(2, 3), percentOf(3, 3), percentOf(1, 0)], [
    33.33,
    66.67,
    100,
    0,
  ]);
});
