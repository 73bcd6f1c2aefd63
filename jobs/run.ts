/**
 * `deno task run [--config pipeline.yaml] [--check]`: validates the pipeline, starts Kafka and
 * Cassandra if nothing answers, then runs the real-time loop and the cron schedules until
 * SIGINT or SIGTERM, printing a live status line.
 *
 * @module
 */
import { parseArgs } from "cli";
import { formatIssues, loadPipeline, PipelineError } from "../lib/config/load.ts";
import { describePlan } from "../lib/config/plan.ts";
import type { Pipeline } from "../lib/config/pipeline.ts";
import { ensureServices, ServicesError } from "../lib/services/mod.ts";
import { openPipeline, startRealtime } from "../lib/runtime/start.ts";
import { statusLine } from "../lib/runtime/status.ts";
import { registerSchedules } from "../lib/batch/schedules.ts";
import { errorText } from "../lib/errors.ts";
import { type RouteServer, serveRoutes } from "../lib/http/serve_routes.ts";

const USAGE = `usage: deno task run [--config FILE] [--check]

  --config FILE  pipeline file (default pipeline.yaml)
  --check        validate the pipeline and print its plan without connecting to anything`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      config: { type: "string", default: "pipeline.yaml" },
      check: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let pipeline: Pipeline;
  try {
    pipeline = await loadPipeline(values.config);
  } catch (error) {
    if (error instanceof PipelineError) {
      console.error(formatIssues(error.issues));
      console.error(
        `\n${error.issues.length} problem(s) in ${values.config}; nothing was started.`,
      );
      return 1;
    }
    throw error;
  }
  if (values.check) {
    console.log(describePlan(pipeline));
    console.log(`\n${values.config} is valid.`);
    return 0;
  }

  await ensureServices({
    kafkaBrokers: pipeline.kafka.brokers,
    cassandraContactPoints: pipeline.cassandra.contactPoints,
  });
  const resources = await openPipeline(pipeline);
  const running = await startRealtime(resources);
  let server: RouteServer | undefined;
  if (running.routes.length > 0) {
    const { hostname, port } = pipeline.http;
    try {
      server = await serveRoutes(running.routes, { hostname, port });
    } catch (error) {
      await running.stop();
      await resources.close();
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
      console.error(
        `run: ${hostname}:${port} is already in use; set another address in ${values.config} ` +
          `(http: { listen: "127.0.0.1:8081" }) or stop the program holding it.`,
      );
      return 1;
    }
    const paths = running.routes.map((route) => `${route.method} ${route.path}`).join(", ");
    console.error(`serving ${paths} and GET /health on ${server.url}`);
  }
  const schedules = registerSchedules(resources);
  console.error(
    `running ${pipeline.file}: ${pipeline.aggregations.length} aggregations, ` +
      `${schedules.length} schedules; results in ${pipeline.cassandra.keyspace} ` +
      `(try: SELECT * FROM ${pipeline.cassandra.keyspace}.results). Ctrl-C stops.`,
  );

  const tty = Deno.stderr.isTerminal();
  let previous = running.stats();
  let previousAt = Date.now();
  let lastPrinted = 0;
  const status = setInterval(() => {
    const now = running.stats();
    const line = statusLine(now, previous, Date.now() - previousAt);
    previous = now;
    previousAt = Date.now();
    if (tty) {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}\x1b[K`));
    } else if (Date.now() - lastPrinted >= 10_000) {
      console.error(line);
      lastPrinted = Date.now();
    }
  }, 1000);

  const stopped = new Promise<string>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(signal, () => resolve(signal));
    }
  });
  const reason = await Promise.race([stopped, running.done.then(() => "end of input")]);
  clearInterval(status);
  if (tty) console.error("");
  console.error(`${reason}: stopping`);
  await server?.shutdown();
  const report = await running.stop();
  await resources.close();
  const totals = [...running.stats().values()].reduce(
    (sum, stats) => ({ read: sum.read + stats.read, rejected: sum.rejected + stats.rejected }),
    { read: 0, rejected: 0 },
  );
  console.error(
    `stopped: flushed ${report.windows} window results and ${report.states} state rows, ` +
      `acknowledged ${report.positions} input positions; this run read ${totals.read} messages ` +
      `(${totals.rejected} rejected).`,
  );
  return 0;
}

try {
  Deno.exit(await main());
} catch (error) {
  if (error instanceof ServicesError) {
    console.error(`run: ${error.message}`);
    Deno.exit(1);
  }
  console.error(
    `run: ${errorText(error)}\n` +
      "If Kafka or Cassandra is the cause, `deno task services status` shows what answers and " +
      "`deno task services logs` their last log lines.",
  );
  Deno.exit(1);
}
