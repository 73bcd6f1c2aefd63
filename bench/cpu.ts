/**
 * CPU time from /proc: of one process, and of the whole machine, to tell whether a measurement
 * was bound by the runner's single JavaScript thread or by the machine's cores.
 *
 * @module
 */

/** Clock ticks per second of /proc times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) a process has used so far.
 *
 * @param pid Process id.
 * @returns Seconds, or undefined when the process is gone or /proc is unavailable.
 *
 * @example
 * ```ts
 * import { processCpuSeconds } from "./cpu.ts";
 * const seconds = await processCpuSeconds(Deno.pid);
 * console.assert(seconds === undefined || seconds >= 0);
 * ```
 */
export async function processCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine so far, seconds summed over cores. */
export interface MachineCpu {
  /** Time not idle or waiting for I/O. */
  busy: number;
  /** All time. */
  total: number;
}

/**
 * Reads the machine's CPU counters (first line of /proc/stat).
 *
 * @returns The counters, or undefined when /proc is unavailable.
 */
export async function machineCpu(): Promise<MachineCpu | undefined> {
  try {
    const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}
