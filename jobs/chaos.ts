/**
 * `deno task chaos [--events N] [--seed S] [--duration SECONDS] ...`: proves the pipeline under
 * faults on its own private Kafka and Cassandra (never the shared or a user's servers), prints
 * the report and writes it as JSON. Exits 1 when anything differs or a recovery exceeds its
 * bound, 2 on a usage error.
 *
 * @module
 */
import { parseArgs } from "cli";
import { FAULT_KINDS, type FaultKind } from "../chaos/faults.ts";
import { passed, renderReport } from "../chaos/report.ts";
import { runChaos } from "../chaos/run.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";

const USAGE = `usage: deno task chaos [options]

Starts a private Kafka broker and Cassandra node (free ports, data under .services/chaos-*),
feeds a seeded stream (valid, malformed, late records) to runners sharing one consumer group,
injects faults one after another while they work, and checks that log, every result table,
the dead-letter topic and reconcile equal the job's own counts.

  --events N        events in the stream (default 200000)
  --seed S          seed of the stream and the fault order (default 15)
  --duration S      seconds the feed takes; sets the rate (default 300)
  --runners N       runners in the group, 2 or 3 (default 3)
  --nodes N         1, or 3 for a private cluster (3 brokers, RF 3, min.insync.replicas 2;
                    3 Cassandra nodes, RF 3, on 127.0.0.1-3): restarts and the freeze then hit
                    one node while the others keep the pipeline going
  --kills N         SIGKILLs of random runners (default 10)
  --storm N         join-and-leave cycles of the rebalance storm, 0 for none (default 5)
  --freeze S        seconds Cassandra stays frozen (SIGSTOP), 0 for none (default 30)
  --faults LIST     fault kinds to inject, comma-separated (default all):
                    ${FAULT_KINDS.join(",")}
  --out FILE        JSON report (default chaos/results.json)`;

function positiveInteger(flag: string, value: string, min = 0): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new UsageError(`--${flag}: expected a whole number ≥ ${min}, found "${value}"`);
  }
  return number;
}

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      events: { type: "string", default: "200000" },
      seed: { type: "string", default: "15" },
      duration: { type: "string", default: "300" },
      runners: { type: "string", default: "3" },
      nodes: { type: "string", default: "1" },
      kills: { type: "string", default: "10" },
      storm: { type: "string", default: "5" },
      freeze: { type: "string", default: "30" },
      faults: { type: "string", default: FAULT_KINDS.join(",") },
      out: { type: "string", default: `${REPO_ROOT}/chaos/results.json` },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const kinds: string[] = String(values.faults).split(",").map((kind: string) => kind.trim())
    .filter((kind: string) => kind !== "");
  const unknown = kinds.filter((kind: string) => !FAULT_KINDS.includes(kind as FaultKind));
  if (unknown.length > 0) {
    throw new UsageError(`--faults: unknown ${unknown.join(", ")}; known: ${FAULT_KINDS}`);
  }
  const runners = positiveInteger("runners", values.runners, 2);
  if (runners > 3) throw new UsageError("--runners: 2 or 3 (the machine has few cores)");
  const nodes = positiveInteger("nodes", values.nodes, 1);
  if (nodes !== 1 && nodes !== 3) throw new UsageError("--nodes: 1 or 3");
  const has = (kind: FaultKind) => kinds.includes(kind);
  const report = await runChaos({
    events: positiveInteger("events", values.events, 1),
    seed: positiveInteger("seed", values.seed),
    durationSeconds: positiveInteger("duration", values.duration, 1),
    runners,
    nodes,
    plan: {
      kills: has("runner-kill") ? positiveInteger("kills", values.kills) : 0,
      stormCycles: has("rebalance-storm") ? positiveInteger("storm", values.storm) : 0,
      kafkaRestart: has("kafka-restart"),
      cassandraRestart: has("cassandra-restart"),
      freezeSeconds: has("cassandra-freeze") ? positiveInteger("freeze", values.freeze) : 0,
    },
    log: (line) => console.error(`chaos: ${line}`),
    label: nodes === 1 ? "chaos" : "chaos-cluster",
  });
  console.log(renderReport(report));
  await Deno.writeTextFile(values.out, JSON.stringify(report, null, 2) + "\n");
  console.log(`report written to ${values.out}`);
  return passed(report) ? 0 : 1;
}

try {
  Deno.exit(await main());
} catch (error) {
  if (!(error instanceof UsageError || error instanceof TypeError)) throw error;
  console.error(`chaos: ${error.message}\n\n${USAGE}`);
  Deno.exit(2);
}
