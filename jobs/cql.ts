/**
 * `deno task cql "SELECT ..."`: runs one CQL statement against the pipeline's Cassandra and
 * prints the rows as a table. Native installs have no cqlsh; this is enough to look at results.
 *
 * @module
 */
import { parseArgs } from "cli";
import cassandra from "cassandra-driver";
import { cassandraContactPoints } from "../lib/services/settings.ts";
import { errorText } from "../lib/errors.ts";
import { withDayWords } from "./cql_dates.ts";

const USAGE = `usage: deno task cql "SELECT * FROM web_analytics.results WHERE date = 'today'"

Runs one CQL statement against $CASSANDRA_CONTACT_POINTS (default 127.0.0.1:9042) and prints
the rows (at most --limit, default 100). The literals 'today' and 'yesterday' stand for those
dates in --time-zone (default UTC, the shipped pipelines' runtime.time_zone).`;

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    limit: { type: "string", default: "100" },
    "time-zone": { type: "string", default: "UTC" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help || positionals.join(" ").trim() === "") {
  console.log(USAGE);
  Deno.exit(values.help ? 0 : 2);
}
let statement: string;
try {
  const resolved = withDayWords(positionals.join(" ").trim(), values["time-zone"], Date.now());
  statement = resolved.statement;
  if (resolved.replaced.length > 0) {
    console.error(`cql: ${resolved.replaced.join(", ")} (${values["time-zone"]})`);
  }
} catch (error) {
  console.error(`cql: --time-zone: ${errorText(error)}`);
  Deno.exit(2);
}

const client = new cassandra.Client({
  contactPoints: cassandraContactPoints(),
  localDataCenter: "datacenter1",
});
try {
  const result = await client.execute(statement, [], { fetchSize: Number(values.limit) || 100 });
  const columns = result.columns?.map((column) => column.name) ?? [];
  // A statement without rows (DDL, INSERT) answers with no `rows` at all.
  const rows = (result.rows ?? []).map((row) => columns.map((name) => display(row.get(name))));
  const widths = columns.map((name, i) =>
    Math.max(name.length, ...rows.map((row) => row[i]!.length))
  );
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ");
  if (columns.length > 0) {
    console.log(line(columns));
    console.log(widths.map((width) => "-".repeat(width)).join("-+-"));
    for (const row of rows) console.log(line(row));
    console.log(`\n(${rows.length} rows${result.pageState ? ", more not shown" : ""})`);
  } else {
    console.log("done.");
  }
} catch (error) {
  console.error(`cql: ${errorText(error)}`);
  Deno.exitCode = 1;
} finally {
  await client.shutdown();
}

function display(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return value.toISOString();
  // Maps (the log's props) and lists come back as plain objects and arrays.
  if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
    return JSON.stringify(value);
  }
  return String(value);
}
