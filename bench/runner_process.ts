/**
 * The real-time runner as a child process (`deno run -A jobs/run.ts --config FILE`), with its
 * stderr lines and its resident memory sampled from /proc.
 *
 * @module
 */
import { REPO_ROOT } from "../lib/services/settings.ts";
import { RUNNER_V8_FLAGS } from "../lib/runtime/runner_flags.ts";

/** Resident memory of a process, KiB. */
export interface MemorySample {
  /** Current resident set size (VmRSS). */
  rssKb: number;
  /** Peak resident set size so far (VmHWM). */
  peakKb: number;
}

/**
 * Reads VmRSS and VmHWM of a process from /proc/<pid>/status.
 *
 * @param pid Process id.
 * @returns The sample, or undefined when the process is gone or /proc is unavailable.
 *
 * For example, `await readMemory(Deno.pid)` gives this process's own figures, with `peakKb`
 * at least `rssKb`.
 */
async function readMemory(pid: number): Promise<MemorySample | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(`/proc/${pid}/status`);
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
  const rssKb = field("VmRSS");
  const peakKb = field("VmHWM");
  return Number.isFinite(rssKb) && Number.isFinite(peakKb) ? { rssKb, peakKb } : undefined;
}

const running = new Set<RunnerProcess>();

/**
 * Stops every runner child still running (after a failure or Ctrl-C).
 *
 * @returns When they have all exited.
 */
export async function stopAllRunners(): Promise<void> {
  await Promise.allSettled([...running].map((runner) => runner.stop(10_000)));
}

/** A running runner child process. */
export interface RunnerProcess {
  /** Its process id. */
  pid: number;
  /** Its last stderr lines (at most 200). */
  lines: string[];
  /** Highest peak RSS (VmHWM) and highest sampled RSS so far, KiB. */
  memory(): MemorySample;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number>;
  /** Resolves true once the runner has printed its `running …` line, false if it exited first. */
  started: Promise<boolean>;
  /**
   * Waits until the runner has started (or `graceMs` passed), sends SIGTERM (the runner flushes
   * and commits), waits, and kills it after `graceMs`.
   */
  stop(graceMs?: number): Promise<number>;
}

/**
 * Starts `jobs/run.ts --config configFile` and samples its memory every `sampleMs`.
 *
 * @param configFile Pipeline file the runner runs.
 * @param onLine Called with every stderr line.
 * @param sampleMs Memory polling interval.
 * @returns The running child.
 */
export function spawnRunner(
  configFile: string,
  onLine: (line: string) => void = () => {},
  sampleMs = 100,
): RunnerProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      RUNNER_V8_FLAGS,
      `${REPO_ROOT}/jobs/run.ts`,
      "--config",
      configFile,
    ],
    cwd: REPO_ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let markStarted: (started: boolean) => void = () => {};
  const started = new Promise<boolean>((resolve) => markStarted = resolve);
  const readLines = (async () => {
    let pending = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const parts = pending.split(/\r|\n/);
      pending = parts.pop() ?? "";
      for (const line of parts) {
        if (line.trim() === "") continue;
        lines.push(line);
        if (lines.length > 200) lines.shift();
        if (line.startsWith("running ")) markStarted(true);
        onLine(line);
      }
    }
  })().catch(() => {});
  const memory: MemorySample = { rssKb: 0, peakKb: 0 };
  let sampling = true;
  const sample = async () => {
    const now = await readMemory(child.pid);
    if (now === undefined) return;
    memory.rssKb = Math.max(memory.rssKb, now.rssKb);
    memory.peakKb = Math.max(memory.peakKb, now.peakKb, now.rssKb);
  };
  const sampler = (async () => {
    while (sampling) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, sampleMs));
    }
  })();
  const exited = child.status.then(async (status) => {
    markStarted(false);
    sampling = false;
    running.delete(runner);
    await sampler;
    await readLines;
    return status.code;
  });
  const runner: RunnerProcess = {
    pid: child.pid,
    lines,
    memory: () => ({ ...memory }),
    exited,
    started,
    async stop(graceMs = 60_000) {
      // A SIGTERM while the runner is still loading ends it with code 143 before its handler is
      // installed; a stop is a clean stop, so it waits for the start first.
      let startTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        started,
        new Promise((resolve) => startTimer = setTimeout(resolve, graceMs)),
      ]);
      clearTimeout(startTimer);
      // The last look at VmHWM before the process goes away.
      await sample();
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const killed = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch {
            // already gone
          }
          resolve(-9);
        }, graceMs);
      });
      const code = await Promise.race([exited, killed]);
      clearTimeout(timer);
      return code;
    },
  };
  running.add(runner);
  return runner;
}
