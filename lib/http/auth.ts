/**
 * The access token asked of every request but `/health` when the server listens beyond
 * loopback. Programs send `Authorization: Bearer <token>`; a browser opens `/?token=<token>`
 * once, gets it as an HTTP-only, same-site cookie, and is redirected to the URL without it.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { problem } from "./responses.ts";

/** Name of the cookie holding the token in a browser. */
const TOKEN_COOKIE = "web_analytics_token";

/** Paths anyone may reach: the process's liveness. */
const PUBLIC_PATHS = new Set(["/health"]);

/**
 * Checks a request against the token. Returns undefined when it may pass, otherwise the answer
 * to send instead (401, or the redirect that moves a `?token=` into a cookie).
 *
 * @param request The request.
 * @param token The token; undefined lets every request pass (loopback).
 * @param tokenEnv Name of the environment variable the token comes from, for the 401 text.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { checkToken } from "./auth.ts";
 * const secret = "0123456789abcdef";
 * assert.equal(checkToken(new Request("http://x/health"), secret, "T"), undefined);
 * assert.equal(checkToken(new Request("http://x/api/aggregations"), secret, "T")?.status, 401);
 * const ok = new Request("http://x/metrics", { headers: { authorization: `Bearer ${secret}` } });
 * assert.equal(checkToken(ok, secret, "T"), undefined);
 * ```
 */
export function checkToken(
  request: Request,
  token: string | undefined,
  tokenEnv: string,
): Response | undefined {
  if (token === undefined) return undefined;
  const url = new URL(request.url);
  if (PUBLIC_PATHS.has(url.pathname)) return undefined;
  const bearer = /^Bearer (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (bearer !== undefined && same(bearer, token)) return undefined;
  if (same(cookie(request, TOKEN_COOKIE) ?? "", token)) return undefined;
  const offered = url.searchParams.get("token");
  if (offered !== null && same(offered, token) && request.method === "GET") {
    url.searchParams.delete("token");
    return new Response(null, {
      status: 303,
      headers: {
        location: `${url.pathname}${url.search}`,
        "set-cookie": `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; ` +
          "SameSite=Strict",
      },
    });
  }
  const response = problem(
    401,
    `this server needs the token from ${tokenEnv}: send "Authorization: Bearer <token>", or ` +
      "open /?token=<token> once in a browser",
  );
  response.headers.set("www-authenticate", 'Bearer realm="web-analytics"');
  return response;
}

/** Compares without leaking through timing where the two differ. */
function same(offered: string, token: string): boolean {
  const a = new TextEncoder().encode(offered);
  const b = new TextEncoder().encode(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) {
      try {
        return decodeURIComponent(value.join("="));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
