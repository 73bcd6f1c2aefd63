/**
 * `deno task serve [--config pipeline.yaml]`: the HTTP server alone (dashboard, results API,
 * `/health`, `/ready`, `/metrics`), reading results from Cassandra, for when processing runs
 * elsewhere. Only Cassandra must answer. Runs until SIGINT or SIGTERM.
 *
 * @module
 */
import { parseArgs } from "cli";
import { openPipeline } from "../lib/runtime/start.ts";
import { HttpListenError, runnerHttp } from "../lib/http/mod.ts";
import { errorText } from "../lib/errors.ts";
import { loadForJob } from "./_job.ts";

const USAGE = `usage: deno task serve [--config FILE]

  --config FILE  pipeline file (default pipeline.yaml); its http: section says where to listen`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      config: { type: "string", default: "pipeline.yaml" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const pipeline = await loadForJob(values.config);
  if (pipeline === undefined) return 1;
  const log = (line: string) => console.error(`serve: ${line}`);
  const resources = await openPipeline(pipeline, { log, readOnly: true });
  const server = await runnerHttp().start({ resources, dashboard: true, log });
  console.error(`serve: dashboard on ${server.url}/ (results from ${pipeline.cassandra.keyspace})`);
  const signal = await new Promise<string>((resolve) => {
    for (const name of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(name, () => resolve(name));
    }
  });
  console.error(`serve: ${signal}: stopping`);
  await server.close();
  await resources.close();
  return 0;
}

try {
  Deno.exit(await main());
} catch (error) {
  if (error instanceof HttpListenError) {
    console.error(`serve: ${error.message}`);
    Deno.exit(1);
  }
  console.error(
    `serve: ${errorText(error)}\n` +
      "If Cassandra is the cause, `deno task services status` shows what answers.",
  );
  Deno.exit(1);
}
