/**
 * `deno task archive verify DIR [--config FILE]`: reads the Parquet files of an `archive` sink
 * back and checks, for every UTC hour from the first to the last one archived, that they hold as
 * many rows as the pipeline's `log` table, and that no record is archived twice.
 *
 * @module
 */
import { parseArgs } from "cli";
import { compareHours, readArchive } from "../lib/archive/verify.ts";
import { bucketsBetween, readLog } from "../lib/log_read.ts";
import { createCassandraClient } from "../lib/runtime/cassandra.ts";
import { errorText } from "../lib/errors.ts";
import { loadForJob } from "./_job.ts";

const USAGE = `usage: deno task archive verify DIR [--config FILE]

  verify DIR     read every Parquet file below DIR and compare the rows of each UTC hour
                 (from the first to the last hour archived) with the log table; exits 1 on a
                 difference or a record archived twice
  --config FILE  pipeline whose Cassandra and log table are read (default pipeline.yaml)`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      config: { type: "string", default: "pipeline.yaml" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, dir] = positionals;
  if (command !== "verify" || dir === undefined) {
    console.error(USAGE);
    return 2;
  }
  const pipeline = await loadForJob(values.config);
  if (pipeline === undefined) return 1;
  let contents;
  try {
    contents = await readArchive(dir);
  } catch (error) {
    console.error(`archive: cannot read ${dir}: ${errorText(error)}`);
    return 1;
  }
  const hours = [...contents.rowsByHour.keys()].sort();
  if (hours.length === 0) {
    console.error(`archive: no Parquet file below ${dir}; nothing to verify`);
    return 1;
  }
  const client = createCassandraClient(pipeline.cassandra);
  const logged = new Map<string, number>();
  try {
    await client.connect();
    const first = Date.parse(`${hours[0]}:00:00Z`);
    const last = Date.parse(`${hours[hours.length - 1]}:00:00Z`);
    await readLog(
      client,
      pipeline.cassandra.keyspace,
      pipeline.runtime.logTable,
      bucketsBetween(first, last + 3_600_000),
      () => {},
      {
        onBucketDone: (bucket, rows) => {
          if (rows > 0) {
            logged.set(`${bucket.date}T${String(bucket.hour).padStart(2, "0")}`, rows);
          }
        },
      },
    );
  } catch (error) {
    console.error(
      `archive: reading ${pipeline.cassandra.keyspace}.${pipeline.runtime.logTable} failed: ` +
        `${errorText(error)}; check that Cassandra answers (deno task services status)`,
    );
    return 1;
  } finally {
    await client.shutdown().catch(() => {});
  }
  let differences = 0;
  for (const check of compareHours(contents.rowsByHour, logged)) {
    const ok = check.archived === check.logged;
    if (!ok) differences++;
    console.log(
      `${check.hour}  archive ${String(check.archived).padStart(8)}  log ${
        String(check.logged).padStart(8)
      }  ${ok ? "ok" : "DIFFERENT"}`,
    );
  }
  for (const [id, count] of contents.duplicates) console.log(`${id} archived ${count} times`);
  const summary = `${contents.files} files, ${contents.ids.size} records`;
  if (differences > 0 || contents.duplicates.size > 0) {
    console.error(
      `archive: ${summary}; ${differences} hour(s) differ from log, ` +
        `${contents.duplicates.size} record(s) archived more than once. If log_ttl dropped old ` +
        "log rows, the oldest hours differ for that reason.",
    );
    return 1;
  }
  console.log(`archive: ${summary}; every hour matches log, no record twice.`);
  return 0;
}

Deno.exit(await main());
