import assert from "assert";
import { compileLogFormat } from "../../../lib/sdk/mod.ts";
import { createFollower, type FileWrite, type FollowerSettings } from "./follower.ts";
import { lastCheckpoint, type MessageHeaders, OFFSET_HEADER, PATH_HEADER } from "./checkpoint.ts";

/** A topic in memory: what the follower wrote, in order. */
interface FakeTopic {
  values: string[];
  headers: MessageHeaders[];
  deadLetters: string[];
}

function lineFor(n: number): string {
  const second = String(n % 60).padStart(2, "0");
  return `10.0.0.${n % 250} - - [20/Nov/2026:10:00:${second} +0000] "GET /page/${n} HTTP/1.1" ` +
    `200 ${n} "-" "test" 0.${String(n % 1000).padStart(3, "0")}`;
}

function settings(dir: string, overrides: Partial<FollowerSettings> = {}): FollowerSettings {
  return {
    patterns: [`${dir}/access.log*`],
    startAtEnd: false,
    id: "file",
    format: compileLogFormat("nginx_timed"),
    maxWriteBytes: 4096,
    maxWriteLines: 50,
    log: () => {},
    now: () => Date.UTC(2026, 10, 21),
    ...overrides,
  };
}

/** Writes into `topic`; with `failAfter`, the write after that many fails before landing. */
function writer(topic: FakeTopic, failAfter = Infinity) {
  let writes = 0;
  return (write: FileWrite) => {
    if (writes++ >= failAfter) return Promise.reject(new Error("Kafka went away"));
    for (const line of write.deadLetters) {
      topic.deadLetters.push(new TextDecoder().decode(line.value));
    }
    for (const line of write.lines) {
      topic.values.push(line.value);
      topic.headers.push(line.headers);
    }
    return Promise.resolve();
  };
}

/** Polls until a poll handles nothing. */
async function drain(
  follower: ReturnType<typeof createFollower>,
  write: (w: FileWrite) => Promise<void>,
) {
  while (await follower.poll(write) > 0) { /* more */ }
}

/** The page numbers of the records in the topic. */
function pages(topic: FakeTopic): number[] {
  return topic.values.map((value) => Number(JSON.parse(value).request_uri.slice(6)));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

async function append(path: string, from: number, to: number) {
  await Deno.writeTextFile(path, range(from, to).map(lineFor).join("\n") + "\n", { append: true });
}

async function gzip(path: string) {
  const source = await Deno.open(path);
  await Deno.writeFile(`${path}.gz`, source.readable.pipeThrough(new CompressionStream("gzip")));
  await Deno.remove(path);
}

Deno.test("a follower reads every line once across rename, copytruncate, gzip and restarts", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/access.log`;
  const topic: FakeTopic = { values: [], headers: [], deadLetters: [] };
  try {
    await append(log, 0, 100);
    let follower = createFollower(settings(dir), undefined);
    await drain(follower, writer(topic));
    assert.deepEqual(pages(topic), range(0, 100));

    // Rename rotation with lines the follower has not read yet in the old file.
    await append(log, 100, 150);
    await Deno.rename(log, `${log}.1`);
    await append(log, 150, 200);
    // A restart: the position comes back from the topic alone.
    follower = createFollower(settings(dir), lastCheckpoint(topic.headers, "file"));
    await drain(follower, writer(topic));
    assert.deepEqual(pages(topic).sort((a, b) => a - b), range(0, 200));

    // The rotated file is compressed after more lines reached it; copytruncate of the live one.
    await append(`${log}.1`, 200, 230);
    await gzip(`${log}.1`);
    await append(log, 230, 260);
    await drain(follower, writer(topic));
    await Deno.copyFile(log, `${log}.2`);
    await Deno.truncate(log, 0);
    await append(log, 260, 300);
    // A write fails half-way through (Kafka down): recover from what the topic holds.
    await drain(follower, writer(topic, 1)).catch(() => {});
    follower = createFollower(settings(dir), lastCheckpoint(topic.headers, "file"));
    await drain(follower, writer(topic));
    assert.deepEqual(pages(topic).sort((a, b) => a - b), range(0, 300));
    assert.equal(new Set(topic.values).size, topic.values.length);
    assert.ok(topic.headers.some((headers) => headers[PATH_HEADER] === `${log}.1.gz`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start at the end skips what the files held at the first start, not later files", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/access.log`;
  const topic: FakeTopic = { values: [], headers: [], deadLetters: [] };
  try {
    await append(log, 0, 10);
    await Deno.writeTextFile(log, "partial", { append: true });
    const follower = createFollower(settings(dir, { startAtEnd: true }), undefined);
    await drain(follower, writer(topic));
    assert.deepEqual(pages(topic), []);
    await Deno.writeTextFile(log, "\n", { append: true });
    await append(log, 10, 12);
    await Deno.rename(log, `${log}.1`);
    await append(log, 12, 14);
    await drain(follower, writer(topic));
    assert.deepEqual(pages(topic).sort((a, b) => a - b), range(10, 14));
    assert.deepEqual(topic.deadLetters, ["partial"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a line that does not match is dead-lettered with its reason and place", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/access.log`;
  const topic: FakeTopic = { values: [], headers: [], deadLetters: [] };
  try {
    await Deno.writeTextFile(log, `${lineFor(1)}\nnot a log line\n${lineFor(2)}\n`);
    const reasons: Record<string, string>[] = [];
    const follower = createFollower(settings(dir), undefined);
    await drain(follower, (write) => {
      for (const line of write.deadLetters) reasons.push(line.headers);
      return writer(topic)(write);
    });
    assert.deepEqual(pages(topic), [1, 2]);
    assert.equal(reasons.length, 1);
    assert.match(reasons[0]!.reason!, /expected " - " after \$remote_addr at column 4/);
    assert.equal(
      reasons[0]![OFFSET_HEADER],
      String(lineFor(1).length + 1 + "not a log line\n".length),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a write counts the bytes sent (JSON values and headers), not the bytes of its lines", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/access.log`;
  const topic: FakeTopic = { values: [], headers: [], deadLetters: [] };
  try {
    await append(log, 0, 200);
    const follower = createFollower(settings(dir, { maxWriteLines: 1000 }), undefined);
    const sizes: number[] = [];
    let largestMessage = 0;
    const write = writer(topic);
    await drain(follower, (w) => {
      let bytes = 0;
      for (const line of w.lines) {
        const size = line.value.length +
          Object.entries(line.headers).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
        if (line.headers[OFFSET_HEADER] !== undefined) {
          largestMessage = Math.max(largestMessage, size);
        }
        bytes += size;
      }
      sizes.push(bytes);
      return write(w);
    });
    assert.deepEqual(pages(topic), range(0, 200));
    assert.ok(sizes.length > 1, `${sizes.length} write(s)`);
    // The limit may be passed by one message, and the checkpoint rides on the last one.
    const checkpointRoom = 1024;
    for (const size of sizes) assert.ok(size <= 4096 + largestMessage + checkpointRoom, `${size}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
