/**
 * Visitors right now: the distinct visitors (user, else client address and agent, else
 * session, as `unique_visitors` counts them; bots left out) of the records whose time is in
 * the last few minutes, read from the `log` table, which holds every valid record once. Those
 * minutes span at most two of its hourly partitions, so a look reads two partitions' tails.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { LogRecord } from "../records.ts";
import { isBot } from "../sdk/bot.ts";
import { visitorOf } from "../sdk/visitor.ts";
import { utcBucket } from "../windows.ts";

/** How far back "now" reaches, minutes. */
export const NOW_MINUTES = 5;

/** Visitors of the last minutes. */
export interface VisitorsNow {
  /** Distinct visitors. */
  visitors: number;
  /** The minutes counted. */
  minutes: number;
  /** The end of the span, ms since epoch. */
  at: number;
}

/**
 * A reader of the visitors of the last {@linkcode NOW_MINUTES} minutes.
 *
 * @param client Connected Cassandra client.
 * @param table The log table, `keyspace.table` (validated identifiers).
 * @param now The clock.
 * @returns A function answering the count at each call.
 */
export function visitorsNowReader(
  client: cassandra.Client,
  table: string,
  now: () => number = Date.now,
): () => Promise<VisitorsNow> {
  const query = `SELECT user_id, remote_addr, http_user_agent, session_id FROM ${table} ` +
    "WHERE date = ? AND hour = ? AND timestamp >= ? AND timestamp <= ?";
  return async () => {
    const end = now();
    const start = end - NOW_MINUTES * 60_000;
    const buckets = new Map<string, { date: string; hour: number }>();
    for (const at of [start, end]) {
      const bucket = utcBucket(at);
      buckets.set(`${bucket.date}/${bucket.hour}`, bucket);
    }
    const visitors = new Set<string>();
    for (const bucket of buckets.values()) {
      await new Promise<void>((resolve, reject) => {
        client.eachRow(
          query,
          [bucket.date, bucket.hour, new Date(start), new Date(end)],
          { prepare: true, autoPage: true, fetchSize: 5000 },
          (_index, row) => {
            const record = {
              user_id: row.get("user_id") ?? undefined,
              remote_addr: row.get("remote_addr") ?? undefined,
              http_user_agent: row.get("http_user_agent") ?? undefined,
              session_id: row.get("session_id") ?? undefined,
            } as LogRecord;
            if (isBot(record.http_user_agent ?? "-")) return;
            const visitor = visitorOf(record);
            if (visitor !== undefined) visitors.add(visitor);
          },
          (error) => (error ? reject(error) : resolve()),
        );
      });
    }
    return { visitors: visitors.size, minutes: NOW_MINUTES, at: end };
  };
}
