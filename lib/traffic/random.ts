/**
 * The seeded pseudo-random source of the traffic simulator: mulberry32 plus the few
 * distributions web traffic needs. Faker is too slow for a million draws; this is a few ns.
 *
 * @module
 */

/** A deterministic random stream: the same seed gives the same draws, on every platform. */
export class SeededRandom {
  #state: number;

  /**
   * Starts a stream.
   *
   * @param seed Any integer; only its low 32 bits matter.
   */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1) (mulberry32). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * An integer in [0, below).
   *
   * @param below Exclusive upper bound, ≥ 1.
   */
  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  /**
   * An integer in [min, max].
   *
   * @param min Inclusive lower bound.
   * @param max Inclusive upper bound.
   */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /**
   * A uniformly chosen element.
   *
   * @param items A non-empty array.
   */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /**
   * A log-normal draw: most values near `median`, a long tail above.
   *
   * @param median The distribution's median.
   * @param sigma Spread of the underlying normal (0.5 narrow, 1.5 very wide).
   */
  logNormal(median: number, sigma: number): number {
    // Box-Muller; 1 - next() keeps the logarithm away from 0.
    const normal = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
    return median * Math.exp(sigma * normal);
  }

  /**
   * A Pareto draw ≥ 1, for heavy tails (multiply a typical value by it).
   *
   * @param alpha Tail index; smaller is heavier (1.2 very heavy, 3 light).
   */
  pareto(alpha: number): number {
    return Math.pow(1 - this.next(), -1 / alpha);
  }

  /**
   * An index drawn from a cumulative distribution built by {@linkcode zipfCdf}.
   *
   * @param cdf Increasing cumulative weights ending at 1.
   */
  fromCdf(cdf: Float64Array): number {
    const u = this.next();
    let low = 0;
    let high = cdf.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cdf[middle] as number) > u) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/**
 * Cumulative distribution of a Zipf law over `size` ranks: rank k has weight 1/(k+1)^s.
 *
 * @param size Number of ranks, ≥ 1.
 * @param exponent The Zipf exponent s (about 1.1 for page popularity).
 * @returns Increasing cumulative weights; the last is exactly 1.
 *
 * @example
 * ```ts
 * import { SeededRandom, zipfCdf } from "./random.ts";
 * const rank = new SeededRandom(1).fromCdf(zipfCdf(100, 1.1));
 * console.assert(rank >= 0 && rank < 100);
 * ```
 */
export function zipfCdf(size: number, exponent: number): Float64Array {
  const cdf = new Float64Array(size);
  let total = 0;
  for (let k = 0; k < size; k++) {
    total += 1 / Math.pow(k + 1, exponent);
    cdf[k] = total;
  }
  for (let k = 0; k < size; k++) cdf[k] = (cdf[k] as number) / total;
  cdf[size - 1] = 1;
  return cdf;
}
