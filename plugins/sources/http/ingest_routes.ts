/**
 * The HTTP source's endpoints: `POST /api/events` (authenticate, limit, split, validate, write
 * to Kafka, answer per item), its CORS preflight, and the tracker script.
 *
 * Order of checks, cheapest first, so refused requests cost little: API key (401/403), body
 * size (413), body shape (415/400/413), rate (429), items (400 when none is valid), Kafka (503).
 *
 * @module
 */
import {
  corsHeaders,
  type CorsPolicy,
  errorText,
  type HttpRoute,
  identifyApiKey,
  preflight,
  presentedApiKey,
  type RateLimiter,
  readBodyWithin,
  type StoredApiKey,
} from "../../../lib/sdk/mod.ts";
import { splitBody } from "./split_body.ts";
import { prepareItem } from "./prepare_item.ts";
import type { GroupedWriter, OutgoingMessage } from "./grouped_writer.ts";
import { trackerResponse } from "./tracker.ts";

/** Path events are posted to. */
export const EVENTS_PATH = "/api/events";
/** Path of the tracker script. */
export const TRACKER_PATH = "/t.js";
/** Seconds a client is asked to wait when Kafka did not acknowledge. */
export const KAFKA_RETRY_AFTER_SECONDS = 5;

/** What the endpoints need. */
export interface IngestSettings {
  /** Every known key. */
  keys: readonly StoredApiKey[];
  /** Names of the keys this source accepts; undefined: all known keys. */
  allowedKeys: ReadonlySet<string> | undefined;
  /** Per-key limiter; a request costs one token per item. */
  limiter: RateLimiter;
  /** Largest body, in bytes. */
  maxBodyBytes: number;
  /** Most items in one request. */
  maxItems: number;
  /** Cross-origin policy for browsers. */
  cors: CorsPolicy;
  /** Writes to Kafka; resolves once acknowledged. */
  writer: GroupedWriter;
  /** Current time, epoch ms. */
  now: () => number;
  /** Operator log. */
  log: (line: string) => void;
}

/** The per-item outcome in a response. */
export type ItemResult =
  & { index: number; line?: number }
  & ({ status: "accepted"; event_id?: string } | { status: "rejected"; reason: string });

const KEY_HELP = "send it as an `Authorization: Bearer <key>` header, an `X-API-Key` header or " +
  "a `key` query parameter";

/**
 * Builds the routes.
 *
 * @param settings Keys, limits, CORS, the Kafka writer, clock and log.
 * @returns `POST /api/events`, `OPTIONS /api/events` and `GET /t.js`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { ingestRoutes } from "./ingest_routes.ts";
 * import { tokenBuckets } from "../../../lib/sdk/mod.ts";
 * const routes = ingestRoutes({
 *   keys: [], allowedKeys: undefined, limiter: tokenBuckets({ ratePerSecond: 1, burst: 1 }),
 *   maxBodyBytes: 1024, maxItems: 10, now: Date.now, log: () => {},
 *   cors: { origins: [], methods: ["POST"], headers: [], maxAgeSeconds: 600 },
 *   writer: { write: () => Promise.resolve() },
 * });
 * const post = routes.find((route) => route.method === "POST")!;
 * const response = await post.handle(
 *   new Request("http://x/api/events", { method: "POST", body: "{}" }),
 *   { remoteAddr: "127.0.0.1" },
 * );
 * assert.equal(response.status, 401);
 * ```
 */
export function ingestRoutes(settings: IngestSettings): HttpRoute[] {
  const reportKafkaFailure = failureReporter(settings.log);
  return [
    // Public: the server's dashboard token does not apply; API keys guard ingest instead.
    {
      method: "POST",
      path: EVENTS_PATH,
      public: true,
      handle: async (request, info) => {
        const cors = corsHeaders(request, settings.cors);
        const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
          Response.json(body, { status, headers: { ...cors, ...headers } });

        const presented = presentedApiKey(request);
        if (presented === undefined) {
          await request.body?.cancel().catch(() => {});
          return answer(401, { error: `missing API key: ${KEY_HELP}` }, {
            "www-authenticate": "Bearer",
          });
        }
        const keyName = await identifyApiKey(settings.keys, presented);
        if (keyName === undefined) {
          await request.body?.cancel().catch(() => {});
          return answer(401, { error: "unknown API key: check the key, or ask for a new one" }, {
            "www-authenticate": 'Bearer error="invalid_token"',
          });
        }
        if (settings.allowedKeys !== undefined && !settings.allowedKeys.has(keyName)) {
          await request.body?.cancel().catch(() => {});
          return answer(403, {
            error: `key ${JSON.stringify(keyName)} may not send to this source; add it to the ` +
              "source's allowed_keys option",
          });
        }

        const body = await readBodyWithin(request, settings.maxBodyBytes);
        if (!body.ok) {
          return answer(413, {
            error: `the body is larger than the limit of ${settings.maxBodyBytes} bytes; ` +
              "split it into smaller requests",
          });
        }
        const split = splitBody(body.bytes, request.headers.get("content-type"), settings.maxItems);
        if (!split.ok) return answer(split.status, { error: split.error });

        const rate = settings.limiter.take(keyName, split.items.length);
        if (!rate.ok) {
          return answer(429, {
            error: `rate limit of key ${JSON.stringify(keyName)} reached; retry in ` +
              `${rate.retryAfterSeconds} s`,
          }, { "retry-after": String(rate.retryAfterSeconds) });
        }

        const facts = {
          remoteAddr: info.remoteAddr,
          userAgent: request.headers.get("user-agent"),
          now: settings.now(),
        };
        const results: ItemResult[] = [];
        const messages: OutgoingMessage[] = [];
        split.items.forEach((item, index) => {
          const prepared = prepareItem(item, facts);
          const where = item.line === undefined ? { index } : { index, line: item.line };
          if (prepared.ok) {
            messages.push({ key: prepared.key, value: prepared.value });
            results.push({ ...where, status: "accepted", event_id: prepared.eventId });
          } else {
            results.push({ ...where, status: "rejected", reason: prepared.reason });
          }
        });
        const summary = { accepted: messages.length, rejected: results.length - messages.length };
        if (messages.length === 0) return answer(400, { ...summary, items: results });

        try {
          await settings.writer.write(messages);
        } catch (error) {
          reportKafkaFailure(error);
          return answer(503, {
            error:
              `Kafka did not acknowledge the events (${errorText(error, { firstLine: true })}); ` +
              `none of them is accepted: send them again in ${KAFKA_RETRY_AFTER_SECONDS} s`,
          }, { "retry-after": String(KAFKA_RETRY_AFTER_SECONDS) });
        }
        return answer(202, { ...summary, items: results });
      },
    },
    {
      method: "OPTIONS",
      path: EVENTS_PATH,
      public: true,
      handle: (request) => preflight(request, settings.cors),
    },
    { method: "GET", path: TRACKER_PATH, public: true, handle: () => trackerResponse() },
  ];
}

/** Logs Kafka failures at most once per ten seconds, with how many there were. */
function failureReporter(log: (line: string) => void): (error: unknown) => void {
  let unreported = 0;
  let loggedAt = -Infinity;
  return (error) => {
    unreported++;
    if (performance.now() - loggedAt < 10_000) return;
    loggedAt = performance.now();
    log(
      `http source: ${unreported} request(s) answered 503, Kafka did not acknowledge: ` +
        errorText(error, { firstLine: true }),
    );
    unreported = 0;
  };
}
