/**
 * Delivers notifications to notifiers, each notifier with its own queue, in order, retried with
 * back-off until taken, so a failing receiver holds back only its own notifications and never
 * the pipeline. Each delivery is then forgotten in the store (`alert_outbox`).
 *
 * @module
 */
import type { Notifier } from "../contracts.ts";
import { errorText } from "../errors.ts";
import type { AlertStore, OutboxEntry } from "./store.ts";

/** How a notifier is doing, for the status line, `/api/alerts` and `/metrics`. */
export interface NotifierHealth {
  /** Notifier name. */
  name: string;
  /** Notifications delivered. */
  delivered: number;
  /** Failed attempts (each retried). */
  failures: number;
  /** Notifications waiting (including the one being tried). */
  pending: number;
  /** Set while its current notification fails: since when and the last cause (one line). */
  failing?: { since: number; lastError: string };
}

/** Options for {@linkcode createDispatcher}. */
export interface DispatcherOptions {
  /** Started notifiers by name. */
  notifiers: Map<string, Notifier>;
  /** Where delivered notifications are forgotten. */
  store: AlertStore;
  /** Operator-facing log line. */
  log: (line: string) => void;
  /** First wait after a failure, ms (default 1000); it doubles after each failure. */
  firstRetryMs?: number;
  /** Longest wait between attempts, ms (default 300000). */
  maxRetryMs?: number;
  /** The clock (default Date.now). */
  now?: () => number;
}

/** Delivers notifications. */
export interface Dispatcher {
  /** Queues notifications for their notifiers (unknown notifiers are logged and skipped). */
  enqueue(entries: readonly OutboxEntry[]): void;
  /** How each notifier is doing. */
  health(): NotifierHealth[];
  /** Whether this run delivered notification `id` to `notifier`. */
  wasDelivered(id: string, notifier: string): boolean;
  /** Resolves once no notification waits (for tests and a clean stop). */
  drained(): Promise<void>;
  /** Stops retrying; undelivered notifications stay in the store for the next start. */
  close(): Promise<void>;
}

/**
 * The wait before attempt `failures + 1`: `first` doubled per failure, at most `max`.
 *
 * @example
 * ```ts
 * import { retryDelay } from "./dispatch.ts";
 * console.assert(retryDelay(3, 1000, 300_000) === 4000);
 * ```
 */
export function retryDelay(failures: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** Math.max(0, failures - 1));
}

/** Creates a dispatcher; nothing is sent until something is enqueued. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const now = options.now ?? Date.now;
  const first = options.firstRetryMs ?? 1000;
  const max = options.maxRetryMs ?? 300_000;
  const controller = new AbortController();
  const queues = new Map<string, OutboxEntry[]>();
  const health = new Map<string, NotifierHealth>();
  const workers = new Map<string, Promise<void>>();
  const waiters: (() => void)[] = [];
  const deliveredIds = new Set<string>();
  for (const name of options.notifiers.keys()) {
    queues.set(name, []);
    health.set(name, { name, delivered: 0, failures: 0, pending: 0 });
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      controller.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });

  async function work(name: string): Promise<void> {
    const notifier = options.notifiers.get(name)!;
    const queue = queues.get(name)!;
    const figures = health.get(name)!;
    let streak = 0;
    while (queue.length > 0 && !controller.signal.aborted) {
      const entry = queue[0]!;
      try {
        await notifier.send(entry.notification);
      } catch (error) {
        streak++;
        figures.failures++;
        const lastError = errorText(error, { firstLine: true });
        if (figures.failing === undefined) {
          options.log(
            `notifier ${name} failed (retrying with back-off; the pipeline goes on): ${lastError}`,
          );
        }
        figures.failing = { since: figures.failing?.since ?? now(), lastError };
        await sleep(retryDelay(streak, first, max));
        continue;
      }
      if (figures.failing !== undefined) options.log(`notifier ${name} recovered`);
      streak = 0;
      figures.failing = undefined;
      figures.delivered++;
      queue.shift();
      figures.pending = queue.length;
      deliveredIds.add(`${entry.notification.id}\u0000${name}`);
      options.store.delivered(entry).catch((error) =>
        options.log(
          `alerts: could not record the delivery of ${entry.notification.id} to ${name} ` +
            `(it may be sent again after a restart): ${errorText(error, { firstLine: true })}`,
        )
      );
    }
    workers.delete(name);
    if (workers.size === 0) waiters.splice(0).forEach((resolve) => resolve());
  }

  return {
    enqueue(entries) {
      for (const entry of entries) {
        const queue = queues.get(entry.notifier);
        if (queue === undefined) {
          options.log(
            `alerts: notification ${entry.notification.id} is owed to notifier ` +
              `'${entry.notifier}', which is no longer configured; it is not sent`,
          );
          continue;
        }
        const id = entry.notification.id;
        if (queue.some((queued) => queued.notification.id === id)) continue;
        if (deliveredIds.has(`${id}\u0000${entry.notifier}`)) continue;
        queue.push(entry);
        health.get(entry.notifier)!.pending = queue.length;
        if (!workers.has(entry.notifier) && !controller.signal.aborted) {
          workers.set(entry.notifier, work(entry.notifier));
        }
      }
    },
    health: () => [...health.values()].map((figures) => ({ ...figures })),
    wasDelivered: (id, notifier) => deliveredIds.has(`${id}\u0000${notifier}`),
    drained: () =>
      workers.size === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve)),
    async close() {
      controller.abort();
      await Promise.allSettled(workers.values());
      await Promise.allSettled([...options.notifiers.values()].map((n) => n.close()));
    },
  };
}
