/**
 * Progress lines of a bench run, on stderr, each stamped with the time since the run began.
 *
 * @module
 */

/** Prints progress lines. */
export interface Progress {
  /** Prints one line (or several, separated by newlines). */
  line(text: string): void;
}

/**
 * A progress printer stamping each line with `[bench mm:ss]`.
 *
 * @param write Where lines go (default: stderr).
 * @returns The printer.
 *
 * @example
 * ```ts
 * import { benchProgress } from "./progress.ts";
 * const lines: string[] = [];
 * benchProgress((line) => lines.push(line)).line("hello");
 * console.assert(lines[0]!.endsWith("hello"));
 * ```
 */
export function benchProgress(write: (line: string) => void = console.error): Progress {
  const started = performance.now();
  return {
    line(text) {
      const seconds = Math.floor((performance.now() - started) / 1000);
      const stamp = `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${
        String(seconds % 60).padStart(2, "0")
      }`;
      for (const part of text.split("\n")) write(`[bench ${stamp}] ${part}`);
    },
  };
}
