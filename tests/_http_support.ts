/**
 * Support for HTTP tests: a runner with its HTTP server in this process, a strict reader of the
 * Prometheus text format, a CSV reader, and a TCP proxy that lets a test cut a client off from
 * the real Cassandra without stopping the server other tests use.
 *
 * @module
 */
import assert from "assert";
import { loadPipeline } from "../lib/config/load.ts";
import {
  openPipeline,
  type PipelineResources,
  type RunningPipeline,
  startRealtime,
} from "../lib/runtime/start.ts";
import { type HttpServer, runnerHttp } from "../lib/http/mod.ts";
import type { TestPipeline } from "./_pipeline_support.ts";

/** A real-time runner with its HTTP server, in this process. */
export interface ServedRunner {
  /** Base URL of the server. */
  url: string;
  /** The real-time loop. */
  running: RunningPipeline;
  /** Connections and sinks. */
  resources: PipelineResources;
  /** The server. */
  server: HttpServer;
  /** Stops the server, the loop and the connections. */
  stop(): Promise<void>;
}

/**
 * Starts the pipeline of `test` (whose `http.listen` should be `127.0.0.1:0`) with its server;
 * `now` is the server's clock (what "today" and "now" are), the real one when absent.
 */
export async function startServedRunner(
  test: TestPipeline,
  now?: () => number,
): Promise<ServedRunner> {
  const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
  const http = runnerHttp();
  const running = await startRealtime(resources, { observer: http.observer });
  const server = await http.start({
    resources,
    running,
    dashboard: true,
    log: console.error,
    ...(now === undefined ? {} : { now }),
  });
  return {
    url: server.url,
    running,
    resources,
    server,
    async stop() {
      await server.close();
      await running.stop();
      await resources.close();
    },
  };
}

/** One sample of a Prometheus exposition. */
export interface Sample {
  /** Metric name, with its `_bucket`/`_sum`/`_count` suffix if any. */
  name: string;
  /** Labels. */
  labels: Record<string, string>;
  /** Value. */
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;

/**
 * Parses the Prometheus text format strictly: every line must be a comment, `# HELP`,
 * `# TYPE` or a sample of a family whose TYPE came before; throws on the first other line.
 */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Map<string, string>();
  for (const [index, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/
      .exec(line);
    if (type) {
      typed.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const match = SAMPLE.exec(line);
    assert.ok(match, `line ${index + 1} is not Prometheus text: ${line}`);
    const name = match[1]!;
    const family = name.replace(/_(bucket|sum|count)$/, "");
    assert.ok(typed.has(name) || typed.has(family), `line ${index + 1}: ${name} has no # TYPE`);
    const labels: Record<string, string> = {};
    let rest = match[2] ?? "";
    while (rest !== "") {
      const label = LABEL.exec(rest);
      assert.ok(label, `line ${index + 1}: bad labels ${match[2]}`);
      labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
      rest = rest.slice(label[0].length);
    }
    const value = Number(match[3]!.replace(/^\+?Inf$/, "Infinity").replace(/^-Inf$/, "-Infinity"));
    assert.ok(!Number.isNaN(value) || match[3] === "NaN", `line ${index + 1}: bad value`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The value of the one sample with this name and these labels (others ignored). */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((sample) =>
    sample.name === name &&
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
  )?.value;
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  assert.equal(field + row.join(""), "", "CSV ends with CRLF");
  return rows;
}

/** A TCP proxy to a real server; `cut()` closes it and every connection through it. */
export interface TcpProxy {
  /** Port it listens on (127.0.0.1). */
  port: number;
  /** Stops accepting and drops every connection. */
  cut(): void;
}

/** Starts a proxy on a free loopback port forwarding to `target`. */
export function startTcpProxy(target: { hostname: string; port: number }): TcpProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let cut = false;
  (async () => {
    for await (const client of listener) {
      Deno.connect(target).then((server) => {
        open.add(client);
        open.add(server);
        const close = () => {
          for (const conn of [client, server]) {
            open.delete(conn);
            try {
              conn.close();
            } catch {
              // already closed
            }
          }
        };
        client.readable.pipeTo(server.writable).catch(() => {}).finally(close);
        server.readable.pipeTo(client.writable).catch(() => {}).finally(close);
      }, () => client.close());
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    cut() {
      if (cut) return;
      cut = true;
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      open.clear();
    },
  };
}
