/**
 * The `file` source end to end: a writer appends nginx lines in a custom format (with request
 * time and host) while the file is rotated by rename, by copytruncate and compressed, and the
 * runner is SIGKILLed twice; `log` must hold every line exactly once and `latency` count them
 * all.
 */
import assert from "assert";
import {
  createTestPipeline,
  dropTestPipeline,
  runnerLog,
  spawnRunner,
  type TestPipeline,
} from "./_pipeline_support.ts";
import { topicSize } from "./_ingest_support.ts";
import { waitFor } from "./_support.ts";

const LINES = 3000;
const FORMAT = '$host $remote_addr - $remote_user [$time_local] "$request" $status ' +
  '$body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time';
const DAY = "2026-11-20";

/** Line `n`: page, client, status and request time all derived from n. */
function lineFor(n: number): string {
  const seconds = Math.floor(n * 86_400 / LINES);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor(seconds / 60) % 60).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return `shop${n % 3}.example 10.1.${n % 200}.${
    n % 7
  } - - [20/Nov/2026:${hh}:${mm}:${ss} +0000] ` +
    `"GET /line/${n} HTTP/1.1" ${n % 10 === 0 ? 404 : 200} ${n} "-" "file-test" ` +
    `rt=${requestTime(n).toFixed(3)}`;
}

function requestTime(n: number): number {
  return ((n * 37) % 1000 + 1) / 1000;
}

const GRAPH = `aggregations:
  - name: latency_daily
    plugin: latency
    source: rawlog
    window: 1d
    sinks: [latency]
sinks:
  - name: latency
    plugin: cassandra
    options: { table: latency }`;

async function logRows(test: TestPipeline): Promise<number> {
  const result = await test.cassandra.execute(`SELECT count(*) FROM ${test.keyspace}.log`)
    .catch(() => undefined);
  return Number(result?.rows[0]?.get("count") ?? 0);
}

/** Appends lines from..to-1 to `path`. */
async function append(path: string, from: number, to: number): Promise<void> {
  const text = Array.from({ length: to - from }, (_, i) => lineFor(from + i)).join("\n") + "\n";
  await Deno.writeTextFile(path, text, { append: true });
}

async function gzip(path: string): Promise<void> {
  const source = await Deno.open(path);
  await Deno.writeFile(`${path}.gz`, source.readable.pipeThrough(new CompressionStream("gzip")));
  await Deno.remove(path);
}

/**
 * Appends every line in chunks of 25, yielding to the event loop between chunks; rotates by
 * rename at a third, compresses the renamed file and rotates by copytruncate at two thirds
 * (copy and truncate between two chunks, as logrotate does between two writes of the server).
 */
async function writeWithRotations(log: string, from: number): Promise<void> {
  for (let n = from; n < LINES; n += 25) {
    if (n === 1000) await Deno.rename(log, `${log}.1`);
    if (n === 2000) {
      await gzip(`${log}.1`);
      await Deno.copyFile(log, `${log}.2`);
      await Deno.truncate(log, 0);
    }
    await append(log, n, Math.min(LINES, n + 25));
    await new Promise((resolve) => setTimeout(resolve, 100)); // pacing (lines keep coming across the kills), no wait on a condition
  }
}

Deno.test({
  name: "file source: rotations and two SIGKILLs, every line once in log, request times in latency",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "file-source-" });
    const log = `${dir}/access.log`;
    const test = await createTestPipeline({
      extraSources: `  - name: weblog_files
    plugin: file
    options:
      paths: ["${dir}/access.log*"]
      topic: $TOPIC
      format: '${FORMAT}'`,
      graph: GRAPH,
    });
    const runners: Deno.ChildProcess[] = [];
    try {
      await append(log, 0, 300);
      runners.push(spawnRunner(test, "first"));
      const writing = writeWithRotations(log, 300);
      const names = ["first"];
      for (const [name, after] of [["second", 600], ["third", 1800]] as const) {
        await waitFor(
          `more than ${after} lines in ${test.topic}`,
          async () =>
            (await topicSize(test.kafka, test.topic).catch(() => 0)) > after ? true : undefined,
          120_000,
        );
        const killed = runners[runners.length - 1]!;
        killed.kill("SIGKILL");
        const status = await killed.status;
        assert.equal(status.signal, "SIGKILL", await runnerLog(test, names.at(-1)!));
        runners.push(spawnRunner(test, name));
        names.push(name);
      }
      await writing;
      await waitFor(
        "every line in log",
        async () => await logRows(test) >= LINES ? true : undefined,
        180_000,
      ).catch(async (error) => {
        throw new Error(`${error.message}\n${await runnerLog(test, names.at(-1)!)}`);
      });

      assert.equal(await topicSize(test.kafka, test.topic), LINES, "each line once in the topic");
      const rows = await test.cassandra.execute(
        `SELECT record_id, request_uri, request_time, props FROM ${test.keyspace}.log`,
        [],
        { fetchSize: 10_000 },
      );
      const uris = rows.rows.map((row) => row.get("request_uri") as string);
      assert.equal(uris.length, LINES, "log rows");
      assert.deepEqual(
        new Set(uris),
        new Set(Array.from({ length: LINES }, (_, n) => `/line/${n}`)),
        "every line, none twice",
      );
      const line7 = rows.rows.find((row) => row.get("request_uri") === "/line/7")!;
      assert.equal(line7.get("request_time"), requestTime(7));
      assert.equal(line7.get("props")?.site, "shop1.example");

      const times = Array.from({ length: LINES }, (_, n) => requestTime(n)).sort((a, b) => a - b);
      const latency = await waitFor("the latency row of every request", async () => {
        const result = await test.cassandra.execute(
          `SELECT page, requests, p50_ms FROM ${test.keyspace}.latency WHERE date = ?`,
          [DAY],
          { prepare: true },
        ).catch(() => undefined);
        const row = result?.rows.find((candidate) => candidate.get("page") === "*");
        return row !== undefined && Number(row.get("requests")) === LINES ? row : undefined;
      }, 60_000);
      const median = times[Math.floor(0.5 * (LINES - 1))]! * 1000;
      assert.ok(
        Math.abs(Number(latency.get("p50_ms")) - median) <= median * 0.011,
        `p50 ${latency.get("p50_ms")} ms, exact ${median} ms`,
      );
    } finally {
      for (const runner of runners) {
        try {
          runner.kill("SIGTERM");
        } catch { /* already gone */ }
        await runner.status;
      }
      await dropTestPipeline(test);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
