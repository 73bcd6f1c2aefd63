/**
 * Responses of the runner's HTTP server: JSON, plain-text errors that say what was wrong, and
 * the headers every answer of ours carries.
 *
 * @module
 */

/** Headers that stop browsers from guessing types, framing our pages or leaking the URL. */
const SAFETY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/**
 * The Content-Security-Policy of the dashboard: scripts, styles and data only from this server,
 * no inline script, so even text that slipped through unescaped could not run.
 */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; " +
  "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
  "frame-ancestors 'none'; form-action 'self'";

/**
 * A JSON response.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { json } from "./responses.ts";
 * assert.equal(json({ ok: true }).headers.get("content-type"), "application/json; charset=utf-8");
 * ```
 */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/**
 * An error as JSON `{ error }`, e.g. 400 with the reason a parameter was refused.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { problem } from "./responses.ts";
 * const response = problem(404, "no aggregation 'x'");
 * assert.equal(response.status, 404);
 * assert.deepEqual(await response.json(), { error: "no aggregation 'x'" });
 * ```
 */
export function problem(status: number, message: string): Response {
  return json({ error: message }, status);
}

/** Adds {@linkcode SAFETY_HEADERS} the response does not set itself. */
export function withSafetyHeaders(response: Response): Response {
  for (const [name, value] of Object.entries(SAFETY_HEADERS)) {
    if (!response.headers.has(name)) {
      try {
        response.headers.set(name, value);
      } catch {
        // Immutable headers (e.g. a fetched response passed through): leave them as they are.
        return response;
      }
    }
  }
  return response;
}
