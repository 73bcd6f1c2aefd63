/**
 * Publishing window results to sinks: each changed window's latest result goes to each of its
 * sinks, and a failing sink keeps the windows it owes and is retried with back-off (see
 * `sink_retry.ts`), without holding back the other sinks or the processor's commits.
 *
 * @module
 */
import type { Sink, WindowResult } from "../contracts.ts";
import { errorText } from "../errors.ts";
import { type SinkHealth, sinkRetries } from "./sink_retry.ts";

/** A changed window to publish: its id, what identifies it for `compute`, and its sinks. */
export interface ChangedWindow<W> {
  /** Unique id of the window (aggregation and window key). */
  id: string;
  /** Whatever `compute` needs. */
  window: W;
  /** Names of the sinks that take its results. */
  sinks: readonly string[];
}

/** What a publisher needs. */
export interface PublisherOptions<W> {
  /** Every sink, by name (a sink may appear more than once). */
  sinks: ReadonlyArray<{ name: string; sink: Sink }>;
  /** Clock, ms since epoch. */
  now: () => number;
  /** Operator-facing log line. */
  log: (line: string) => void;
  /** The window's latest result; undefined when it cannot be computed yet (try again later). */
  compute: (window: W) => Promise<WindowResult | undefined>;
}

/** What one round of publishing did. */
export interface Published {
  /** Windows whose result reached at least one sink. */
  written: number;
  /** Those windows' results. */
  results: WindowResult[];
  /** Windows whose result could not be computed yet. */
  notReady: string[];
}

/** Publishes window results with per-sink retries. */
export interface ResultPublisher<W> {
  /** Writes the latest results of `changed`, and of what failing sinks owe once due. */
  publish(changed: readonly ChangedWindow<W>[]): Promise<Published>;
  /** Sinks currently failing. */
  health(): SinkHealth[];
  /** Whether a failing sink still owes the window with this id its latest result. */
  owes(id: string): boolean;
}

/** Creates a publisher. */
export function resultPublisher<W>(options: PublisherOptions<W>): ResultPublisher<W> {
  const { now, log, compute } = options;
  const retries = sinkRetries<W>({ now });
  const sinksByName = new Map(options.sinks.map(({ name, sink }) => [name, sink]));
  const failing = (name: string) => retries.health().some((health) => health.sink === name);

  async function publish(changed: readonly ChangedWindow<W>[]): Promise<Published> {
    const changedBySink = new Map<string, Map<string, W>>();
    for (const name of sinksByName.keys()) changedBySink.set(name, new Map());
    for (const { id, window, sinks } of changed) {
      for (const name of sinks) changedBySink.get(name)!.set(id, window);
    }
    const dueBySink = new Map<string, Map<string, W>>();
    const needed = new Map<string, W>();
    for (const [name, windows] of changedBySink) {
      const due = retries.due(name, windows);
      if (due.size === 0) continue;
      dueBySink.set(name, due);
      for (const [id, window] of due) needed.set(id, window);
    }
    const results = new Map<string, WindowResult>();
    const notReady: string[] = [];
    const failedToCompute = new Map<string, string>();
    await Promise.all([...needed].map(async ([id, window]) => {
      try {
        const result = await compute(window);
        if (result === undefined) notReady.push(id);
        else results.set(id, result);
      } catch (error) {
        failedToCompute.set(id, errorText(error, { firstLine: true }));
      }
    }));
    const written = new Set<string>();
    await Promise.all([...dueBySink].map(async ([name, due]) => {
      const ready = new Map([...due].filter(([id]) => results.has(id)));
      const broken = new Map([...due].filter(([id]) => failedToCompute.has(id)));
      const wasFailing = failing(name);
      try {
        if (ready.size > 0) {
          await sinksByName.get(name)!.write([...ready.keys()].map((id) => results.get(id)!));
        }
      } catch (error) {
        const reason = errorText(error, { firstLine: true });
        if (!wasFailing) {
          log(`sink ${name} failed (its results are retried, input still commits): ${reason}`);
        }
        retries.failed(name, new Map([...ready, ...broken]), reason);
        return;
      }
      for (const id of ready.keys()) written.add(id);
      retries.succeeded(name, ready);
      if (broken.size > 0) {
        const [first] = broken.keys();
        retries.failed(name, broken, `computing results failed: ${failedToCompute.get(first!)}`);
      } else if (wasFailing && !failing(name)) {
        log(`sink ${name} recovered`);
      }
    }));
    return { written: written.size, results: [...written].map((id) => results.get(id)!), notReady };
  }

  return { publish, health: () => retries.health(), owes: (id) => retries.owes(id) };
}
