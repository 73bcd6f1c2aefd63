/**
 * Progress of a batch read: a progress bar (cli-progress) on a terminal, plain lines otherwise.
 *
 * @module
 */
import cliProgress from "cli-progress";
import process from "node:process";

/** Receives progress of a read over a known number of partitions. */
export interface Progress {
  /** Called once with the number of partitions to read. */
  start(partitions: number): void;
  /** Called after each partition with totals so far. */
  update(partitionsDone: number, rowsRead: number): void;
  /** Called at the end. */
  stop(): void;
}

/** Progress that prints nothing. */
export const silentProgress: Progress = { start() {}, update() {}, stop() {} };

/** A progress bar with rows read, rows/s and time left on a TTY; plain lines every 5 s otherwise. */
export function terminalProgress(label: string): Progress {
  const started = Date.now();
  let total = 0;
  if (Deno.stderr.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} partitions | {rows} rows | ` +
        `{rate} rows/s | {eta_formatted} left`,
      hideCursor: true,
      etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    return {
      start(partitions) {
        total = partitions;
        bar.start(partitions, 0, { rows: 0, rate: 0 });
      },
      update(done, rows) {
        bar.update(done, {
          rows,
          rate: Math.round(rows / Math.max(0.001, (Date.now() - started) / 1000)),
        });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let lastPrinted = 0;
  return {
    start(partitions) {
      total = partitions;
      console.error(`${label}: reading ${partitions} log partitions`);
    },
    update(done, rows) {
      if (Date.now() - lastPrinted < 5000 && done < total) return;
      lastPrinted = Date.now();
      const seconds = (Date.now() - started) / 1000;
      const rate = rows / Math.max(0.001, seconds);
      const left = done === 0 ? "?" : `${Math.round(seconds / done * (total - done))} s`;
      console.error(
        `${label}: ${done}/${total} partitions, ${rows} rows, ${
          Math.round(rate)
        } rows/s, ${left} left`,
      );
    },
    stop() {},
  };
}
