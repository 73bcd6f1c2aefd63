/**
 * CORS for endpoints browsers call from other origins: which origins may, and the headers that
 * say so.
 *
 * @module
 */

/** What a CORS policy allows. */
export interface CorsPolicy {
  /** Allowed origins (`https://shop.example`), or `*` for any. Empty: no cross-origin use. */
  origins: readonly string[];
  /** Methods allowed cross-origin, e.g. `["POST"]`. */
  methods: readonly string[];
  /** Request headers allowed cross-origin, e.g. `["content-type", "x-api-key"]`. */
  headers: readonly string[];
  /** How long a browser may cache a preflight answer, in seconds. */
  maxAgeSeconds: number;
}

/**
 * The CORS headers for a response to `request`: `Access-Control-Allow-Origin` (the request's
 * own origin, never a wildcard, so credentials-free and credentialed use alike are exact) and
 * `Vary: Origin`, when its origin is allowed.
 *
 * @param request The request.
 * @param policy The policy.
 * @returns Headers to add; empty when the request has no allowed origin.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { corsHeaders } from "./cors.ts";
 * const policy = { origins: ["https://shop.example"], methods: ["POST"], headers: [], maxAgeSeconds: 600 };
 * const request = new Request("http://x", { headers: { origin: "https://shop.example" } });
 * assert.equal(corsHeaders(request, policy)["access-control-allow-origin"], "https://shop.example");
 * ```
 */
export function corsHeaders(request: Request, policy: CorsPolicy): Record<string, string> {
  const origin = request.headers.get("origin");
  if (origin === null || !originAllowed(origin, policy)) return {};
  return { "access-control-allow-origin": origin, "vary": "Origin" };
}

function originAllowed(origin: string, policy: CorsPolicy): boolean {
  return policy.origins.includes("*") || policy.origins.includes(origin);
}

/**
 * Answers a CORS preflight (`OPTIONS`): 204 with the allowed methods and headers when the origin
 * is allowed, 403 saying which origin was refused otherwise.
 *
 * @param request The `OPTIONS` request.
 * @param policy The policy.
 * @returns The response.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { preflight } from "./cors.ts";
 * const policy = { origins: ["*"], methods: ["POST"], headers: ["content-type"], maxAgeSeconds: 600 };
 * const request = new Request("http://x", { method: "OPTIONS", headers: { origin: "https://a.example" } });
 * assert.equal(preflight(request, policy).status, 204);
 * ```
 */
export function preflight(request: Request, policy: CorsPolicy): Response {
  const origin = request.headers.get("origin");
  if (origin === null || !originAllowed(origin, policy)) {
    return Response.json({
      error: `origin ${JSON.stringify(origin ?? "(none)")} is not allowed here; ` +
        "add it to the source's cors_origins option",
    }, { status: 403 });
  }
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(request, policy),
      "access-control-allow-methods": policy.methods.join(", "),
      "access-control-allow-headers": policy.headers.join(", "),
      "access-control-max-age": String(policy.maxAgeSeconds),
    },
  });
}
