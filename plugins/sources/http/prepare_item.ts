/**
 * Turns one item of a request into the Kafka message the source writes, or the reason it is
 * refused: server-filled fields, then the same validation as the Kafka path (`parseLogMessage`),
 * so what the HTTP source accepts the `kafka` source reading its topic accepts too.
 *
 * @module
 */
import { describeValue, parseLogMessage } from "../../../lib/sdk/mod.ts";
import type { BodyItem } from "./split_body.ts";

/** What the server knows of the request an item came in. */
export interface RequestFacts {
  /** Client address. */
  remoteAddr: string;
  /** The request's `User-Agent`, if any. */
  userAgent: string | null;
  /** Current time, epoch ms. */
  now: number;
}

/** An item ready for Kafka, or the reason it was refused. */
export type PreparedItem =
  | { ok: true; value: string; key: string | undefined; eventId: string | undefined }
  | { ok: false; reason: string };

const MAX_EVENT_ID_LENGTH = 128;
/** Largest event accepted, as written to Kafka (UTF-8 bytes). */
export const MAX_EVENT_BYTES = 64 * 1024;
const utf8 = new TextEncoder();
// deno-lint-ignore no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Prepares one item. A JSON object gets `event_id` (a random UUID) when it has none, and
 * `event_time` (now, ISO-8601) when it has neither `event_time` nor `timestamp`; an event (it
 * has `event_type`) also gets `remote_addr` and `http_user_agent` from the request when absent.
 * A log line is taken as it is. Either is then validated with the Kafka path's parser.
 *
 * @param item The item.
 * @param facts The request's address, user agent and the current time.
 * @returns The message value and key (the event id), or the reason naming the field at fault.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { prepareItem } from "./prepare_item.ts";
 * const facts = { remoteAddr: "10.0.0.1", userAgent: "Mozilla/5.0", now: Date.UTC(2026, 10, 23) };
 * const item = { kind: "json" as const, value: { event_type: "page_visited", page_path: "/a" } };
 * const prepared = prepareItem(item, facts);
 * assert.ok(prepared.ok && prepared.eventId?.length === 36);
 * assert.deepEqual(prepareItem({ kind: "json", value: [] }, facts), {
 *   ok: false,
 *   reason: "expected a JSON object, found an array",
 * });
 * ```
 */
export function prepareItem(item: BodyItem, facts: RequestFacts): PreparedItem {
  if (item.kind === "invalid") return { ok: false, reason: item.reason };
  if (item.kind === "line") {
    const tooLarge = sizeProblem(item.text);
    if (tooLarge !== undefined) return { ok: false, reason: tooLarge };
    const parsed = parseLogMessage(item.text, facts.now);
    return parsed.ok
      ? { ok: true, value: item.text, key: undefined, eventId: undefined }
      : { ok: false, reason: parsed.reason };
  }
  const value = item.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: `expected a JSON object, found ${describeValue(value)}` };
  }
  const event: Record<string, unknown> = { ...value };
  if (event.event_id === undefined || event.event_id === null) {
    event.event_id = crypto.randomUUID();
  } else if (!isEventId(event.event_id)) {
    return {
      ok: false,
      reason: `event_id: expected text of 1 to ${MAX_EVENT_ID_LENGTH} characters without ` +
        `control characters, found ${describeValue(event.event_id)}`,
    };
  }
  if (event.event_time === undefined && event.timestamp === undefined) {
    event.event_time = new Date(facts.now).toISOString();
  }
  if (typeof event.event_type === "string") {
    event.remote_addr ??= facts.remoteAddr;
    event.http_user_agent ??= facts.userAgent ?? "-";
  }
  const message = JSON.stringify(event);
  const tooLarge = sizeProblem(message);
  if (tooLarge !== undefined) return { ok: false, reason: tooLarge };
  const parsed = parseLogMessage(message, facts.now);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const eventId = event.event_id as string;
  return { ok: true, value: message, key: eventId, eventId };
}

/** Why a message is too large for one event, or undefined. */
function sizeProblem(message: string): string | undefined {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: most messages need no encoding to know.
  if (message.length * 3 <= MAX_EVENT_BYTES) return undefined;
  const bytes = utf8.encode(message).length;
  return bytes <= MAX_EVENT_BYTES ? undefined : `the event is ${bytes} bytes as written, more ` +
    `than the limit of ${MAX_EVENT_BYTES} per event; move large data out of it`;
}

function isEventId(value: unknown): value is string {
  return typeof value === "string" && value.length >= 1 &&
    value.length <= MAX_EVENT_ID_LENGTH && !CONTROL_CHARACTER.test(value);
}
