/**
 * The runner's one HTTP server, as a request handler: the dashboard, the results API, the live
 * stream, `/health`, `/ready`, `/metrics`, and the routes of started sources, behind the token
 * check when the server listens beyond loopback.
 *
 * @module
 */
import type { HttpRoute, Sink } from "../contracts.ts";
import type { Pipeline } from "../config/pipeline.ts";
import type { ProcessorStats } from "../realtime/processor.ts";
import { checkToken } from "./auth.ts";
import type { LiveFeed } from "./live.ts";
import type { Metrics } from "./metrics.ts";
import { readiness, type ReadinessCheck } from "./readiness.ts";
import { DASHBOARD_CSP, json, problem, withSafetyHeaders } from "./responses.ts";
import { resultsRoutes } from "./results_routes.ts";
import { createRouter, type Route } from "./router.ts";
import type { StaticFile } from "./static_files.ts";
import { aggregationViews } from "./views.ts";
import type { VisitorsNow } from "./visitors_now.ts";
import { errorText } from "../errors.ts";
import type { AlertEngine } from "../alerts/engine.ts";

/** Everything the server shows. */
export interface HttpAppOptions {
  /** The pipeline (aggregations, time zone, token). */
  pipeline: Pipeline;
  /** Opened sinks, read back for results. */
  sinks: Map<string, Sink>;
  /** Live counters by source; absent when nothing is processed in this process. */
  stats?: () => Map<string, ProcessorStats>;
  /** Live events. */
  feed: LiveFeed;
  /** Metrics registry. */
  metrics: Metrics;
  /** Checks behind `/ready`. */
  checks: ReadinessCheck[];
  /** Routes declared by started sources. */
  sourceRoutes: HttpRoute[];
  /** Dashboard files by path; undefined serves no dashboard, API, metrics or readiness. */
  dashboard?: Map<string, StaticFile>;
  /** Operator-facing log line. */
  log: (line: string) => void;
  /** Alerts of this process (absent: `/api/alerts` answers that none are evaluated here). */
  alerts?: Pick<AlertEngine, "alerts" | "notifiers">;
  /** Counts the visitors of the last minutes (`/api/visitors/now`); absent, it answers 409. */
  visitorsNow?: () => Promise<VisitorsNow>;
  /** The clock, ms since epoch: what "today" is (default `Date.now`). */
  now?: () => number;
}

/** Answers one request. */
export type HttpHandler = (request: Request, remoteAddr: string) => Promise<Response>;

/**
 * Builds the handler. With `dashboard` undefined (`--no-http` while a source declares routes)
 * only `/health` and the sources' routes are served.
 *
 * @throws When two routes claim the same method and path.
 */
export function createHttpApp(options: HttpAppOptions): HttpHandler {
  const { pipeline, feed, metrics } = options;
  const views = aggregationViews(pipeline, options.sinks);
  const timeZone = pipeline.runtime.timeZone;
  const started = Date.now();
  const own = (route: Omit<Route, "owner">): Route => ({ ...route, owner: "the runner" });

  const routes: Route[] = [
    own({
      method: "GET",
      path: "/health",
      handle: () => json({ status: "alive", uptime_s: Math.round((Date.now() - started) / 1000) }),
    }),
    ...options.sourceRoutes.map((route): Route => ({
      method: route.method,
      path: route.path,
      owner: "a source",
      handle: (request, context) => route.handle(request, { remoteAddr: context.remoteAddr }),
    })),
  ];
  if (options.dashboard !== undefined) {
    const files = options.dashboard;
    for (const [path, file] of files) {
      routes.push(own({
        method: "GET",
        path,
        handle: () =>
          new Response(file.body.slice(), {
            headers: {
              "content-type": file.type,
              "cache-control": "no-cache",
              ...(file.type.startsWith("text/html")
                ? { "content-security-policy": DASHBOARD_CSP }
                : {}),
            },
          }),
      }));
    }
    routes.push(
      own({
        method: "GET",
        path: "/ready",
        handle: async () => {
          const report = await readiness(options.checks);
          return json(
            { status: report.ready ? "ready" : "unready", ...report },
            report.ready ? 200 : 503,
          );
        },
      }),
      own({
        method: "GET",
        path: "/metrics",
        handle: async () =>
          new Response(await metrics.render(), {
            headers: { "content-type": metrics.contentType },
          }),
      }),
      ...resultsRoutes({
        views,
        timeZone,
        processing: options.stats !== undefined,
        ...(options.now === undefined ? {} : { now: options.now }),
      }).map(own),
      own({
        method: "GET",
        path: "/api/visitors/now",
        handle: async () =>
          options.visitorsNow === undefined
            ? problem(409, "visitors now need the log table, which this server does not read")
            : json(await options.visitorsNow()),
      }),
      own({
        method: "GET",
        path: "/api/alerts",
        handle: () =>
          json({
            evaluated: options.alerts !== undefined,
            alerts: (options.alerts?.alerts() ?? []).map((alert) => ({
              rule: alert.rule,
              series: alert.series,
              status: alert.status,
              severity: alert.severity,
              labels: alert.labels,
              value: Number.isFinite(alert.value) ? alert.value : null,
              text: alert.text,
              active_since: isoOrNull(alert.activeSince),
              fired_at: isoOrNull(alert.firedAt),
              resolved_at: isoOrNull(alert.resolvedAt),
            })),
            notifiers: (options.alerts?.notifiers() ?? []).map((notifier) => ({
              name: notifier.name,
              delivered: notifier.delivered,
              failures: notifier.failures,
              pending: notifier.pending,
              failing_since: isoOrNull(notifier.failing?.since),
              last_error: notifier.failing?.lastError ?? null,
            })),
          }),
      }),
      own({
        method: "GET",
        path: "/api/stream",
        handle: () => feed.connect(),
      }),
    );
  }
  const route = createRouter(routes);
  const token = pipeline.http.token;
  const tokenEnv = pipeline.http.tokenEnv;

  const publicRoutes = new Set(
    options.sourceRoutes.filter((route) => route.public).map((r) => `${r.method} ${r.path}`),
  );
  return async (request, remoteAddr) => {
    const isPublic = publicRoutes.has(`${request.method} ${new URL(request.url).pathname}`);
    const refused = isPublic ? undefined : checkToken(request, token, tokenEnv);
    if (refused !== undefined) return withSafetyHeaders(refused);
    try {
      return withSafetyHeaders(await route(request, remoteAddr));
    } catch (error) {
      const path = new URL(request.url).pathname;
      options.log(`http: ${request.method} ${path} failed: ${errorText(error)}`);
      return withSafetyHeaders(
        problem(500, `${request.method} ${path} failed: ${errorText(error, { firstLine: true })}`),
      );
    }
  };
}

/** An instant as ISO-8601, or null. */
function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
