/**
 * The runner's HTTP server, wired to a pipeline: `deno task run` and `deno task serve` start it
 * through {@linkcode runnerHttp}.
 *
 * @example
 * ```ts ignore
 * const http = runnerHttp();
 * const running = await startRealtime(resources, { observer: http.observer });
 * const server = await http.start({ resources, running, dashboard: true, log: console.error });
 * console.error(`dashboard on ${server.url}`);
 * ```
 *
 * @module
 */
import type { PipelineResources, RunningPipeline, RuntimeObserver } from "../runtime/start.ts";
import { createHttpApp } from "./app.ts";
import { createLiveFeed } from "./live.ts";
import { createMetrics } from "./metrics.ts";
import {
  assignmentCheck,
  cassandraCheck,
  kafkaCheck,
  lagCheck,
  type ReadinessCheck,
} from "./readiness.ts";
import { HttpListenError, type HttpServer, serveHttp } from "./server.ts";
import { loadDashboardFiles } from "./static_files.ts";
import { pollResults } from "./result_poller.ts";
import { localDate } from "./results_query.ts";
import { aggregationViews } from "./views.ts";
import type { AlertEngine } from "../alerts/engine.ts";
import { visitorsNowReader } from "./visitors_now.ts";

/** How often `deno task serve` looks for changed results while a dashboard is open, ms. */
const SERVE_POLL_MS = 2_000;

export { HttpListenError, type HttpServer };

/** What {@linkcode RunnerHttp.start} serves. */
export interface StartHttpOptions {
  /** The opened pipeline. */
  resources: PipelineResources;
  /** The real-time loop of this process, if it runs one. */
  running?: RunningPipeline;
  /**
   * Serve the dashboard, API, `/ready` and `/metrics`; false (`--no-http`) serves only `/health`
   * and the sources' routes.
   */
  dashboard: boolean;
  /** Operator-facing log line. */
  log: (line: string) => void;
  /** Alerts evaluated in this process, shown at `/api/alerts`, in `/metrics` and on the dashboard. */
  alerts?: Pick<AlertEngine, "alerts" | "notifiers">;
  /** The clock, ms since epoch: what "today" and "now" are (default `Date.now`; tests set it). */
  now?: () => number;
}

/** The HTTP side of one runner process. */
export interface RunnerHttp {
  /** Hand to `startRealtime`: live results and flush metrics come through it. */
  observer: RuntimeObserver;
  /** Starts listening on `http.listen`. */
  start(options: StartHttpOptions): Promise<HttpServer>;
}

/** Creates the HTTP side of a runner process; its observer works before the server starts. */
export function runnerHttp(): RunnerHttp {
  const feed = createLiveFeed();
  let running: RunningPipeline | undefined;
  const stats = () => running?.stats() ?? new Map();
  const metrics = createMetrics(stats);
  return {
    observer: {
      flushed(source, flushed) {
        metrics.observer.flushed?.(source, flushed);
        feed.publishResults(flushed.results);
      },
      sinkFailed: (sink, error) => metrics.observer.sinkFailed?.(sink, error),
    },
    async start(options) {
      running = options.running;
      const { pipeline, context, sinks } = options.resources;
      metrics.knowSinks([...sinks.keys()]);
      if (options.alerts !== undefined) metrics.knowAlerts(options.alerts);
      let stopping = false;
      const checks: ReadinessCheck[] = [
        () =>
          Promise.resolve({
            name: "process",
            ok: !stopping,
            detail: stopping ? "stopping: flushing and acknowledging" : "running",
          }),
        cassandraCheck(context.cassandra),
      ];
      if (running !== undefined) {
        const current = running;
        checks.push(kafkaCheck(context.kafka));
        for (const source of current.assignments().keys()) {
          checks.push(assignmentCheck(source, () => current.assignments().get(source)));
        }
        for (const source of current.stats().keys()) {
          checks.push(
            lagCheck(
              source,
              () => current.stats().get(source)?.lag ?? 0,
              pipeline.http.readyMaxLag,
            ),
          );
        }
      }
      const handler = createHttpApp({
        pipeline,
        sinks,
        ...(running === undefined ? {} : { stats }),
        feed,
        metrics,
        checks,
        sourceRoutes: running?.routes ?? [],
        ...(options.dashboard ? { dashboard: await loadDashboardFiles() } : {}),
        log: options.log,
        ...(options.alerts === undefined ? {} : { alerts: options.alerts }),
        visitorsNow: visitorsNowReader(
          context.cassandra,
          `${pipeline.cassandra.keyspace}.${pipeline.runtime.logTable}`,
          options.now,
        ),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      const server = await serveHttp({
        settings: pipeline.http,
        handler,
        feed,
        ...(running === undefined ? {} : { stats }),
      });
      const stoppable: HttpServer = {
        ...server,
        draining: () => {
          stopping = true;
        },
      };
      if (running !== undefined || !options.dashboard) return stoppable;
      // Nothing flushes here (deno task serve): live views come from reading results back.
      const poller = pollResults({
        views: aggregationViews(pipeline, sinks),
        feed,
        today: () => localDate(Date.now(), pipeline.runtime.timeZone),
        intervalMs: SERVE_POLL_MS,
        log: options.log,
      });
      return {
        ...stoppable,
        close: async () => {
          poller.stop();
          await server.close();
        },
      };
    },
  };
}
