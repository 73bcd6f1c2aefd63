/**
 * A loopback TCP proxy that can be paused: while paused it forwards nothing in either direction
 * and keeps connections open, which is what a client sees of a SIGSTOPped server, for this
 * client only (the server other tests share keeps answering them).
 *
 * @module
 */

/** A running proxy. */
export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Stops forwarding (connections stay open). */
  pause(): void;
  /** Forwards again, what waited first. */
  resume(): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port to `target` (`host:port`). */
export function startTcpProxy(target: { hostname: string; port: number }): TcpProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections = new Set<Deno.Conn>();
  let paused: { promise: Promise<void>; resolve: () => void } | undefined;

  async function pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const read = await from.read(buffer);
        if (read === null) break;
        while (paused !== undefined) await paused.promise;
        let written = 0;
        while (written < read) written += await to.write(buffer.subarray(written, read));
      }
    } catch {
      // A closed side ends the pair.
    }
    for (const conn of [from, to]) {
      try {
        conn.close();
      } catch {
        // already closed
      }
      connections.delete(conn);
    }
  }

  const accepting = (async () => {
    for await (const client of listener) {
      try {
        const server = await Deno.connect(target);
        connections.add(client);
        connections.add(server);
        pump(client, server);
        pump(server, client);
      } catch {
        client.close();
      }
    }
  })().catch(() => {});

  return {
    port: (listener.addr as Deno.NetAddr).port,
    pause() {
      if (paused !== undefined) return;
      let resolve!: () => void;
      const promise = new Promise<void>((done) => resolve = done);
      paused = { promise, resolve };
    },
    resume() {
      const wasPaused = paused;
      paused = undefined;
      wasPaused?.resolve();
    },
    async close() {
      this.resume();
      listener.close();
      for (const conn of connections) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await accepting;
    },
  };
}
