/**
 * Bounded concurrency for async work.
 *
 * @module
 */

/**
 * Runs `work` over every item with at most `limit` calls in flight; rejects with the first
 * error after the calls already started have settled.
 *
 * @example
 * ```ts
 * await forEachConcurrent([1, 2, 3], 2, async (n) => console.log(n));
 * ```
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  async function lane(): Promise<void> {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure !== undefined) throw failure.error;
}

/** A mutual-exclusion lock: `run` executes callbacks one at a time, in call order. */
export interface Mutex {
  /** Runs `task` once every earlier task has finished. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** Creates a {@linkcode Mutex}. */
export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task);
      tail = result.catch(() => {});
      return result;
    },
  };
}
