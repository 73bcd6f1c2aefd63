/**
 * Writes series states and the notifications they owe to the store: one write at a time per
 * series, in order, the latest state winning; a failed write (Cassandra down) is kept and
 * retried by {@linkcode SeriesWriter.retry}, without notifications delivered meanwhile.
 *
 * @module
 */
import type { Dispatcher } from "./dispatch.ts";
import type { AlertStore, OutboxEntry, StoredSeries } from "./store.ts";

/** Writes series. */
export interface SeriesWriter {
  /** Writes a series' state and what it owes; resolves once written, rejects when it failed. */
  write(key: string, stored: StoredSeries, owed: readonly OutboxEntry[]): Promise<void>;
  /** Writes again every series whose last write failed, unless one is under way. */
  retry(): void;
  /** Resolves once every write under way is done, or after `timeoutMs`. */
  settle(timeoutMs: number): Promise<void>;
}

/**
 * Creates the writer.
 *
 * @param store Where series are written.
 * @param dispatcher Asked which notifications were delivered meanwhile (not written again).
 */
export function seriesWriter(store: AlertStore, dispatcher: Dispatcher): SeriesWriter {
  const writes = new Map<string, Promise<void>>();
  const unsaved = new Map<string, { stored: StoredSeries; owed: OutboxEntry[] }>();
  /** Writes queued or running, per series: a failed one is retried only when none is. */
  const outstanding = new Map<string, number>();

  function write(key: string, stored: StoredSeries, owed: readonly OutboxEntry[]) {
    unsaved.set(key, { stored, owed: [...(unsaved.get(key)?.owed ?? []), ...owed] });
    outstanding.set(key, (outstanding.get(key) ?? 0) + 1);
    const written = (writes.get(key) ?? Promise.resolve()).then(async () => {
      const latest = unsaved.get(key);
      if (latest === undefined) return;
      const stillOwed = latest.owed.filter((entry) =>
        !dispatcher.wasDelivered(entry.notification.id, entry.notifier)
      );
      await store.save(latest.stored, stillOwed);
      if (unsaved.get(key) === latest) unsaved.delete(key);
    }).finally(() => outstanding.set(key, outstanding.get(key)! - 1));
    writes.set(key, written.catch(() => {}));
    return written;
  }

  return {
    write,
    retry() {
      for (const [key, pending] of [...unsaved]) {
        if ((outstanding.get(key) ?? 0) === 0) write(key, pending.stored, []).catch(() => {});
      }
    },
    async settle(timeoutMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled(writes.values()),
        new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
      ]);
      clearTimeout(timer);
    },
  };
}
