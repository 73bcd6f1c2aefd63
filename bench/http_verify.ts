/**
 * The HTTP scenario's exactly-once check: every event carries its own sequence number in its
 * request URI; `log` is read back and each number counted.
 *
 * @module
 */
import type cassandra from "cassandra-driver";

const SEQ = /[?&]bench_seq=(\d+)/;

/**
 * A request URI marked with an event's sequence number.
 *
 * @param uri The event's URI.
 * @param seq Its sequence number.
 * @returns The URI with `bench_seq=N` added to its query.
 *
 * @example
 * ```ts
 * import { sequencedUri } from "./http_verify.ts";
 * console.assert(sequencedUri("/a?b=1", 7) === "/a?b=1&bench_seq=7");
 * ```
 */
export function sequencedUri(uri: string, seq: number): string {
  return `${uri}${uri.includes("?") ? "&" : "?"}bench_seq=${seq}`;
}

/** How many times each sequence number appears in a `log` table. */
export async function countSequences(
  client: cassandra.Client,
  table: string,
): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  await new Promise<void>((resolve, reject) => {
    client.eachRow(
      `SELECT request_uri FROM ${table}`,
      [],
      { prepare: true, autoPage: true, fetchSize: 5000 },
      (_n, row) => {
        const match = SEQ.exec(row.get("request_uri") as string);
        if (match !== null) counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + 1);
      },
      (error) => error ? reject(error) : resolve(),
    );
  });
  return counts;
}

/** The verdict on what `log` holds. */
export interface SequenceCheck {
  /** What is wrong with the acknowledged events (missing, or stored more than once). */
  problems: string[];
  /** Events of refused requests that are in `log` anyway. */
  refusedButStored: number;
}

/**
 * Checks the counts: each event of an acknowledged request exactly once.
 *
 * @param counts Occurrences of each sequence number in `log`.
 * @param acknowledged First sequence number of each acknowledged request.
 * @param refused First sequence number of each refused request.
 * @param batch Events per request (consecutive numbers).
 * @returns Problems, and how many refused events were stored anyway.
 *
 * @example
 * ```ts
 * import { checkSequences } from "./http_verify.ts";
 * const check = checkSequences(new Map([[0, 1], [1, 1]]), [0], [2], 2);
 * console.assert(check.problems.length === 0 && check.refusedButStored === 0);
 * ```
 */
export function checkSequences(
  counts: ReadonlyMap<number, number>,
  acknowledged: readonly number[],
  refused: readonly number[],
  batch: number,
): SequenceCheck {
  let missing = 0;
  let doubled = 0;
  for (const first of acknowledged) {
    for (let n = first; n < first + batch; n++) {
      const times = counts.get(n) ?? 0;
      if (times === 0) missing++;
      if (times > 1) doubled++;
    }
  }
  let refusedButStored = 0;
  for (const first of refused) {
    for (let n = first; n < first + batch; n++) if (counts.has(n)) refusedButStored++;
  }
  const problems: string[] = [];
  if (missing > 0) problems.push(`${missing} acknowledged events are not in log`);
  if (doubled > 0) problems.push(`${doubled} acknowledged events are in log more than once`);
  return { problems, refusedButStored };
}
