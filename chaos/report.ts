/**
 * The chaos report: every fault injected with its recovery time and bound, and the final
 * equality checks; rendered as text and written as JSON.
 *
 * @module
 */
import type { FaultKind, FaultPlan } from "./faults.ts";
import type { FinalCheck } from "./verify.ts";
import type { FaultLine } from "./runners.ts";

/** One injected fault. */
export interface FaultRecord {
  /** What was done. */
  kind: FaultKind;
  /** Which runner, how long, etc. */
  detail: string;
  /** Seconds since the feed started, when the fault began. */
  atSeconds: number;
  /** Messages sent when the fault began. */
  sentAtStart: number;
  /** How long the fault lasted (service down or frozen, storm running), s. */
  outageSeconds: number;
  /** Messages the group committed while the fault lasted (the pipeline kept going). */
  committedDuringFault: number;
  /**
   * From the end of the fault (the service answers again, the replacement runner started)
   * until a flush covered everything the runners had read: everything in the topic when the
   * fault began (they were caught up, and while a service is away they cannot get further), s.
   * This is the recovery issue 15 bounds.
   */
  recoverySeconds: number;
  /**
   * From the end of the fault until a flush covered everything in the topic when it ended,
   * the backlog the feed added meanwhile included, s: how long catching up took at this rate
   * on this machine (reported, not bounded).
   */
  catchUpSeconds: number;
  /** The bound on `recoverySeconds`. */
  boundSeconds: number;
  /** Whether the recovery kept within its bound. */
  withinBound: boolean;
}

/** A whole chaos run. */
export interface ChaosReport {
  /** When it ran (ISO). */
  date: string;
  /** Where it ran. */
  machine: { nproc: number; memoryMb: number; cpuModel: string; deno: string };
  /** The command line's choices. */
  options: {
    events: number;
    seed: number;
    durationSeconds: number;
    runners: number;
    nodes: number;
    plan: FaultPlan;
  };
  /** Events per second fed. */
  rate: number;
  /** Faults in the order injected. */
  faults: FaultRecord[];
  /** Runner log lines about the faults (the first 60). */
  runnerLines: FaultLine[];
  /** The final checks (absent when the run stopped before them). */
  final?: FinalCheck;
  /** Seconds from the feed's start to every offset committed. */
  seconds?: number;
  /** What differed or broke: a record lost or counted twice, a runner that died (empty: none). */
  failures: string[];
  /** Recoveries that exceeded their bound (they fail the job, not the equality checks). */
  slowRecoveries: string[];
  /** Things that went wrong and were retried by the job itself (not counted as failures). */
  notes: string[];
  /** Folder holding every runner's and server's whole log of this run. */
  logs?: string;
}

/**
 * Whether the run passed: nothing differed and every recovery kept within its bound.
 *
 * @param report The report.
 * @returns True when it passed.
 */
export function passed(report: ChaosReport): boolean {
  return report.failures.length === 0 && report.slowRecoveries.length === 0;
}

/**
 * The report as text, for the terminal.
 *
 * @param report The report.
 * @returns Lines joined with newlines.
 *
 * @example
 * ```ts
 * import { renderReport } from "./report.ts";
 * const text = renderReport({
 *   date: "2026-11-23T00:00:00Z",
 *   machine: { nproc: 2, memoryMb: 24000, cpuModel: "x", deno: "2.9.6" },
 *   options: { events: 1, seed: 1, durationSeconds: 1, runners: 2, nodes: 1, plan: {
 *     kills: 0, stormCycles: 0, kafkaRestart: false, cassandraRestart: false, freezeSeconds: 0 } },
 *   rate: 1, faults: [], runnerLines: [], failures: [], slowRecoveries: [], notes: [],
 * });
 * console.assert(text.includes("PASSED"));
 * ```
 */
export function renderReport(report: ChaosReport): string {
  const lines = [
    `chaos run ${report.date}: ${report.options.events} events (seed ${report.options.seed}) at ` +
    `${Math.round(report.rate)} events/s, ${report.options.runners} runners, ` +
    `${report.options.nodes === 1 ? "one node" : `${report.options.nodes}-node cluster`} ` +
    `of Kafka and Cassandra, ${report.machine.nproc} cores`,
    "",
    "  #  at s  fault              outage s  committed meanwhile  fresh again s  bound s  " +
    "caught up s  detail",
  ];
  report.faults.forEach((fault, index) => {
    lines.push(
      `${String(index + 1).padStart(3)}  ${fault.atSeconds.toFixed(0).padStart(4)}  ` +
        `${fault.kind.padEnd(17)}  ${fault.outageSeconds.toFixed(1).padStart(8)}  ` +
        `${String(fault.committedDuringFault).padStart(19)}  ` +
        `${fault.recoverySeconds.toFixed(1).padStart(13)}  ${
          fault.boundSeconds.toFixed(0).padStart(7)
        }${fault.withinBound ? "  " : " !"}  ${
          fault.catchUpSeconds.toFixed(1).padStart(11)
        }  ${fault.detail}`,
    );
  });
  const final = report.final;
  if (final !== undefined) {
    lines.push(
      "",
      `log and results: ${final.validSent} valid records sent; dead letters: ` +
        `${final.malformedSent} malformed sent, ${final.deadLetterKeys} distinct keys in ` +
        `${final.deadLetters} messages; reconcile: ${final.reconciledWindows} windows`,
    );
    for (const problem of final.problems) lines.push(`  DIFFERENT: ${problem}`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.seconds !== undefined) {
    lines.push(`every offset committed ${report.seconds.toFixed(0)} s after the feed started`);
  }
  lines.push(
    "",
    passed(report)
      ? "PASSED: nothing lost or counted twice, every recovery within its bound"
      : `FAILED:\n  ${[...report.failures, ...report.slowRecoveries].join("\n  ")}`,
  );
  if (report.logs !== undefined) lines.push(`runner and server logs: ${report.logs}`);
  return lines.join("\n");
}
