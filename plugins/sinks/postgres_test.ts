import assert from "assert";
import { type ResultShape, type SinkBinding, windowSize } from "../../lib/sdk/mod.ts";
import postgresSink from "./postgres.ts";
import { resultsTable } from "./postgres/results_table.ts";

const productActions: ResultShape = {
  key: [{ name: "product_id", type: "text" }, { name: "action", type: "text" }],
  values: [{ name: "count", type: "bigint" }, { name: "share", type: "double" }],
};

function binding(shape: ResultShape, aggregation = "product_actions"): SinkBinding {
  return { aggregation, window: windowSize("5m"), shape };
}

Deno.test("postgres tables are made from the result shape, identifiers quoted", () => {
  const layout = resultsTable("analytics", "wa_", binding(productActions));
  assert.deepEqual(layout.create, [
    'CREATE TABLE IF NOT EXISTS "analytics"."wa_product_actions" (' +
    '"window_start" timestamp with time zone NOT NULL, ' +
    '"window_end" timestamp with time zone NOT NULL, "product_id" text NOT NULL, ' +
    '"action" text NOT NULL, "count" bigint, "share" double precision, ' +
    '"window_records" bigint NOT NULL, "computed_at" timestamp with time zone NOT NULL, ' +
    'PRIMARY KEY ("window_start", "product_id", "action"))',
    'CREATE TABLE IF NOT EXISTS "analytics"."wa_product_actions_windows" (' +
    '"window_start" timestamp with time zone NOT NULL, ' +
    '"window_end" timestamp with time zone NOT NULL, "window_records" bigint NOT NULL, ' +
    '"computed_at" timestamp with time zone NOT NULL, "window_version" bigint NOT NULL, ' +
    '"row_count" integer NOT NULL, PRIMARY KEY ("window_start"))',
  ]);
});

Deno.test("postgres result columns must be plain names the sink does not use", () => {
  for (const name of ["window_start", "Page", 'x"; DROP TABLE y; --']) {
    assert.throws(
      () => resultsTable("public", "", binding({ key: { name, type: "text" }, values: [] })),
      /declares result column .* rename it in the plugin's shape/,
      name,
    );
  }
  assert.throws(
    () => resultsTable("public", "a".repeat(40), binding(productActions, "b".repeat(20))),
    /longer than PostgreSQL's 63 characters; shorten options.table_prefix/,
  );
});

Deno.test("postgres sink options say what they expected", () => {
  const bad = postgresSink.options.safeParse({
    url: "mysql://x",
    schema: "Analytics",
    tls: { mode: "sometimes" },
  });
  assert.ok(!bad.success);
  const messages = bad.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  assert.ok(messages.some((m) => m.startsWith("url: expected a PostgreSQL URL")), messages.join());
  assert.ok(messages.some((m) => m.startsWith("schema: expected a schema name")), messages.join());
  assert.ok(messages.some((m) => m.startsWith("tls.mode:")), messages.join());
  const long = postgresSink.options.safeParse({
    url: "postgres://h/db",
    events_table: "e".repeat(55),
  });
  assert.ok(!long.success);
  assert.match(long.error.issues[0]!.message, /at most 54 characters: a day's partition adds/);
  const good = postgresSink.options.parse(postgresSink.example);
  assert.deepEqual(postgresSink.postgresUrls!(good), [postgresSink.example.url]);
});
