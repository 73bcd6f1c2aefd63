/**
 * Injecting one fault of a chaos run, and knowing when it is over (the runner is gone and its
 * replacement started, the storm's last runner left, the service answers again).
 *
 * @module
 */
import type { Admin } from "kafkajs";
import type { SeededRandom } from "../lib/traffic/random.ts";
import type { ChaosFeed } from "./feed.ts";
import type { FaultKind, FaultPlan } from "./faults.ts";
import { type RunnerPool, waitForMembers } from "./runners.ts";
import type { PrivateServer, PrivateServices } from "./services.ts";

/** What a fault acts on. */
export interface FaultTargets {
  /** The runners. */
  pool: RunnerPool;
  /** The private services. */
  services: PrivateServices;
  /** The input feed (held while a lone broker restarts). */
  feed: ChaosFeed;
  /** Admin client watching the group. */
  admin: Admin;
  /** The runners' consumer group. */
  group: string;
  /** The run's plan (storm cycles, freeze length). */
  plan: FaultPlan;
  /** The run's seeded random numbers (which runner, which node). */
  random: SeededRandom;
  /** Why the run must stop, if it must (a runner died on its own). */
  alive: () => string | undefined;
}

/**
 * Injects one fault and resolves when it is over.
 *
 * @param kind The fault.
 * @param targets What it acts on.
 * @returns What was done, for the report.
 */
export async function injectFault(kind: FaultKind, targets: FaultTargets): Promise<string> {
  const { pool, services, plan, random } = targets;
  const pick = (nodes: PrivateServer[]) => nodes[random.int(nodes.length)]!;
  switch (kind) {
    case "runner-kill": {
      const killed = await pool.killRandom(random);
      const replacement = pool.spawn();
      return `SIGKILL ${killed}, ${replacement} started`;
    }
    case "rebalance-storm": {
      const joined: string[] = [];
      for (let cycle = 0; cycle < plan.stormCycles; cycle++) {
        const name = pool.spawn();
        joined.push(name);
        await waitForMembers(
          targets.admin,
          targets.group,
          pool.names.length,
          120_000,
          targets.alive,
        );
        await pool.leave(name);
      }
      return `${joined.join(", ")} joined and left`;
    }
    case "kafka-restart": {
      const broker = pick(services.kafka);
      // A lone broker: hold the feed, since re-sending a request whose acknowledgement was lost
      // would duplicate input. A cluster keeps taking writes while one broker is down.
      const lone = services.kafka.length === 1;
      if (lone) await targets.feed.hold();
      try {
        await broker.restart();
        await broker.waitUntilReady(120_000);
      } finally {
        if (lone) targets.feed.release();
      }
      return `${broker.name} stopped (SIGTERM) and started again${lone ? ", feed held" : ""}`;
    }
    case "cassandra-restart": {
      const node = pick(services.cassandra);
      await node.restart();
      await node.waitUntilReady(240_000);
      return `${node.name} stopped (SIGTERM) and started again`;
    }
    case "cassandra-freeze": {
      const node = pick(services.cassandra);
      await node.freeze();
      try {
        await new Promise((resolve) => setTimeout(resolve, plan.freezeSeconds * 1000));
      } finally {
        await node.thaw();
      }
      await node.waitUntilReady(60_000);
      return `${node.name} SIGSTOP for ${plan.freezeSeconds} s, then SIGCONT`;
    }
  }
}
