/**
 * Reading a request body with a size limit, without ever buffering more than the limit.
 *
 * @module
 */

/** A body read within its limit, or the fact that it was too large. */
export type LimitedBody = { ok: true; bytes: Uint8Array } | { ok: false; tooLarge: true };

/**
 * Reads a request body of at most `maxBytes`. A `Content-Length` above the limit is refused
 * before reading anything; a body that goes past the limit while streaming (no or a false
 * length) is cancelled as soon as it does.
 *
 * @param request The request.
 * @param maxBytes The limit in bytes.
 * @returns The bytes, or `{ ok: false, tooLarge: true }`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { readBodyWithin } from "./body.ts";
 * const small = await readBodyWithin(new Request("http://x", { method: "POST", body: "hi" }), 5);
 * assert.ok(small.ok && small.bytes.length === 2);
 * const big = await readBodyWithin(new Request("http://x", { method: "POST", body: "hello!" }), 5);
 * assert.equal(big.ok, false);
 * ```
 */
export async function readBodyWithin(request: Request, maxBytes: number): Promise<LimitedBody> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await request.body?.cancel().catch(() => {});
    return { ok: false, tooLarge: true };
  }
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, tooLarge: true };
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0]! };
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { ok: true, bytes };
}
