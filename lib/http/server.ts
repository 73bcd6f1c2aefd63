/**
 * Starts and stops the runner's HTTP server (`Deno.serve`) around a handler from
 * {@linkcode createHttpApp}, and keeps the live feed's `stats` events going.
 *
 * @module
 */
import type { HttpSettings } from "../config/pipeline.ts";
import type { ProcessorStats } from "../realtime/processor.ts";
import type { HttpHandler } from "./app.ts";
import type { LiveFeed } from "./live.ts";

/** The server could not listen on its address; the message says which and what to do. */
export class HttpListenError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "HttpListenError";
  }
}

/** A listening server. */
export interface HttpServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Port bound (useful with port 0). */
  port: number;
  /** Makes `/ready` answer 503 ("stopping") while the process flushes and stops. */
  draining(): void;
  /** Ends live streams, stops accepting and waits for open requests. */
  close(): Promise<void>;
}

/** What {@linkcode serveHttp} needs. */
export interface ServeOptions {
  /** Where to listen. */
  settings: HttpSettings;
  /** The handler. */
  handler: HttpHandler;
  /** Live feed to close on shutdown and to send `stats` to. */
  feed: LiveFeed;
  /** Live counters, sent as a `stats` event every second. */
  stats?: () => Map<string, ProcessorStats>;
}

/**
 * Listens; resolves once the port is bound.
 *
 * @throws {HttpListenError} When the address cannot be bound, saying which and why.
 */
export function serveHttp(options: ServeOptions): Promise<HttpServer> {
  const { settings, handler, feed } = options;
  const controller = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: settings.hostname,
      port: settings.port,
      signal: controller.signal,
      onListen: () => {},
      onError: (error) =>
        new Response(JSON.stringify({ error: String(error) }), {
          status: 500,
          headers: { "content-type": "application/json" },
        }),
    }, (request, info) => handler(request, info.remoteAddr.hostname));
  } catch (error) {
    throw new HttpListenError(
      `cannot listen on ${settings.hostname}:${settings.port} (http.listen): ${
        error instanceof Error ? error.message : String(error)
      }; pick another port, or --no-http`,
    );
  }
  const port = server.addr.port;
  const host = settings.hostname.includes(":") ? `[${settings.hostname}]` : settings.hostname;
  const ticker = stats(options);
  return Promise.resolve({
    url: `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${port}`,
    port,
    draining: () => {},
    async close() {
      clearInterval(ticker);
      feed.close();
      controller.abort();
      await server.finished;
    },
  });
}

/** Sends each source's counters and its rate since the previous tick, every second. */
function stats(options: ServeOptions): ReturnType<typeof setInterval> {
  let previous = new Map<string, ProcessorStats>();
  let previousAt = Date.now();
  return setInterval(() => {
    if (options.stats === undefined) return;
    const now = options.stats();
    const elapsed = (Date.now() - previousAt) / 1000;
    const sources: Record<string, unknown> = {};
    for (const [source, current] of now) {
      const before = previous.get(source);
      sources[source] = {
        read: current.read,
        logged: current.accepted,
        rejected: current.rejected,
        duplicates: current.duplicates,
        too_late: current.tooLate,
        lag: current.lag,
        state_rows: current.stateRows,
        events_per_s: before === undefined
          ? 0
          : Math.max(0, (current.read - before.read) / elapsed),
        last_flush: current.lastFlush ?? null,
      };
    }
    previous = now;
    previousAt = Date.now();
    options.feed.publishStats({ at: Date.now(), sources });
  }, 1000);
}
