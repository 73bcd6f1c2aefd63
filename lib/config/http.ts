/**
 * The `http:` section of pipeline.yaml: where the runner's one HTTP server listens (dashboard,
 * results API, `/health`, `/ready`, `/metrics`, and routes of sources), and how it is guarded.
 *
 * @module
 */
import { z } from "zod";

/** Default address: loopback only, so nothing is exposed without a decision. */
export const DEFAULT_LISTEN = "127.0.0.1:8080";

/** Default name of the environment variable holding the access token. */
export const DEFAULT_TOKEN_ENV = "WEB_ANALYTICS_HTTP_TOKEN";

/** Shortest token accepted: a guessable token guards nothing. */
export const MIN_TOKEN_LENGTH = 16;

/** Settings of the HTTP server. */
export interface HttpSettings {
  /** Host name or address to bind. */
  hostname: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /**
   * Token every request but `/health` must carry, read from the environment; set (and required)
   * only when `hostname` is not a loopback address.
   */
  token?: string;
  /** Name of the environment variable the token is read from. */
  tokenEnv: string;
  /** `/ready` reports unready while a source's lag is above this many messages. */
  readyMaxLag: number;
}

const LISTEN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/**
 * Whether a host name or address only reaches this machine.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { isLoopback } from "./http.ts";
 * assert.ok(isLoopback("127.0.0.1") && isLoopback("[::1]") && isLoopback("localhost"));
 * assert.ok(!isLoopback("0.0.0.0"));
 * ```
 */
export function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** The `http:` section; the token is read from `env` when `listen` is not loopback. */
export function httpSchema(env: Record<string, string | undefined>) {
  return z.strictObject({
    listen: z.string().regex(LISTEN, {
      error: (issue) =>
        `expected host:port such as ${DEFAULT_LISTEN} or 0.0.0.0:8080, found ${
          JSON.stringify(issue.input)
        }`,
    }).refine((listen) => Number(LISTEN.exec(listen)?.[2]) <= 65535, {
      error: (issue) => `expected a port 0..65535, found ${JSON.stringify(issue.input)}`,
    }).default(DEFAULT_LISTEN),
    token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: (issue) =>
        `expected an environment variable name, found ${JSON.stringify(issue.input)}`,
    }).default(DEFAULT_TOKEN_ENV),
    ready_max_lag: z.number().int().min(0).default(10_000),
  }).superRefine((http, context) => {
    const hostname = LISTEN.exec(http.listen)?.[1];
    if (hostname === undefined || isLoopback(hostname)) return;
    const token = env[http.token_env] ?? "";
    if (token.length < MIN_TOKEN_LENGTH) {
      context.addIssue({
        code: "custom",
        path: ["listen"],
        message: `${hostname} is reachable from other machines, so every request but /health ` +
          `needs a token: set ${http.token_env} in the environment to a secret of at least ` +
          `${MIN_TOKEN_LENGTH} characters (${
            token === "" ? "it is not set" : `it has ${token.length}`
          }), or listen on 127.0.0.1`,
      });
    }
  });
}

/** Converts the validated `http:` section, reading the token from `env`. */
export function toHttpSettings(
  http: z.output<ReturnType<typeof httpSchema>>,
  env: Record<string, string | undefined>,
): HttpSettings {
  const [, host, port] = LISTEN.exec(http.listen)!;
  const hostname = host!.replace(/^\[|\]$/g, "");
  return {
    hostname,
    port: Number(port),
    ...(isLoopback(hostname) ? {} : { token: env[http.token_env] }),
    tokenEnv: http.token_env,
    readyMaxLag: http.ready_max_lag,
  };
}
