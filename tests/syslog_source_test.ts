/**
 * The `syslog` source end to end: RFC 3164 datagrams, RFC 5424 octet-counted and RFC 3164
 * LF-framed TCP streams reach `log` once each; malformed frames reach the dead-letter topic.
 */
import assert from "assert";
import { Buffer } from "node:buffer";
import dgram from "node:dgram";
import {
  createTestPipeline,
  dropTestPipeline,
  runnerLog,
  spawnRunner,
} from "./_pipeline_support.ts";
import { closedPort, readTopic, topicSize } from "./_ingest_support.ts";
import { waitFor } from "./_support.ts";

const PER_WAY = 150;

function accessLine(way: string, n: number): string {
  return `10.2.0.${n % 250} - - [20/Nov/2026:10:${String(n % 60).padStart(2, "0")}:00 +0000] ` +
    `"GET /${way}/${n} HTTP/1.1" 200 ${n} "-" "syslog-test"`;
}

async function writeAll(connection: Deno.TcpConn, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length;) at += await connection.write(bytes.subarray(at));
}

Deno.test({
  name:
    "syslog source: UDP and TCP (octet-counted, LF) reach log once; malformed frames are dead-lettered",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const udpPort = closedPort();
    const tcpPort = closedPort();
    const test = await createTestPipeline({
      extraSources: `  - name: syslog_in
    plugin: syslog
    options:
      udp: 127.0.0.1:${udpPort}
      tcp: 127.0.0.1:${tcpPort}
      topic: $TOPIC
      format: combined`,
    });
    const runner = spawnRunner(test, "runner");
    const socket = dgram.createSocket("udp4");
    try {
      await waitFor(
        "the syslog source to listen",
        async () =>
          (await runnerLog(test, "runner")).includes("syslog source: UDP") ? true : undefined,
        120_000,
      );
      for (let n = 0; n < PER_WAY; n++) {
        const datagram = Buffer.from(`<190>Nov 20 10:00:00 web1 nginx: ${accessLine("udp", n)}\n`);
        await new Promise<void>((resolve, reject) =>
          socket.send(datagram, udpPort, "127.0.0.1", (error) => error ? reject(error) : resolve())
        );
      }

      const counted = await Deno.connect({ hostname: "127.0.0.1", port: tcpPort });
      let text = "";
      for (let n = 0; n < PER_WAY; n++) {
        const message = `<190>1 2026-11-20T10:00:00Z web2 nginx - - - ${accessLine("counted", n)}`;
        text += `${new TextEncoder().encode(message).length} ${message}`;
      }
      await writeAll(counted, text);
      counted.close();

      const framed = await Deno.connect({ hostname: "127.0.0.1", port: tcpPort });
      text = "";
      for (let n = 0; n < PER_WAY; n++) {
        text += `<190>Nov 20 10:00:00 web3 nginx[7]: ${accessLine("framed", n)}\n`;
      }
      text += "not syslog at all\n";
      text += "<13>1 2026-11-20T10:00:00Z web3 app - - - not an access line\n";
      text += "<13>hello\n";
      await writeAll(framed, text);
      framed.close();

      const total = 3 * PER_WAY;
      await waitFor(
        "every message in the topic",
        async () =>
          (await topicSize(test.kafka, test.topic).catch(() => 0)) >= total ? true : undefined,
        60_000,
      );
      await waitFor("every record in log", async () => {
        const result = await test.cassandra.execute(`SELECT count(*) FROM ${test.keyspace}.log`)
          .catch(() => undefined);
        return Number(result?.rows[0]?.get("count") ?? 0) >= total ? true : undefined;
      }, 120_000);
      const rows = await test.cassandra.execute(
        `SELECT request_uri FROM ${test.keyspace}.log`,
        [],
        { fetchSize: 10_000 },
      );
      const uris = rows.rows.map((row) => row.get("request_uri") as string).sort();
      const want = ["udp", "counted", "framed"]
        .flatMap((way) => Array.from({ length: PER_WAY }, (_, n) => `/${way}/${n}`)).sort();
      assert.deepEqual(uris, want, "every message once");

      const deadLetters = await waitFor("three dead letters", async () => {
        const messages = await readTopic(test.kafka, test.deadLetterTopic);
        return messages.length >= 3 ? messages : undefined;
      }, 60_000);
      assert.deepEqual(deadLetters.map((message) => message.value).sort(), [
        "<13>1 2026-11-20T10:00:00Z web3 app - - - not an access line",
        "<13>hello",
        "not syslog at all",
      ]);
    } finally {
      socket.close();
      runner.kill("SIGTERM");
      await runner.status;
      await dropTestPipeline(test);
    }
  },
});
