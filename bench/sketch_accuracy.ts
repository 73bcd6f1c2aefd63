/**
 * Measures the SDK sketches against exact answers on seeded streams, and prints the figures:
 * HyperLogLog relative errors at several cardinalities (many seeds each) beside its standard
 * error, and the quantile sketch's largest relative error beside its accuracy.
 *
 * ```sh
 * deno run bench/sketch_accuracy.ts
 * ```
 *
 * @module
 */
import {
  hyperLogLog,
  hyperLogLogAdd,
  hyperLogLogError,
  hyperLogLogEstimate,
  quantileSketch,
  quantileSketchAdd,
  quantileSketchQuantiles,
  seededRandom,
} from "../lib/sdk/mod.ts";

const percent = (x: number) => `${(x * 100).toFixed(3)}%`;

function measureHyperLogLog(): void {
  const sigma = hyperLogLogError(14);
  console.log(`HyperLogLog, precision 14, standard error ${percent(sigma)}`);
  console.log("cardinality | seeds | mean error | RMS error | largest |error| | within 3 SE");
  for (
    const [cardinality, seeds] of [[100, 50], [1_000, 50], [10_000, 50], [100_000, 20], [
      1_000_000,
      5,
    ]] as const
  ) {
    const errors: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const hll = hyperLogLog(14);
      for (let i = 0; i < cardinality; i++) hyperLogLogAdd(hll, `visitor-${seed}-${i}`);
      errors.push(hyperLogLogEstimate(hll) / cardinality - 1);
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const rms = Math.sqrt(errors.reduce((a, b) => a + b * b, 0) / errors.length);
    const largest = Math.max(...errors.map(Math.abs));
    const within = errors.filter((error) => Math.abs(error) <= 3 * sigma).length;
    console.log(
      `${cardinality} | ${seeds} | ${percent(mean)} | ${percent(rms)} | ${percent(largest)} | ` +
        `${within}/${seeds}`,
    );
  }
}

function measureQuantiles(): void {
  const qs = [0.5, 0.9, 0.99, 0.999];
  console.log("\nQuantile sketch, accuracy 1%, 1,000,000 long-tailed request times per seed");
  console.log("seed | bins | p50 | p90 | p99 | p99.9 (relative errors) | largest");
  for (let seed = 1; seed <= 5; seed++) {
    const random = seededRandom(seed);
    const values = Array.from({ length: 1_000_000 }, () => {
      const pick = random();
      if (pick < 0.9) {
        const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        return Math.exp(Math.log(0.05) + 0.8 * normal);
      }
      return 0.2 / (1 - random()) ** (1 / 1.2);
    });
    const sketch = quantileSketch(0.01);
    for (const value of values) quantileSketchAdd(sketch, value);
    values.sort((a, b) => a - b);
    const answers = quantileSketchQuantiles(sketch, qs);
    const errors = qs.map((q, i) =>
      Math.abs(answers[i]! / values[Math.floor(q * (values.length - 1))]! - 1)
    );
    console.log(
      `${seed} | ${(sketch.bins.length / 2)} | ${errors.map(percent).join(" | ")} | ` +
        percent(Math.max(...errors)),
    );
  }
}

if (import.meta.main) {
  measureHyperLogLog();
  measureQuantiles();
}
