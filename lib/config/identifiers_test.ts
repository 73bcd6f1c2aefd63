import assert from "assert";
import { ENTRY_NAME, explainCqlIdentifier, isCqlIdentifier, isTopicName } from "./identifiers.ts";

Deno.test("CQL identifiers are lower snake case and not keywords", () => {
  for (const good of ["log", "top_pages_daily", "t1", "a".repeat(48)]) {
    assert.equal(isCqlIdentifier(good), true, good);
  }
  for (
    const bad of ["drop table;x", "Log", "1table", "_x", "a".repeat(49), "select", "table", ""]
  ) {
    assert.equal(isCqlIdentifier(bad), false, bad);
  }
  assert.equal(explainCqlIdentifier("select"), '"select" is a reserved CQL word');
});

Deno.test("Kafka topic names", () => {
  for (const good of ["RAWLOG", "web.logs-v2_x", "a".repeat(249)]) {
    assert.equal(isTopicName(good), true);
  }
  for (const bad of ["", "raw log", "a/b", "a".repeat(250), ".", ".."]) {
    assert.equal(isTopicName(bad), false, bad);
  }
});

Deno.test("entry names", () => {
  assert.equal(ENTRY_NAME.test("top_pages_daily"), true);
  assert.equal(ENTRY_NAME.test("Top"), false);
  assert.equal(ENTRY_NAME.test("top-pages"), false);
});
