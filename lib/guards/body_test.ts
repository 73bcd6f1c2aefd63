import assert from "assert";
import { readBodyWithin } from "./body.ts";

function streamOf(chunks: string[], pulled: { count: number }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream({
    pull(controller) {
      pulled.count++;
      if (next < chunks.length) controller.enqueue(encoder.encode(chunks[next++]));
      else controller.close();
    },
  });
}

Deno.test("body: a streamed body within the limit is read whole", async () => {
  const pulled = { count: 0 };
  const request = new Request("http://x", {
    method: "POST",
    body: streamOf(["ab", "cd", "e"], pulled),
  });
  const body = await readBodyWithin(request, 5);
  assert.ok(body.ok);
  assert.equal(new TextDecoder().decode(body.bytes), "abcde");
});

Deno.test("body: a streamed body past the limit stops at the chunk that crosses it", async () => {
  const pulled = { count: 0 };
  const chunks = Array.from({ length: 100 }, () => "x".repeat(10));
  const request = new Request("http://x", { method: "POST", body: streamOf(chunks, pulled) });
  assert.deepEqual(await readBodyWithin(request, 25), { ok: false, tooLarge: true });
  assert.ok(pulled.count <= 5, `read ${pulled.count} chunks of 100`);
});

Deno.test("body: a declared length above the limit is refused before reading", async () => {
  const pulled = { count: 0 };
  const request = new Request("http://x", {
    method: "POST",
    body: streamOf(["x"], pulled),
    headers: { "content-length": "1000" },
  });
  assert.deepEqual(await readBodyWithin(request, 999), { ok: false, tooLarge: true });
  assert.equal(pulled.count, 0);
});

Deno.test("body: no body reads as empty", async () => {
  const body = await readBodyWithin(new Request("http://x", { method: "POST" }), 10);
  assert.ok(body.ok && body.bytes.length === 0);
});
