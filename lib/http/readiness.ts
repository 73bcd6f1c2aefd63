/**
 * `/ready`: whether this process can do its work now. Each check names what it looked at and,
 * when it fails, why; the answer is 200 when all pass and 503 naming the failing parts.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import { errorText } from "../errors.ts";

/** The outcome of one check. */
export interface CheckResult {
  /** What was checked, e.g. `cassandra` or `source rawlog lag`. */
  name: string;
  /** Whether it passed. */
  ok: boolean;
  /** What was found. */
  detail: string;
}

/** One readiness check. */
export type ReadinessCheck = () => Promise<CheckResult>;

/** How long one check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 3_000;

/** Runs every check at once; ready when all pass. */
export async function readiness(
  checks: ReadinessCheck[],
): Promise<{ ready: boolean; failing: string[]; checks: CheckResult[] }> {
  const results = await Promise.all(checks.map((check) => check()));
  const failing = results.filter((result) => !result.ok).map((result) => result.name);
  return { ready: failing.length === 0, failing, checks: results };
}

/** Cassandra answers a query on the local node. */
export function cassandraCheck(client: cassandra.Client): ReadinessCheck {
  return () =>
    timed("cassandra", async () => {
      const result = await client.execute("SELECT release_version FROM system.local", [], {
        readTimeout: CHECK_TIMEOUT_MS,
      });
      return `answers (release ${result.first()?.get("release_version") ?? "unknown"})`;
    });
}

/** A Kafka broker answers with the cluster's description. */
export function kafkaCheck(kafka: Kafka): ReadinessCheck {
  return () =>
    timed("kafka", async () => {
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return `answers (${cluster.brokers.length} broker(s))`;
      } finally {
        await admin.disconnect().catch(() => {});
      }
    });
}

/** A source owns its input partitions (e.g. its consumer joined the group). */
export function assignmentCheck(
  source: string,
  assigned: () => number | undefined,
): ReadinessCheck {
  return () => {
    const partitions = assigned();
    return Promise.resolve(
      partitions === undefined
        ? { name: `source ${source} partitions`, ok: false, detail: "no partitions assigned yet" }
        : {
          name: `source ${source} partitions`,
          ok: true,
          detail: `${partitions} partition(s) assigned`,
        },
    );
  };
}

/** A source's lag is at most `maxLag` messages. */
export function lagCheck(source: string, lag: () => number, maxLag: number): ReadinessCheck {
  return () => {
    const current = lag();
    return Promise.resolve({
      name: `source ${source} lag`,
      ok: current <= maxLag,
      detail: `${current} message(s) waiting; at most ${maxLag} (http.ready_max_lag)`,
    });
  };
}

async function timed(name: string, probe: () => Promise<string>): Promise<CheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const detail = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { name, ok: true, detail };
  } catch (error) {
    return { name, ok: false, detail: errorText(error, { firstLine: true }) };
  } finally {
    clearTimeout(timer);
  }
}
