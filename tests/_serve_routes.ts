/**
 * A minimal HTTP server for the routes sources declare (`SourceRunner.routes`), until the
 * runner's own server (dashboard, API, health) mounts them. It dispatches on exact method and
 * path, answers `GET /health`, and nothing else.
 *
 * @module
 */
import type { HttpRoute } from "../lib/contracts.ts";
import { errorText } from "../lib/errors.ts";

/** A running route server. */
export interface RouteServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The port listened on (useful with port 0). */
  port: number;
  /** Stops accepting requests and waits for those in flight. */
  shutdown(): Promise<void>;
}

/** Settings of {@linkcode serveRoutes}. */
export interface ServeRoutesOptions {
  /** Address to listen on (default 127.0.0.1). */
  hostname?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Operator log for handler failures (default console.error). */
  log?: (line: string) => void;
}

/**
 * Answers one request from `routes`: the route with the same method and path; 404 for an
 * unknown path, 405 with `Allow` for a known path and another method; a handler that throws
 * gives 500 and a log line (the request's path JSON-quoted, so nothing it holds reaches the log
 * raw).
 *
 * @param routes The routes.
 * @param log Where handler failures are reported.
 * @returns The request handler.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { routeHandler } from "./_serve_routes.ts";
 * const handle = routeHandler([
 *   { method: "GET", path: "/hi", handle: () => new Response("hi") },
 * ], () => {});
 * const info = { remoteAddr: "127.0.0.1" };
 * assert.equal((await handle(new Request("http://x/hi"), info)).status, 200);
 * assert.equal((await handle(new Request("http://x/hi", { method: "POST" }), info)).status, 405);
 * assert.equal((await handle(new Request("http://x/nope"), info)).status, 404);
 * ```
 */
export function routeHandler(
  routes: readonly HttpRoute[],
  log: (line: string) => void,
): (request: Request, info: { remoteAddr: string }) => Promise<Response> {
  const byPath = new Map<string, Map<string, HttpRoute>>();
  for (const route of routes) {
    let methods = byPath.get(route.path);
    if (methods === undefined) byPath.set(route.path, methods = new Map());
    if (methods.has(route.method)) {
      throw new Error(`two routes serve ${route.method} ${route.path}; keep one`);
    }
    methods.set(route.method, route);
  }
  if (!byPath.has("/health")) {
    byPath.set("/health", new Map([["GET", healthRoute]]));
  }
  return async (request, info) => {
    const path = new URL(request.url).pathname;
    const methods = byPath.get(path);
    if (methods === undefined) {
      return Response.json({ error: `no endpoint at ${JSON.stringify(path)}` }, { status: 404 });
    }
    const route = methods.get(request.method);
    if (route === undefined) {
      const allow = [...methods.keys()].join(", ");
      return Response.json(
        { error: `${request.method} is not served at ${path}; use ${allow}` },
        { status: 405, headers: { allow } },
      );
    }
    try {
      return await route.handle(request, info);
    } catch (error) {
      log(`http: ${request.method} ${JSON.stringify(path)} failed: ${errorText(error)}`);
      return Response.json({ error: "internal error; the server log has the reason" }, {
        status: 500,
      });
    }
  };
}

const healthRoute: HttpRoute = {
  method: "GET",
  path: "/health",
  handle: () => Response.json({ status: "ok" }),
};

/**
 * Serves `routes` with `Deno.serve`.
 *
 * @param routes The routes.
 * @param options Address, port and log.
 * @returns The running server once it listens.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { serveRoutes } from "./_serve_routes.ts";
 * const server = await serveRoutes([], { port: 0 });
 * assert.equal((await fetch(`${server.url}/health`).then((r) => r.json())).status, "ok");
 * await server.shutdown();
 * ```
 */
export async function serveRoutes(
  routes: readonly HttpRoute[],
  options: ServeRoutesOptions = {},
): Promise<RouteServer> {
  const handle = routeHandler(routes, options.log ?? ((line) => console.error(line)));
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve(
    {
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 8080,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
      onError: (error) => {
        (options.log ?? console.error)(`http: ${errorText(error)}`);
        return Response.json({ error: "internal error" }, { status: 500 });
      },
    },
    (request, info) => handle(request, { remoteAddr: (info.remoteAddr as Deno.NetAddr).hostname }),
  );
  const addr = await listening.promise;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    shutdown: () => server.shutdown(),
  };
}
