/**
 * Splits a `POST /api/events` body into items, by content type: one JSON event or a JSON array
 * (`application/json`), one JSON event per line (`application/x-ndjson`), or one message per
 * line, each a JSON event or a combined-format log line (`text/plain`, as log shippers send).
 *
 * @module
 */

/** One item of a body: a JSON value, or a line that is not JSON (a combined-format line). */
export type BodyItem =
  | { kind: "json"; value: unknown; line?: number }
  | { kind: "line"; text: string; line: number }
  | { kind: "invalid"; reason: string; line: number };

/** The items of a body, or why the body as a whole cannot be read (with its HTTP status). */
export type SplitBody =
  | { ok: true; items: BodyItem[] }
  | { ok: false; status: 400 | 413 | 415; error: string };

/** Media types accepted, for messages. */
export const ACCEPTED_TYPES = "application/json, application/x-ndjson or text/plain";

const NDJSON_TYPES = new Set(["application/x-ndjson", "application/ndjson", "application/jsonl"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Splits a body into items.
 *
 * @param bytes The body.
 * @param contentType The `Content-Type` header (parameters such as `charset` are ignored).
 * @param maxItems The most items a body may hold.
 * @returns The items, or the status and reason for refusing the whole body: 415 for another
 * type, 400 for bytes that are not UTF-8, JSON that does not parse or an empty batch, 413 for
 * more than `maxItems` items. A bad line of NDJSON or text is an `invalid` item, not a bad body.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { splitBody } from "./split_body.ts";
 * const body = new TextEncoder().encode('{"a":1}\n\nnot json\n');
 * const split = splitBody(body, "text/plain; charset=utf-8", 10);
 * assert.ok(split.ok);
 * assert.deepEqual(split.items, [
 *   { kind: "json", value: { a: 1 }, line: 1 },
 *   { kind: "line", text: "not json", line: 3 },
 * ]);
 * ```
 */
export function splitBody(
  bytes: Uint8Array,
  contentType: string | null,
  maxItems: number,
): SplitBody {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const json = type === "application/json" ||
    (type.startsWith("application/") && type.endsWith("+json"));
  const ndjson = NDJSON_TYPES.has(type);
  if (!json && !ndjson && type !== "text/plain") {
    return {
      ok: false,
      status: 415,
      error: `unsupported Content-Type ${JSON.stringify(contentType ?? "(none)")}; send ` +
        ACCEPTED_TYPES,
    };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, status: 400, error: "the body is not valid UTF-8" };
  }
  const items = json ? jsonItems(text) : lineItems(text, ndjson);
  if (!Array.isArray(items)) return items;
  if (items.length === 0) {
    return { ok: false, status: 400, error: "the body holds no event; send at least one" };
  }
  if (items.length > maxItems) {
    return {
      ok: false,
      status: 413,
      error: `the body holds ${items.length} events, more than the limit of ${maxItems} per ` +
        "request; split it into smaller requests",
    };
  }
  return { ok: true, items };
}

function jsonItems(text: string): BodyItem[] | SplitBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      status: 400,
      error: `the body is not valid JSON (${error instanceof Error ? error.message : error}); ` +
        "send one JSON event, a JSON array of events, or use application/x-ndjson for one " +
        "event per line",
    };
  }
  return Array.isArray(value)
    ? value.map((item) => ({ kind: "json", value: item }))
    : [{ kind: "json", value }];
}

function lineItems(text: string, ndjson: boolean): BodyItem[] {
  const items: BodyItem[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    if (line.charCodeAt(0) !== 123 && !ndjson) {
      items.push({ kind: "line", text: line, line: i + 1 });
      continue;
    }
    try {
      items.push({ kind: "json", value: JSON.parse(line), line: i + 1 });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      items.push({ kind: "invalid", reason: `invalid JSON (${detail})`, line: i + 1 });
    }
  }
  return items;
}
