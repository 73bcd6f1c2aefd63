/**
 * Who a record comes from, for distinct counts, sessions and funnels: one rule, so every
 * plugin counts visitors alike.
 *
 * @module
 */
import type { LogRecord } from "../records.ts";

/**
 * The visitor of a record: its `user_id` when it has one (`u:` prefix), else its client address
 * with its user agent (`c:` prefix; two browsers behind one address are two visitors), else its
 * `session_id` (`s:` prefix; tracker events without a user or address). The prefixes keep the
 * three kinds apart, so a user id never equals an address.
 *
 * @param record Any record.
 * @returns The visitor key, or `undefined` when the record names none of them.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { visitorOf } from "./visitor.ts";
 * assert.equal(visitorOf({ timestamp: 0, user_id: "42", remote_addr: "10.0.0.1" }), "u:42");
 * assert.equal(
 *   visitorOf({ timestamp: 0, remote_addr: "10.0.0.1", http_user_agent: "Firefox" }),
 *   "c:10.0.0.1 Firefox",
 * );
 * assert.equal(visitorOf({ timestamp: 0, session_id: "s-1" }), "s:s-1");
 * assert.equal(visitorOf({ timestamp: 0, event_type: "login" }), undefined);
 * ```
 */
export function visitorOf(record: LogRecord): string | undefined {
  if (record.user_id !== undefined) return `u:${record.user_id}`;
  if (record.remote_addr !== undefined) return `c:${clientOf(record)}`;
  if (record.session_id !== undefined) return `s:${record.session_id}`;
  return undefined;
}

/**
 * A client: address and user agent (`-` when absent), separated by a space (addresses hold
 * none).
 *
 * @param record A record with `remote_addr`.
 * @returns `"<address> <user agent>"`, or `undefined` without an address.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { clientOf } from "./visitor.ts";
 * assert.equal(clientOf({ timestamp: 0, remote_addr: "10.0.0.1" }), "10.0.0.1 -");
 * ```
 */
export function clientOf(record: LogRecord): string | undefined {
  if (record.remote_addr === undefined) return undefined;
  return `${record.remote_addr} ${record.http_user_agent ?? "-"}`;
}
