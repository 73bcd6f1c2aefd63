/**
 * The bench's long chaos run (`deno task bench --chaos-only`): every fault of `deno task chaos`
 * at full strength on a large stream, on the chaos job's private Kafka and Cassandra.
 *
 * @module
 */
import { passed, renderReport } from "./report.ts";
import { runChaos } from "./run.ts";

/**
 * Runs the long chaos run, prints its report and writes it as JSON.
 *
 * @param events Events in the stream.
 * @param seconds Seconds the feed takes.
 * @param out JSON report path.
 * @returns Exit code: 0 when it passed, 1 otherwise.
 */
export async function benchChaos(events: number, seconds: number, out: string): Promise<number> {
  const report = await runChaos({
    events,
    seed: 20261123,
    durationSeconds: seconds,
    runners: 3,
    nodes: 1,
    plan: {
      kills: 10,
      stormCycles: 5,
      kafkaRestart: true,
      cassandraRestart: true,
      freezeSeconds: 30,
    },
    log: (line) => console.error(`bench chaos: ${line}`),
    label: "chaos-bench",
  });
  console.log(renderReport(report));
  await Deno.writeTextFile(out, JSON.stringify(report, null, 2) + "\n");
  console.log(`report written to ${out}`);
  return passed(report) ? 0 : 1;
}
