/**
 * `deno task run [--config pipeline.yaml] [--check] [--no-http]`: validates the pipeline, starts
 * Kafka and Cassandra if nothing answers, then runs the real-time loop, the cron schedules and
 * the HTTP server (dashboard, API, health, metrics) until SIGINT or SIGTERM, printing a live
 * status line.
 *
 * @module
 */
import { parseArgs } from "cli";
import { describePlan } from "../lib/config/plan.ts";
import { ensureServices, ServicesError } from "../lib/services/mod.ts";
import { openPipeline, startRealtime } from "../lib/runtime/start.ts";
import { statusLine } from "../lib/runtime/status.ts";
import { registerSchedules } from "../lib/batch/schedules.ts";
import { errorText } from "../lib/errors.ts";
import { HttpListenError, runnerHttp } from "../lib/http/mod.ts";
import { loadForJob, postgresUrlsOf } from "./_job.ts";
import { TransformOpenError } from "../lib/runtime/transforms.ts";
import { startAlerts } from "../lib/alerts/run.ts";
import { alertsStatus } from "../lib/alerts/status.ts";

const USAGE = `usage: deno task run [--config FILE] [--check] [--no-http]

  --config FILE  pipeline file (default pipeline.yaml)
  --check        validate the pipeline and print its plan without connecting to anything
  --no-http      no dashboard, API, /ready or /metrics (routes of sources and /health stay)`;

/**
 * Resolves with the first SIGINT or SIGTERM, listened for from the start so that a stop asked
 * for during start-up is a clean stop once start-up is done (a second signal quits at once).
 */
function stopSignal(): { stopped: Promise<string>; started(): void } {
  let running = false;
  const stopped = new Promise<string>((resolve) => {
    let received: string | undefined;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(signal, () => {
        if (received !== undefined) {
          console.error(`${signal} again: quitting without a clean stop`);
          Deno.exit(signal === "SIGINT" ? 130 : 143);
        }
        received = signal;
        if (!running) console.error(`${signal}: stopping once start-up is done (again: quit now)`);
        resolve(signal);
      });
    }
  });
  return { stopped, started: () => running = true };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      config: { type: "string", default: "pipeline.yaml" },
      check: { type: "boolean", default: false },
      "no-http": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const pipeline = await loadForJob(values.config);
  if (pipeline === undefined) return 1;
  if (values.check) {
    console.log(describePlan(pipeline));
    console.log(`\n${values.config} is valid.`);
    return 0;
  }

  const signals = stopSignal();
  await ensureServices({
    kafkaBrokers: pipeline.kafka.brokers,
    cassandraContactPoints: pipeline.cassandra.contactPoints,
    postgresUrls: postgresUrlsOf(pipeline),
  });
  const resources = await openPipeline(pipeline);
  const http = runnerHttp();
  let alerts;
  try {
    alerts = await startAlerts(resources, { log: (line) => console.error(line) });
  } catch (error) {
    await resources.close();
    throw error;
  }
  const running = await startRealtime(resources, {
    observer: {
      flushed(source, flushed) {
        http.observer.flushed?.(source, flushed);
        alerts.observer.flushed?.(source, flushed);
      },
      sinkFailed: (sink, error) => http.observer.sinkFailed?.(sink, error),
    },
  });
  alerts.watch(() => running.stats());
  const dashboard = !values["no-http"];
  let server;
  try {
    server = dashboard || running.routes.length > 0
      ? await http.start({
        resources,
        running,
        dashboard,
        log: (line) => console.error(line),
        alerts: alerts.engine,
      })
      : undefined;
  } catch (error) {
    // Stop what already runs cleanly (flush, acknowledge) before reporting why.
    await running.stop();
    await alerts.close();
    await resources.close();
    throw error;
  }
  if (server !== undefined) {
    console.error(dashboard ? `dashboard: ${server.url}/` : `http: ${server.url} (source routes)`);
  }
  const schedules = registerSchedules(resources);
  const firstTable = pipeline.sinks.flatMap((sink) => sink.plugin.tables?.(sink.options) ?? [])[0];
  console.error(
    `running ${pipeline.file}: ${pipeline.aggregations.length} aggregations, ` +
      `${schedules.length} schedules; results in ${pipeline.cassandra.keyspace}` +
      (firstTable === undefined
        ? ""
        : ` (try: deno task cql "SELECT * FROM ${pipeline.cassandra.keyspace}.${firstTable} ` +
          `WHERE date = 'today'"` +
          (pipeline.runtime.timeZone === "UTC" ? "" : ` --time-zone ${pipeline.runtime.timeZone}`) +
          ")") +
      `. Ctrl-C stops.`,
  );

  const tty = Deno.stderr.isTerminal();
  let previous = running.stats();
  let previousAt = Date.now();
  let lastPrinted = 0;
  const status = setInterval(() => {
    const now = running.stats();
    const line = statusLine(now, previous, Date.now() - previousAt) +
      alertsStatus(alerts.engine.alerts(), alerts.engine.notifiers());
    previous = now;
    previousAt = Date.now();
    if (tty) {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}\x1b[K`));
    } else if (Date.now() - lastPrinted >= 10_000) {
      console.error(line);
      lastPrinted = Date.now();
    }
  }, 1000);

  signals.started();
  const reason = await Promise.race([
    signals.stopped,
    running.done.then(() => "end of input", (error) => ({ failure: error })),
  ]);
  if (typeof reason !== "string") {
    // A persistent failure: the message names the service and what to check. Nothing more is
    // flushed (the failing service is what a flush needs); the next start resumes from the
    // last commit.
    clearInterval(status);
    if (tty) console.error("");
    console.error(`run: ${errorText(reason.failure)}`);
    await alerts.close().catch(() => {});
    await resources.close().catch(() => {});
    return 1;
  }
  clearInterval(status);
  if (tty) console.error("");
  console.error(`${reason}: stopping`);
  server?.draining();
  const report = await running.stop();
  await alerts.close();
  await server?.close();
  await resources.close();
  const totals = [...running.stats().values()].reduce(
    (sum, stats) => ({ read: sum.read + stats.read, rejected: sum.rejected + stats.rejected }),
    { read: 0, rejected: 0 },
  );
  for (const [source, stats] of running.stats()) {
    console.error(
      `${source}: ${stats.flushTimes.count} flushes, p50 ${stats.flushTimes.p50Ms} ms, ` +
        `p99 ${stats.flushTimes.p99Ms} ms; largest state write ${stats.largestWriteBytes} bytes; ` +
        `${stats.changelogRows} state rows written; ` +
        `${stats.tooLate} too late for real time; state: ${stats.stateKeys} keys` +
        (stats.spilledKeys === 0
          ? ""
          : ` (${stats.stateKeysInMemory} in memory; ${stats.spilledKeys} spilled and ` +
            `${stats.loadedKeys} read back so far)`) +
        ` in ${stats.ownedPartitions} partitions owned, ${stats.followedPartitions} followed`,
    );
  }
  console.error(
    `stopped: flushed ${report.windows} window results and ${report.states} state changelog entries, ` +
      `acknowledged ${report.positions} input positions; this run read ${totals.read} messages ` +
      `(${totals.rejected} rejected).`,
  );
  return 0;
}

try {
  Deno.exit(await main());
} catch (error) {
  if (
    error instanceof ServicesError || error instanceof HttpListenError ||
    error instanceof TransformOpenError
  ) {
    console.error(`run: ${error.message}`);
    Deno.exit(1);
  }
  console.error(
    `run: ${errorText(error)}\n` +
      "If Kafka, Cassandra or PostgreSQL is the cause, `deno task services status` shows what " +
      "answers and `deno task services logs` their last log lines.",
  );
  Deno.exit(1);
}
