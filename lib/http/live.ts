/**
 * Live updates for the dashboard as server-sent events: `result` (a window result just
 * flushed) and `stats` (each source's counters, every second).
 *
 * A client that stops reading is dropped once it is {@linkcode MAX_QUEUED} events behind, so a
 * stalled browser never makes the runner hold events without bound.
 *
 * @module
 */
import type { StoredResult, WindowResult } from "../contracts.ts";

/** Events a client may fall behind by before it is dropped. */
export const MAX_QUEUED = 1_000;

/** A result as the stream sends it (the shape of one window of `/api/results`). */
export interface LiveResult {
  /** Aggregation name. */
  aggregation: string;
  /** Window key. */
  window: string;
  /** Records the result covers. */
  records: number;
  /** When it was computed, ms since epoch. */
  computedAt: number;
  /** The rows. */
  rows: WindowResult["rows"];
}

/** Fan-out of live events to every connected client. */
export interface LiveFeed {
  /** Sends flushed results to every client. */
  publishResults(results: WindowResult[]): void;
  /** Sends a result read back from a sink to every client. */
  publishStored(aggregation: string, stored: StoredResult): void;
  /** Sends one `stats` event to every client. */
  publishStats(stats: unknown): void;
  /**
   * A `text/event-stream` response that lasts until the client leaves (the server then cancels
   * its body) or the feed closes.
   */
  connect(): Response;
  /** Clients connected now. */
  clients(): number;
  /** Ends every stream. */
  close(): void;
}

/**
 * Creates a feed.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { createLiveFeed } from "./live.ts";
 * const feed = createLiveFeed();
 * const response = feed.connect();
 * feed.publishStats({ rawlog: { read: 1 } });
 * const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
 * let text = "";
 * while (!text.includes("event: stats")) text += (await reader.read()).value ?? "";
 * assert.match(text, /data: {"rawlog":{"read":1}}/);
 * feed.close();
 * ```
 */
export function createLiveFeed(): LiveFeed {
  const encoder = new TextEncoder();
  const clients = new Set<ReadableStreamDefaultController<Uint8Array>>();

  function send(event: string, data: unknown): void {
    const chunk = encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const client of clients) {
      if ((client.desiredSize ?? 0) < -MAX_QUEUED) {
        drop(client);
        continue;
      }
      client.enqueue(chunk);
    }
  }

  function drop(client: ReadableStreamDefaultController<Uint8Array>): void {
    if (!clients.delete(client)) return;
    try {
      client.close();
    } catch {
      // Already closed by the client side.
    }
  }

  return {
    publishResults(results) {
      for (const result of results) {
        const live: LiveResult = {
          aggregation: result.aggregation,
          window: result.window.key,
          records: result.records,
          computedAt: result.computedAt,
          rows: result.rows,
        };
        send("result", live);
      }
    },
    publishStored(aggregation, stored) {
      const live: LiveResult = {
        aggregation,
        window: stored.window,
        records: stored.records,
        computedAt: stored.computedAt ?? Date.now(),
        rows: stored.rows,
      };
      send("result", live);
    },
    publishStats: (stats) => send("stats", stats),
    connect() {
      let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(streamController) {
          controller = streamController;
          clients.add(streamController);
          // Tells the browser how soon to reconnect, and flushes the headers at once.
          streamController.enqueue(encoder.encode("retry: 2000\n: connected\n\n"));
        },
        cancel() {
          if (controller !== undefined) clients.delete(controller);
        },
      }, { highWaterMark: 1 });
      return new Response(body, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
        },
      });
    },
    clients: () => clients.size,
    close() {
      for (const client of [...clients]) drop(client);
    },
  };
}
