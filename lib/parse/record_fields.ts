/**
 * Validation of a JSON object as a record: a web-server request (it has `request_uri`) or a
 * product/user event (it has `event_type`, `action` or `page_path`), with the optional event
 * fields checked and every other field kept, as text, in `props`.
 *
 * @module
 */
import type { LogRecord } from "../records.ts";
import { EVENT_TEXT_FIELDS, WEB_LOG_FIELDS } from "../records.ts";
import { describeValue, MAX_URI_LENGTH, type ParseResult, validateLogFields } from "./validate.ts";

/** Longest event field (ids, types, device, country, utm values) accepted. */
export const MAX_EVENT_FIELD_LENGTH = 256;
/** Most extra fields kept in `props`. */
export const MAX_PROPS = 100;
/** Longest `props` key. */
export const MAX_PROP_KEY_LENGTH = 128;
/** Longest `props` value (after turning non-text values into JSON). */
export const MAX_PROP_VALUE_LENGTH = 4096;

/** Input names read as another field: `ip`, `action`, `user_agent`, `referrer`, `event_time`. */
export const FIELD_ALIASES: Readonly<Record<string, keyof LogRecord>> = {
  event_time: "timestamp",
  ip: "remote_addr",
  action: "event_type",
  user_agent: "http_user_agent",
  referrer: "http_referrer",
};

/** The input name read as each field, the other way round from {@linkcode FIELD_ALIASES}. */
const ALIAS_FOR: Partial<Record<keyof LogRecord, string>> = Object.fromEntries(
  Object.entries(FIELD_ALIASES).map(([alias, field]) => [field, alias]),
);

const WEB_FIELD_SET = new Set<string>(WEB_LOG_FIELDS);
const KNOWN = new Set<string>([
  ...WEB_LOG_FIELDS,
  ...EVENT_TEXT_FIELDS,
  ...Object.keys(FIELD_ALIASES),
  "props",
]);
// deno-lint-ignore no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a JSON object's fields and builds the record.
 *
 * Rules: a time is required (`timestamp`, or `event_time`, or `fallbackTime` when the source
 * provides one). With `request_uri` the object is a web-server request and every web-log rule
 * of `validateLogFields` applies. Without it, `event_type` (or `action`) or `page_path` is
 * required, and web-log fields present are checked the same way. Event fields are text (numbers
 * are accepted as ids) of at most 256 characters without control characters; `page_path`
 * starts with `/`. Any other field goes to `props`, as do the entries of a `props` object.
 *
 * @param fields The parsed JSON object.
 * @param now Current time in epoch ms, bounding future timestamps.
 * @param fallbackTime Time to use when the object has none (e.g. the Kafka message time).
 * @returns The record, or a reason naming the field at fault.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { validateRecordFields } from "./record_fields.ts";
 * const result = validateRecordFields({
 *   event_type: "page_visited", event_time: "2026-11-20T10:00:00Z", user_id: 7,
 *   page_path: "/shoes", screen: "1920x1080",
 * }, Date.UTC(2026, 10, 21));
 * assert.ok(result.ok && result.record.user_id === "7");
 * assert.deepEqual(result.ok && result.record.props, { screen: "1920x1080" });
 * ```
 */
export function validateRecordFields(
  fields: Record<string, unknown>,
  now: number,
  fallbackTime?: number,
): ParseResult {
  // Runs for every field of every record: one lookup, and one more for a field with an alias.
  const raw = (name: keyof LogRecord): unknown => {
    const value = fields[name];
    if (value !== undefined) return value;
    const alias = ALIAS_FOR[name];
    return alias === undefined ? undefined : fields[alias];
  };
  let timestamp = raw("timestamp");
  if (timestamp === undefined && fallbackTime !== undefined) timestamp = fallbackTime;

  let record: LogRecord;
  if (raw("request_uri") !== undefined) {
    const result = validateLogFields({
      timestamp,
      request_uri: raw("request_uri"),
      status: raw("status"),
      body_bytes_sent: raw("body_bytes_sent"),
      request_time: raw("request_time"),
      http_referrer: raw("http_referrer"),
      http_user_agent: raw("http_user_agent"),
      remote_addr: raw("remote_addr"),
      method: raw("method"),
    }, now);
    if (!result.ok) return result;
    record = result.record;
  } else {
    // The web-log rules, run on placeholders for the fields the event does not carry; only
    // the fields it does carry are taken over, so every message still names the input field.
    const present = WEB_LOG_FIELDS.filter((name) =>
      raw(name) !== undefined && name !== "timestamp"
    );
    const result = validateLogFields({
      timestamp,
      request_uri: "/",
      status: raw("status") ?? 200,
      body_bytes_sent: raw("body_bytes_sent") ?? 0,
      request_time: raw("request_time") ?? 0,
      http_referrer: raw("http_referrer") ?? "-",
      http_user_agent: raw("http_user_agent") ?? "-",
      remote_addr: raw("remote_addr"),
      method: raw("method"),
    }, now);
    if (!result.ok) return result;
    if (isBlank(raw("event_type")) && isBlank(raw("page_path"))) {
      return {
        ok: false,
        reason: "event_type: expected the event's type (or page_path, or request_uri for a " +
          "web-server log), found nothing (field missing)",
      };
    }
    record = { timestamp: result.record.timestamp };
    const checked = result.record as unknown as Record<string, unknown>;
    const target = record as unknown as Record<string, unknown>;
    for (const name of present) target[name] = checked[name];
  }

  // A plain web log (only web-log fields) has no event fields and no props: skip both.
  let onlyWebFields = true;
  for (const key in fields) {
    if (!WEB_FIELD_SET.has(key)) {
      onlyWebFields = false;
      break;
    }
  }
  if (onlyWebFields) return { ok: true, record };

  for (const name of EVENT_TEXT_FIELDS) {
    const value = raw(name);
    if (value === undefined || value === null) continue;
    const text = typeof value === "number" && Number.isFinite(value)
      ? String(value)
      : typeof value === "string"
      ? value.trim()
      : undefined;
    const limit = name === "page_path" ? MAX_URI_LENGTH : MAX_EVENT_FIELD_LENGTH;
    if (text === undefined || text.length > limit || CONTROL_CHARACTER.test(text)) {
      return {
        ok: false,
        reason: `${name}: expected text of at most ${limit} characters without control ` +
          `characters, found ${describeValue(value)}`,
      };
    }
    if (name === "page_path" && text.charCodeAt(0) !== 47) {
      return {
        ok: false,
        reason: `page_path: expected a path starting with /, found ${describeValue(value)}`,
      };
    }
    if (text.length > 0) record[name] = text;
  }

  const props = collectProps(fields);
  if (typeof props === "string") return { ok: false, reason: props };
  if (props !== undefined) record.props = props;
  return { ok: true, record };
}

/** True for a value that says nothing: absent, null or an empty (or blank) string. */
function isBlank(value: unknown): boolean {
  return value === undefined || value === null ||
    (typeof value === "string" && value.trim() === "");
}

/** The extra fields as text, undefined when there are none, or the reason they are refused. */
function collectProps(
  fields: Record<string, unknown>,
): Record<string, string> | undefined | string {
  const explicit = fields.props;
  if (
    explicit !== undefined && explicit !== null &&
    (typeof explicit !== "object" || Array.isArray(explicit))
  ) {
    return `props: expected an object of extra fields, found ${describeValue(explicit)}`;
  }
  let props: Record<string, string> | undefined;
  let count = 0;
  const add = (key: string, value: unknown, path: string): string | undefined => {
    if (value === undefined) return undefined;
    if (key.length === 0 || key.length > MAX_PROP_KEY_LENGTH || CONTROL_CHARACTER.test(key)) {
      return `${path}: expected a field name of 1 to ${MAX_PROP_KEY_LENGTH} characters without ` +
        `control characters, found ${describeValue(key)}`;
    }
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (text.length > MAX_PROP_VALUE_LENGTH) {
      return `${path}: expected at most ${MAX_PROP_VALUE_LENGTH} characters, found ${text.length}`;
    }
    props ??= Object.create(null) as Record<string, string>;
    if (!Object.hasOwn(props, key)) count++;
    if (count > MAX_PROPS) return `props: expected at most ${MAX_PROPS} extra fields`;
    props[key] = text;
    return undefined;
  };
  for (const [key, value] of Object.entries((explicit ?? {}) as Record<string, unknown>)) {
    const problem = add(key, value, `props.${key}`);
    if (problem) return problem;
  }
  for (const [key, value] of Object.entries(fields)) {
    // An alias is kept in props when the field it stands for is there too (`ip` and
    // `remote_addr`): the field wins, the alias is not lost.
    const aliasOf = Object.hasOwn(FIELD_ALIASES, key) ? FIELD_ALIASES[key] : undefined;
    if (KNOWN.has(key) && !(aliasOf !== undefined && fields[aliasOf] !== undefined)) continue;
    const problem = add(key, value, key);
    if (problem) return problem;
  }
  // A plain object again, so records compare and serialize like any other.
  return props === undefined ? undefined : { ...props };
}
