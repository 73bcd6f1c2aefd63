/**
 * The chaos job's runners: real-time runner child processes sharing one consumer group, which
 * faults kill (SIGKILL), add and remove. A runner that exits on its own is a failure the job
 * reports, never something it works around.
 *
 * @module
 */
import type { Admin } from "kafkajs";
import { type RunnerProcess, spawnRunner } from "../bench/runner_process.ts";
import type { SeededRandom } from "../lib/traffic/random.ts";

/** Runner log lines that tell about a fault (kept for the report). */
const FAULT_LINE = /fail|error|lost|retry|recover|rebalanc|evict|crash|not aware|timed? ?out/i;

/** A runner log line about a fault. */
export interface FaultLine {
  /** Runner name, e.g. `r2`. */
  runner: string;
  /** Seconds since the pool started. */
  at: number;
  /** The line. */
  line: string;
}

/** The runners of a chaos run. */
export class RunnerPool {
  readonly #configFile: string;
  readonly #started = performance.now();
  readonly #live = new Map<string, RunnerProcess>();
  readonly #ending = new Set<RunnerProcess>();
  #count = 0;
  #unexpected: string | undefined;
  /** Runner log lines about faults, in order (at most 400 kept). */
  readonly faultLines: FaultLine[] = [];

  readonly #logDir: string | undefined;

  /**
   * @param configFile Pipeline file every runner runs.
   * @param logDir Folder receiving each runner's whole output (`<name>.log`, a line each with
   *   the seconds since the pool started), kept after the run; none when undefined.
   */
  constructor(configFile: string, logDir?: string) {
    this.#configFile = configFile;
    this.#logDir = logDir;
  }

  /** Names of the runners alive now. */
  get names(): string[] {
    return [...this.#live.keys()];
  }

  /**
   * Starts one more runner.
   *
   * @returns Its name.
   */
  spawn(): string {
    const name = `r${++this.#count}`;
    const logFile = this.#logDir === undefined
      ? undefined
      : Deno.openSync(`${this.#logDir}/${name}.log`, { create: true, write: true, truncate: true });
    const encoder = new TextEncoder();
    const runner = spawnRunner(this.#configFile, (line) => {
      const at = Math.round((performance.now() - this.#started) / 100) / 10;
      logFile?.writeSync(encoder.encode(`${at.toFixed(1)} ${line}\n`));
      if (!FAULT_LINE.test(line) || this.faultLines.length >= 400) return;
      this.faultLines.push({ runner: name, at, line });
    });
    runner.exited.finally(() => logFile?.close());
    this.#live.set(name, runner);
    runner.exited.then((code) => {
      if (this.#ending.has(runner)) return;
      this.#unexpected ??= `runner ${name} exited on its own with code ${code}:\n` +
        runner.lines.slice(-15).join("\n");
    });
    return name;
  }

  /** Why the run must stop (a runner exited that no fault ended), if it must. */
  problem(): string | undefined {
    return this.#unexpected;
  }

  /**
   * SIGKILLs a random live runner.
   *
   * @param random The run's seeded random numbers.
   * @returns The name of the runner killed.
   */
  async killRandom(random: SeededRandom): Promise<string> {
    const names = this.names;
    const name = names[random.int(names.length)]!;
    const runner = this.#live.get(name)!;
    this.#ending.add(runner);
    this.#live.delete(name);
    Deno.kill(runner.pid, "SIGKILL");
    await runner.exited;
    return name;
  }

  /**
   * Stops a runner with SIGTERM (it flushes, commits and leaves the group).
   *
   * @param name The runner.
   * @throws {Error} When it does not exit 0 (its last lines are in the message).
   */
  async leave(name: string): Promise<void> {
    const runner = this.#live.get(name);
    if (runner === undefined) throw new Error(`no runner ${name}`);
    this.#ending.add(runner);
    this.#live.delete(name);
    const code = await runner.stop(60_000);
    if (code !== 0) {
      throw new Error(
        `runner ${name} did not stop cleanly (code ${code}):\n${
          runner.lines.slice(-15).join("\n")
        }`,
      );
    }
  }

  /** Stops every live runner with SIGTERM; throws when one does not exit 0. */
  async stopAll(): Promise<void> {
    const problems: string[] = [];
    for (const name of this.names) {
      await this.leave(name).catch((error) => problems.push(String(error)));
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
  }

  /** Kills whatever still runs (after a failure). */
  async killAll(): Promise<void> {
    for (const runner of this.#live.values()) {
      this.#ending.add(runner);
      try {
        Deno.kill(runner.pid, "SIGKILL");
      } catch {
        // gone
      }
      await runner.exited;
    }
    this.#live.clear();
  }
}

/**
 * Polls until `group` is stable with exactly `members` members.
 *
 * @param admin Connected admin client.
 * @param group Consumer group.
 * @param members Member count to wait for.
 * @param timeoutMs Give up after this long.
 * @param alive Polled too: a reason stops the wait with that error.
 * @throws {Error} On timeout, or when `alive` reports a reason.
 */
export async function waitForMembers(
  admin: Admin,
  group: string,
  members: number,
  timeoutMs: number,
  alive: () => string | undefined,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let seen = "unknown";
  while (performance.now() < deadline) {
    const dead = alive();
    if (dead !== undefined) throw new Error(dead);
    try {
      const description = (await admin.describeGroups([group])).groups[0];
      seen = `${description?.state}, ${description?.members.length} members`;
      if (description?.state === "Stable" && description.members.length === members) return;
    } catch {
      // The broker is restarting; ask again.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `consumer group ${group} did not settle on ${members} members within ${timeoutMs / 1000} s ` +
      `(last seen: ${seen})`,
  );
}
