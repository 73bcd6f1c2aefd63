import assert from "assert";
import { schemaNotYetKnown } from "./schema_settle.ts";

Deno.test("schema: a node that has not heard of a keyspace yet is told apart from other errors", () => {
  // The answer a runner got on a three-node cluster while another runner created the keyspace.
  assert.ok(schemaNotYetKnown(new Error("Keyspace 'bench_c15_chaos' doesn't exist")));
  assert.ok(schemaNotYetKnown(new Error("Table 'bench_c15_chaos.log' doesn't exist")));
  assert.ok(schemaNotYetKnown(new Error("unconfigured table log")));
  assert.ok(!schemaNotYetKnown(new Error("All host(s) tried for query failed.")));
  assert.ok(!schemaNotYetKnown(new Error("line 1:7 no viable alternative at input 'TABL'")));
});
