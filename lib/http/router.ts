/**
 * Routing of the runner's HTTP server: method and URL pattern to handler, 404 and 405 answers.
 * Patterns are the web platform's `URLPattern` (`/api/results/:aggregation`).
 *
 * @module
 */
import { problem } from "./responses.ts";

/** What a handler learns beyond the request. */
export interface RouteContext {
  /** Named groups of the matched pattern, e.g. `{ aggregation: "top_pages_daily" }`. */
  params: Record<string, string>;
  /** The client's address. */
  remoteAddr: string;
}

/** One endpoint. */
export interface Route {
  /** HTTP method. */
  method: "GET" | "POST" | "OPTIONS";
  /** A `URLPattern` pathname, e.g. `/api/results/:aggregation`. */
  path: string;
  /** Who declared it, for the error when two declare the same endpoint. */
  owner: string;
  /** Answers one request. */
  handle(request: Request, context: RouteContext): Response | Promise<Response>;
}

/** Dispatches a request to its route. */
export type Router = (request: Request, remoteAddr: string) => Promise<Response>;

/**
 * Builds a router; throws when two routes claim the same method and path.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { createRouter } from "./router.ts";
 * const route = createRouter([{
 *   method: "GET",
 *   path: "/hello/:name",
 *   owner: "example",
 *   handle: (_request, { params }) => new Response(`hello ${params.name}`),
 * }]);
 * const response = await route(new Request("http://x/hello/ada"), "127.0.0.1");
 * assert.equal(await response.text(), "hello ada");
 * assert.equal((await route(new Request("http://x/nope"), "127.0.0.1")).status, 404);
 * ```
 */
export function createRouter(routes: Route[]): Router {
  const seen = new Map<string, string>();
  for (const route of routes) {
    const id = `${route.method} ${route.path}`;
    const previous = seen.get(id);
    if (previous !== undefined) {
      throw new Error(
        `${id} is served twice (by ${previous} and by ${route.owner}): give one of them ` +
          "another path",
      );
    }
    seen.set(id, route.owner);
  }
  const compiled = routes.map((route) => ({
    route,
    pattern: new URLPattern({ pathname: route.path }),
  }));
  return async (request, remoteAddr) => {
    const url = new URL(request.url);
    const method = request.method === "HEAD" ? "GET" : request.method;
    const allowed: string[] = [];
    for (const { route, pattern } of compiled) {
      const match = pattern.exec({ pathname: url.pathname });
      if (match === null) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(match.pathname.groups)) {
        if (value === undefined) continue;
        try {
          params[name] = decodeURIComponent(value);
        } catch {
          return problem(400, `${name}: malformed percent-encoding in ${JSON.stringify(value)}`);
        }
      }
      return await route.handle(request, { params, remoteAddr });
    }
    if (allowed.length > 0) {
      const response = problem(
        405,
        `${request.method} is not served at ${url.pathname}; use ${allowed.join(" or ")}`,
      );
      response.headers.set("allow", allowed.join(", "));
      return response;
    }
    return problem(404, `nothing is served at ${url.pathname}`);
  };
}
