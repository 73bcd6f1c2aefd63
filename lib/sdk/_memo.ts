/**
 * A bounded memo for pure string functions that run for every record (user-agent parsing):
 * user agents repeat a lot, and parsing one costs tens of microseconds.
 *
 * @module
 */

/**
 * Wraps a pure function of a string with a cache of up to `limit` answers. When full, the
 * cache is emptied and starts again: simple, bounded, and always right, since `compute` is
 * pure.
 *
 * @param compute A pure function.
 * @param limit Most answers kept (default 10,000).
 * @returns The cached function.
 */
export function memoize<T>(compute: (key: string) => T, limit = 10_000): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let answer = cache.get(key);
    if (answer === undefined && !cache.has(key)) {
      answer = compute(key);
      if (cache.size >= limit) cache.clear();
      cache.set(key, answer);
    }
    return answer as T;
  };
}
