import assert from "assert";
import type { RuntimeContext, SourceBatch } from "../../lib/contracts.ts";
import { parseLogMessage } from "../../lib/parse/mod.ts";
import generator, { type GeneratorOptions } from "./generator.ts";

function settings(input: Record<string, unknown>): GeneratorOptions {
  return generator.options.parse(input);
}

function fakeContext(lines: string[]): RuntimeContext {
  return { log: (line: string) => lines.push(line) } as unknown as RuntimeContext;
}

async function collect(
  input: Record<string, unknown>,
  signal = new AbortController().signal,
): Promise<{ batches: SourceBatch[]; lines: string[] }> {
  const lines: string[] = [];
  const runner = await generator.open(settings(input), fakeContext(lines));
  const batches: SourceBatch[] = [];
  await runner.run({
    onBatch: (batch) => {
      batches.push(batch);
      return Promise.resolve();
    },
    onReassigned: () => {},
  }, signal);
  await runner.commit([]);
  await runner.close();
  return { batches, lines };
}

Deno.test("generator options have documented defaults and are strict", () => {
  const parsed = settings({});
  assert.equal(parsed.rate, 100);
  assert.equal(parsed.span, "1h");
  assert.equal(parsed.partitions, 6);
  assert.equal(parsed.malformed_share, 0);
  assert.equal(parsed.to_topic, undefined);
  assert.ok(generator.options.safeParse(generator.example).success);
  assert.ok(!generator.options.safeParse({ rate: -1 }).success);
  assert.ok(!generator.options.safeParse({ late_share: 2 }).success);
  assert.ok(!generator.options.safeParse({ duration: "10 minutes" }).success);
  assert.ok(!generator.options.safeParse({ start: "2026-11-20T00:00:00" }).success);
  assert.ok(!generator.options.safeParse({ to_topic: "bad topic" }).success);
  assert.ok(!generator.options.safeParse({ rats: 10 }).success);
});

Deno.test("a start needs a known number of events and must not lie in the future", () => {
  const noCount = generator.options.safeParse({ start: "2026-11-20T00:00:00Z", rate: 0 });
  assert.ok(!noCount.success);
  assert.match(noCount.error.issues[0]!.message, /set count, or rate > 0 and duration/);
  assert.ok(
    generator.options.safeParse({ start: "2026-11-20T00:00:00Z", rate: 10, duration: "1m" })
      .success,
  );
  const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
  assert.ok(!generator.options.safeParse({ start: future, count: 10 }).success);
});

Deno.test("feedsTopic and topics follow to_topic", () => {
  assert.equal(generator.feedsTopic!(settings({})), undefined);
  assert.deepEqual(generator.topics!(settings({})), []);
  const feeding = settings({ to_topic: "RAWLOG", partitions: 3 });
  assert.equal(generator.feedsTopic!(feeding), "RAWLOG");
  assert.deepEqual(generator.topics!(feeding), [{ topic: "RAWLOG", partitions: 3 }]);
});

Deno.test("a reproducible run yields per-partition batches numbered from 0", async () => {
  const input = {
    rate: 0,
    count: 10_000,
    seed: 7,
    start: "2026-11-20T00:00:00Z",
    span: "1d",
    malformed_share: 0.02,
    combined_share: 0.3,
    partitions: 4,
  };
  const { batches, lines } = await collect(input);
  assert.match(lines[0]!, /seed 7, 10000 events at full speed/);
  const nextOffset = [0, 0, 0, 0];
  let total = 0;
  let rejected = 0;
  for (const batch of batches) {
    assert.equal(batch.stream, "generator");
    for (const message of batch.messages) {
      assert.equal(message.offset, nextOffset[batch.partition]);
      nextOffset[batch.partition]!++;
      const parsed = parseLogMessage(message.value!);
      if (!parsed.ok) rejected++;
      else {
        assert.ok(parsed.record.timestamp >= Date.UTC(2026, 10, 20) - 48 * 3_600_000);
        assert.ok(parsed.record.timestamp < Date.UTC(2026, 10, 21));
      }
    }
    total += batch.messages.length;
    assert.ok(batch.lag !== undefined && batch.lag >= 0);
  }
  assert.equal(total, 10_000);
  assert.deepEqual(nextOffset, [2500, 2500, 2500, 2500]);
  assert.ok(rejected > 100 && rejected < 300, `${rejected} rejected`);
  assert.equal(batches.at(-1)!.lag, 0);

  const again = await collect(input);
  assert.deepEqual(
    again.batches.map((batch) => batch.messages.map((message) => message.value)),
    batches.map((batch) => batch.messages.map((message) => message.value)),
  );
});

Deno.test("without a start, events carry the current time and fresh offsets", async () => {
  const before = Date.now();
  const { batches } = await collect({ rate: 0, count: 600, partitions: 2 });
  const after = Date.now();
  const first = batches[0]!.messages[0]!;
  assert.ok(first.offset >= Math.floor(before) * 1000, "offsets start from now x 1000");
  for (const batch of batches) {
    for (const message of batch.messages) {
      const parsed = parseLogMessage(message.value!);
      assert.ok(parsed.ok);
      assert.ok(parsed.record.timestamp >= Math.floor(before / 1000) * 1000);
      assert.ok(parsed.record.timestamp <= after);
    }
  }
});

// The pacing arithmetic itself is pacingDelay's (lib/traffic/pacing.ts), tested without a clock.
Deno.test("a paced run sends rate x duration events in paced chunks", async () => {
  const { batches } = await collect({ rate: 400, duration: "1s", seed: 1 });
  const total = batches.reduce((sum, batch) => sum + batch.messages.length, 0);
  assert.equal(total, 400);
  // Ten chunks a second: 40 events each, spread over the partitions.
  const byChunk = new Map<number, number>();
  for (const batch of batches) {
    const producedAt = batch.messages[0]!.producedAt!;
    byChunk.set(producedAt, (byChunk.get(producedAt) ?? 0) + batch.messages.length);
  }
  assert.ok([...byChunk.values()].every((size) => size <= 40), [...byChunk.values()].join(","));
});

Deno.test("an endless run stops when the runtime aborts", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const { batches } = await collect({ rate: 1000 }, controller.signal);
  const total = batches.reduce((sum, batch) => sum + batch.messages.length, 0);
  assert.ok(total >= 200 && total <= 400, `${total} events in 300 ms at 1000/s`);
});

Deno.test("rejections are logged, at most once per ten seconds", async () => {
  const lines: string[] = [];
  const runner = await generator.open(settings({ seed: 1 }), fakeContext(lines));
  const batch: SourceBatch = { stream: "generator", partition: 2, messages: [] };
  const rejection = { message: { offset: 9, value: null }, reason: "status: bad" };
  await runner.reject(batch, [rejection]);
  await runner.reject(batch, [rejection, rejection]);
  assert.equal(lines.length, 2);
  assert.equal(
    lines[1],
    "generator: rejected 1 malformed message(s), e.g. generator/2/9: status: bad",
  );
});

Deno.test("generator mode picks the simulation; its shares are options", async () => {
  assert.equal(settings({}).mode, "weblog");
  assert.ok(!generator.options.safeParse({ mode: "events" }).success);
  const input = { rate: 0, count: 600, seed: 9, start: "2026-11-20T00:00:00Z", partitions: 2 };
  const decode = (batches: SourceBatch[]) =>
    batches.flatMap((batch) => batch.messages).map((message) => {
      const result = parseLogMessage(message.value!, Date.UTC(2026, 11, 1));
      assert.ok(result.ok);
      return result.record;
    });
  const shop = decode((await collect({ ...input, mode: "ecommerce", bot_share: 0 })).batches);
  assert.equal(shop.length, 600);
  assert.ok(shop.every((record) => record.session_id !== undefined && record.device !== undefined));
  assert.ok(shop.some((record) => record.event_type === "add_to_cart"));
  const clicks = decode((await collect({ ...input, mode: "clickstream" })).batches);
  assert.ok(clicks.some((record) => record.event_type === "button_clicked"));
  const logs = decode((await collect(input)).batches);
  assert.ok(
    logs.every((record) => record.request_uri !== undefined && record.status !== undefined),
  );
});
