/**
 * Alert state and undelivered notifications in Cassandra (`alert_state`, `alert_outbox`; see
 * cql/schema.cql): the one durable truth the engine's memory is a cache of.
 *
 * Statements are prepared with the keyspace as a validated identifier; rule, series and
 * notification text only ever travel as bound parameters.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { AlertNotification } from "../contracts.ts";
import type { AlertSeriesState, AlertStatus } from "./lifecycle.ts";

/** A series' state as stored, with the window it last judged. */
export interface StoredSeries {
  /** Rule name. */
  rule: string;
  /** Series within the rule. */
  series: string;
  /** Lifecycle state. */
  state: AlertSeriesState;
  /** Start of the window last judged (result rules), ms since epoch. */
  windowStart?: number;
}

/** A notification a notifier has not yet taken. */
export interface OutboxEntry {
  /** The notifier's name. */
  notifier: string;
  /** The notification. */
  notification: AlertNotification;
}

/** Reads and writes alert state. */
export interface AlertStore {
  /** Every stored series and undelivered notification of the given rules. */
  load(rules: readonly string[]): Promise<{ series: StoredSeries[]; outbox: OutboxEntry[] }>;
  /** Writes a series' state, with the notifications its transition owes, in one logged batch. */
  save(series: StoredSeries, owed: readonly OutboxEntry[]): Promise<void>;
  /** Forgets a delivered notification. */
  delivered(entry: OutboxEntry): Promise<void>;
}

/** An alert store on `keyspace.alert_state` and `keyspace.alert_outbox`. */
export function cassandraAlertStore(client: cassandra.Client, keyspace: string): AlertStore {
  const state = `${keyspace}.alert_state`;
  const outbox = `${keyspace}.alert_outbox`;
  const time = (value: unknown) => value instanceof Date ? value.getTime() : undefined;
  return {
    async load(rules) {
      const series: StoredSeries[] = [];
      const entries: OutboxEntry[] = [];
      for (const rule of rules) {
        const rows = await client.execute(`SELECT * FROM ${state} WHERE rule = ?`, [rule]);
        for (const row of rows.rows) {
          series.push({
            rule,
            series: row.get("series"),
            state: {
              status: row.get("status") as AlertStatus,
              activeSince: time(row.get("active_since")),
              firedAt: time(row.get("fired_at")),
              resolvedAt: time(row.get("resolved_at")),
              value: row.get("value") ?? Number.NaN,
            },
            windowStart: time(row.get("window_start")),
          });
        }
        const owed = await client.execute(`SELECT * FROM ${outbox} WHERE rule = ?`, [rule]);
        for (const row of owed.rows) {
          entries.push({
            notifier: row.get("notifier"),
            notification: JSON.parse(row.get("notification")),
          });
        }
      }
      return { series, outbox: entries };
    },
    async save(series, owed) {
      const date = (ms: number | undefined) => ms === undefined ? null : new Date(ms);
      const { state: s } = series;
      const queries = [
        {
          query: `INSERT INTO ${state} (rule, series, status, active_since, fired_at, ` +
            `resolved_at, value, window_start, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          params: [
            series.rule,
            series.series,
            s.status,
            date(s.activeSince),
            date(s.firedAt),
            date(s.resolvedAt),
            Number.isFinite(s.value) ? s.value : null,
            date(series.windowStart),
            new Date(),
          ],
        },
        ...owed.map((entry) => ({
          query: `INSERT INTO ${outbox} (rule, series, id, notifier, notification) ` +
            `VALUES (?, ?, ?, ?, ?)`,
          params: [
            series.rule,
            series.series,
            entry.notification.id,
            entry.notifier,
            JSON.stringify(entry.notification),
          ],
        })),
      ];
      if (queries.length === 1) await client.execute(queries[0]!.query, queries[0]!.params);
      else await client.batch(queries, { logged: true });
    },
    async delivered(entry) {
      const { notification } = entry;
      await client.execute(
        `DELETE FROM ${outbox} WHERE rule = ? AND series = ? AND id = ? AND notifier = ?`,
        [notification.rule, notification.series, notification.id, entry.notifier],
      );
    },
  };
}

/** An alert store in memory, for unit tests. */
export function memoryAlertStore(): AlertStore & { series: Map<string, StoredSeries> } {
  const series = new Map<string, StoredSeries>();
  const outbox = new Map<string, OutboxEntry>();
  const id = (entry: OutboxEntry) => `${entry.notification.id}\u0000${entry.notifier}`;
  return {
    series,
    load(rules) {
      return Promise.resolve({
        series: [...series.values()].filter((stored) => rules.includes(stored.rule))
          .map((stored) => structuredClone(stored)),
        outbox: [...outbox.values()].filter((entry) => rules.includes(entry.notification.rule)),
      });
    },
    save(stored, owed) {
      series.set(`${stored.rule}\u0000${stored.series}`, structuredClone(stored));
      for (const entry of owed) outbox.set(id(entry), structuredClone(entry));
      return Promise.resolve();
    },
    delivered(entry) {
      outbox.delete(id(entry));
      return Promise.resolve();
    },
  };
}
