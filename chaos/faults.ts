/**
 * Which faults a chaos run injects, in a seeded order, and how long each may take to recover.
 *
 * @module
 */
import type { SeededRandom } from "../lib/traffic/random.ts";

/** A kind of fault. */
export type FaultKind =
  | "runner-kill"
  | "rebalance-storm"
  | "kafka-restart"
  | "cassandra-restart"
  | "cassandra-freeze";

/** Every kind, in the order the command line names them. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "runner-kill",
  "rebalance-storm",
  "kafka-restart",
  "cassandra-restart",
  "cassandra-freeze",
];

/** How many of each fault a run injects. */
export interface FaultPlan {
  /** SIGKILLs of random runners (each replaced at once by a new runner). */
  kills: number;
  /** Rebalance storms: a runner joins and leaves this many times in a row (0: none). */
  stormCycles: number;
  /** Restart the Kafka broker once. */
  kafkaRestart: boolean;
  /** Restart the Cassandra node once. */
  cassandraRestart: boolean;
  /** Freeze Cassandra with SIGSTOP for this many seconds, then SIGCONT (0: none). */
  freezeSeconds: number;
}

/**
 * The faults of `plan` in a seeded random order; kills are spread between the others.
 *
 * @param plan What to inject.
 * @param random The run's seeded random numbers.
 * @returns One entry per fault.
 *
 * @example
 * ```ts
 * import { faultSequence } from "./faults.ts";
 * import { SeededRandom } from "../lib/traffic/random.ts";
 * const plan = { kills: 2, stormCycles: 3, kafkaRestart: true, cassandraRestart: false,
 *   freezeSeconds: 10 };
 * console.assert(faultSequence(plan, new SeededRandom(1)).length === 5);
 * ```
 */
export function faultSequence(plan: FaultPlan, random: SeededRandom): FaultKind[] {
  const faults: FaultKind[] = [
    ...Array.from({ length: plan.kills }, (): FaultKind => "runner-kill"),
    ...(plan.stormCycles > 0 ? ["rebalance-storm" as const] : []),
    ...(plan.kafkaRestart ? ["kafka-restart" as const] : []),
    ...(plan.cassandraRestart ? ["cassandra-restart" as const] : []),
    ...(plan.freezeSeconds > 0 ? ["cassandra-freeze" as const] : []),
  ];
  for (let i = faults.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [faults[i], faults[j]] = [faults[j]!, faults[i]!];
  }
  return faults;
}

/**
 * Longest time allowed from the end of a fault until a flush has covered everything read then.
 * A service fault ends when the service answers again: 5 s (issue 15). A killed runner's
 * partitions are only reassigned once its session times out, so a kill gets the session timeout
 * on top; a storm's last leave is noticed by the others at their next heartbeat (allowed 3 s;
 * the kafka source heartbeats every second).
 *
 * @param kind The fault.
 * @param sessionTimeoutMs The source's `session_timeout_ms`.
 * @returns The bound, ms.
 *
 * @example
 * ```ts
 * import { recoveryBoundMs } from "./faults.ts";
 * console.assert(recoveryBoundMs("cassandra-freeze", 10_000) === 5_000);
 * ```
 */
export function recoveryBoundMs(kind: FaultKind, sessionTimeoutMs: number): number {
  switch (kind) {
    case "runner-kill":
      return sessionTimeoutMs + 5_000;
    case "rebalance-storm":
      return 3_000 + 5_000;
    default:
      return 5_000;
  }
}
