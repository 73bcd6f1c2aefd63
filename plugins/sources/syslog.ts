/**
 * `syslog` source: receives syslog (RFC 5424 and RFC 3164) over UDP and TCP (octet-counted and
 * LF framing), parses each message's body with the configured log format and writes the
 * records to a Kafka topic that a `kafka` source reads. A message counts once Kafka
 * acknowledged it; malformed frames and bodies go to the dead-letter topic with the reason.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import dgram from "node:dgram";
import type { Producer } from "kafkajs";
import {
  acknowledgedSender,
  deadLetterTopicOf,
  deadLetterTopicOption,
  errorText,
  type LogFormat,
  parseSyslogMessage,
  partitionsOption,
  type SourcePlugin,
  type SourceRunner,
  topicOption,
  z,
} from "../../lib/sdk/mod.ts";
import {
  clientAddressOption,
  lineMessage,
  lineParser,
  logFormatOption,
} from "./log_lines/format_options.ts";
import { type Frame, frameSplitter } from "./syslog/framing.ts";
import { type QueuedMessage, type SendQueue, sendQueue } from "./syslog/send_queue.ts";

const LISTEN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function listenAddress(transport: string) {
  return z.string().check((context) => {
    const match = LISTEN.exec(context.value);
    if (match === null || Number(match[2]) > 65535) {
      context.issues.push({
        code: "custom",
        message: `expected host:port to receive syslog over ${transport} (e.g. 0.0.0.0:514, ` +
          `127.0.0.1:5514, [::]:514), found ${JSON.stringify(context.value)}`,
        input: context.value,
      });
    }
  }).meta({ format: "host:port" });
}

const options = z.strictObject({
  udp: listenAddress("UDP").optional()
    .describe("Address to receive syslog datagrams on (one message per datagram).")
    .meta({ examples: ["0.0.0.0:5514"] }),
  tcp: listenAddress("TCP").optional()
    .describe(
      "Address to accept syslog connections on; frames are octet-counted (`LEN <PRI>...`) or " +
        "end with LF, chosen per frame (RFC 6587).",
    )
    .meta({ examples: ["0.0.0.0:5514"] }),
  format: logFormatOption().meta({ examples: ["combined"] }),
  client_address: clientAddressOption().meta({ examples: ["remote_addr"] }),
  topic: topicOption(
    "RAWLOG",
    "Topic the records are written to, as JSON; a `kafka` source reads it.",
  ),
  partitions: partitionsOption(6),
  dead_letter_topic: deadLetterTopicOption(
    "malformed frames and bodies that do not match the format (headers: reason, peer, " +
      "transport)",
    "RAWLOG.dlq",
  ),
  max_message_bytes: z.number().int().min(480).max(1_048_576).default(65_536)
    .describe("Longest message; longer frames are dead-lettered (their first 200 bytes).")
    .meta({ examples: [65_536] }),
}).check((context) => {
  if (context.value.udp === undefined && context.value.tcp === undefined) {
    context.issues.push({
      code: "custom",
      message: "the syslog source listens nowhere: set udp, tcp or both (e.g. udp: 0.0.0.0:5514)",
      input: context.value,
    });
  }
});

/** Validated `syslog` source options. */
export type SyslogSourceOptions = z.output<typeof options>;

/** Most messages in one Kafka send. */
const MAX_PER_SEND = 5_000;
/** Most messages waiting for Kafka before datagrams are dropped. */
const MAX_QUEUED = 100_000;

function hostAndPort(address: string): { hostname: string; port: number } {
  const match = LISTEN.exec(address)!;
  return { hostname: match[1]!.replace(/^\[|\]$/g, ""), port: Number(match[2]) };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The error of an address the source cannot listen on, saying what to do. */
function cannotListen(transport: string, address: string, error: unknown): Error {
  return new Error(
    `syslog source: cannot receive ${transport} on ${address} (${errorText(error)}); choose a ` +
      `free port in its udp/tcp option (ports below 1024 need the right to bind them)`,
    { cause: error },
  );
}

/** The Kafka messages of one frame: its record, or a dead letter saying why not. */
function frameMessage(
  frame: Frame,
  format: LogFormat,
  origin: { peer: string; transport: "udp" | "tcp" },
): QueuedMessage {
  const deadLetter = (reason: string): QueuedMessage => ({
    to: "deadLetters",
    key: origin.peer,
    value: frame.bytes,
    headers: { reason, peer: origin.peer, transport: origin.transport },
  });
  if (!frame.ok) return deadLetter(frame.reason);
  let text: string;
  try {
    text = utf8.decode(frame.bytes);
  } catch {
    return deadLetter("syslog frame is not valid UTF-8");
  }
  const parsed = parseSyslogMessage(text);
  if (!parsed.ok) return deadLetter(parsed.reason);
  const line = lineMessage(format, parsed.message.body, Date.now(), parsed.message.time);
  if (!line.ok) return deadLetter(`syslog message body: ${line.reason}`);
  return { to: "topic", key: parsed.message.host ?? origin.peer, value: line.value };
}

/** Serves one TCP connection: frames in, each chunk's messages acknowledged before more is read. */
async function serveConnection(
  connection: Deno.TcpConn,
  settings: SyslogSourceOptions,
  format: LogFormat,
  queue: SendQueue,
): Promise<void> {
  const address = connection.remoteAddr;
  const peer = address.hostname;
  const splitter = frameSplitter(settings.max_message_bytes);
  const origin = { peer, transport: "tcp" as const };
  try {
    for await (const chunk of connection.readable) {
      const frames = splitter.push(chunk);
      await queue.write(frames.map((frame) => frameMessage(frame, format, origin)), false);
    }
  } catch {
    // The peer reset the connection: what arrived before is handled below.
  }
  await queue.write(splitter.end().map((frame) => frameMessage(frame, format, origin)), false);
}

/** The `syslog` source plugin. */
const syslogSource: SourcePlugin<SyslogSourceOptions> = {
  kind: "source",
  name: "syslog",
  summary: "Receives syslog (RFC 5424, RFC 3164) over UDP and TCP and writes the parsed " +
    "messages to a Kafka topic.",
  description: "The header is read (priority, time, host, app) and the body parsed by `format`, " +
    "as nginx (access_log syslog:server=...) and Apache (via logger or piped logs) send their " +
    "lines; a format without a time takes the header's. Records are written as JSON to " +
    "`topic`, which a kafka source reads; a message counts only once Kafka acknowledged it (a " +
    "TCP sender waits meanwhile; datagrams beyond 100,000 waiting are dropped and counted). " +
    "Malformed frames and bodies go to the dead-letter topic with the reason. See " +
    "docs/sources.md.",
  options,
  example: { udp: "0.0.0.0:5514", tcp: "0.0.0.0:5514", format: "combined", topic: "RAWLOG" },
  feedsTopic: (settings) => settings.topic,
  topics: (settings) => [
    { topic: settings.topic, partitions: settings.partitions },
    { topic: deadLetterTopicOf(settings), partitions: settings.partitions },
  ],
  open(settings, context): Promise<SourceRunner> {
    const format = lineParser(settings);
    const producer: Producer = context.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    let connected: Promise<void> | undefined;
    const topicSender = acknowledgedSender(context.kafka, producer, settings.topic);
    const deadLetterSender = acknowledgedSender(
      context.kafka,
      producer,
      deadLetterTopicOf(settings),
    );
    let lastFailure = "";
    const queue = sendQueue(
      async (messages) => {
        await (connected ??= producer.connect().catch((error) => {
          connected = undefined;
          throw error;
        }));
        const convert = (message: QueuedMessage) => ({
          key: message.key,
          value: typeof message.value === "string" ? message.value : Buffer.from(message.value),
          headers: message.headers,
        });
        await deadLetterSender.send(messages.filter((m) => m.to === "deadLetters").map(convert));
        await topicSender.send(messages.filter((m) => m.to === "topic").map(convert));
        lastFailure = "";
      },
      { maxPerSend: MAX_PER_SEND, maxQueued: MAX_QUEUED },
      (error, attempt) => {
        const text = errorText(error);
        if (text !== lastFailure) {
          context.log(`syslog source: Kafka write failed (${text}); retrying (attempt ${attempt})`);
        }
        lastFailure = text;
      },
    );
    let udp: dgram.Socket | undefined;
    let tcp: Deno.TcpListener | undefined;
    const connections = new Set<Promise<void>>();
    const sockets = new Set<Deno.TcpConn>();
    let reportedDrops = 0;

    const runner: SourceRunner = {
      async run(_handlers, signal) {
        if (settings.udp !== undefined) {
          const { hostname, port } = hostAndPort(settings.udp);
          const socket = dgram.createSocket(hostname.includes(":") ? "udp6" : "udp4");
          udp = socket;
          socket.on("message", (datagram, info) => {
            const origin = { peer: info.address, transport: "udp" as const };
            const frame: Frame = datagram.length > settings.max_message_bytes
              ? {
                ok: false,
                bytes: datagram.subarray(0, 200),
                reason: `syslog datagram of ${datagram.length} bytes is above max_message_bytes`,
              }
              : { ok: true, bytes: trimLineEnd(datagram) };
            queue.write([frameMessage(frame, format, origin)], true).then((sent) => {
              if (!sent && queue.dropped >= reportedDrops * 2 + 1) {
                reportedDrops = queue.dropped;
                context.log(
                  `syslog source: ${queue.dropped} datagram(s) dropped while Kafka was behind`,
                );
              }
            });
          });
          await new Promise<void>((resolve, reject) => {
            const failed = (error: unknown) => reject(cannotListen("UDP", settings.udp!, error));
            socket.once("error", failed);
            socket.bind(port, hostname, () => {
              socket.off("error", failed);
              resolve();
            });
          });
        }
        if (settings.tcp !== undefined) {
          try {
            tcp = Deno.listen({ ...hostAndPort(settings.tcp), transport: "tcp" });
          } catch (error) {
            throw cannotListen("TCP", settings.tcp, error);
          }
          (async () => {
            for await (const connection of tcp!) {
              sockets.add(connection);
              const served = serveConnection(connection, settings, format, queue)
                .finally(() => {
                  connections.delete(served);
                  sockets.delete(connection);
                  try {
                    connection.close();
                  } catch { /* closed by close() */ }
                });
              connections.add(served);
            }
          })().catch(() => {}); // the listener was closed
        }
        context.log(
          `syslog source: ${
            [settings.udp && `UDP ${settings.udp}`, settings.tcp && `TCP ${settings.tcp}`]
              .filter(Boolean).join(", ")
          } into Kafka topic ${settings.topic}`,
        );
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
      },
      commit: () => Promise.resolve(),
      reject: () => Promise.resolve(),
      async close() {
        udp?.close();
        tcp?.close();
        for (const socket of sockets) {
          try {
            socket.close();
          } catch { /* already closed */ }
        }
        queue.close();
        await Promise.allSettled([...connections]);
        await producer.disconnect();
      },
    };
    return Promise.resolve(runner);
  },
};

/** A datagram without the LF (or CRLF, NUL) some senders end it with. */
function trimLineEnd(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 10 || bytes[end - 1] === 13 || bytes[end - 1] === 0)) {
    end--;
  }
  return bytes.subarray(0, end);
}

export default syslogSource;
