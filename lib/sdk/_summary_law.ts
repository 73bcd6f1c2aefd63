/**
 * Law 5 of the conformance check: a keyed aggregation's summary, updated key by key as the
 * window's values grow, finishes like the keyed `finish` over the same values.
 *
 * @module
 */
import assert from "assert";
import type { KeyedState, KeyedSummary, MergeableResult, ResultRow } from "../contracts.ts";
import type { LogRecord } from "../records.ts";
import { deepFreeze, roundTrip, scramble, shuffle } from "./_law_values.ts";
import { addKeyedRecord } from "./keyed.ts";

/**
 * Asserts law 5 over one run of flushes, as real time makes them: `records` in a random order,
 * cut into 1 to 6 flushes; each flush's records per key merged into the window's values (so a
 * key's value only grows, by merge), then the summary updated with the keys changed, in a
 * random order, and with up to 3 keys again at the value they already had, each with the
 * value lent at its last update as `previous` (when the summary `usesPrevious`; else undefined). Each value is lent as a copy that is scrambled
 * after the update, so a summary that kept part of one finishes wrong. After every flush, the summary must finish (twice, alike) to exactly the rows of
 * `keyed.finish` over the values; after the last, to `onePass`. With a mergeable part that makes
 * its summary from the keyed one (`fromKeyed`), that summary must equal `toSummary` over the
 * same values after every flush, and stay so while the keyed summary changes afterwards.
 *
 * @param keyed The keyed form.
 * @param summary Its summary.
 * @param records The records of one window.
 * @param onePass The rows of the whole-state `finish` after one pass over `records`.
 * @param random Numbers in [0, 1), seeded.
 * @param mergeable The aggregation's mergeable part, when it has one.
 * @throws AssertionError naming law 5 and what broke.
 */
export function assertSummaryLaw(
  keyed: KeyedState,
  summary: KeyedSummary,
  records: readonly LogRecord[],
  onePass: ResultRow[],
  random: () => number,
  mergeable?: MergeableResult,
): void {
  const order = [...records];
  shuffle(order, random);
  const flushes = 1 + Math.floor(random() * 6);
  const values = new Map<string, unknown>();
  const lastLent = new Map<string, string>();
  let state = summary.start();
  assertFinishes(keyed, summary, state, values, "before any update");
  const made: Array<[summary: unknown, text: string]> = [];
  for (let flush = 0; flush < flushes; flush++) {
    const part = order.slice(
      Math.floor((order.length * flush) / flushes),
      Math.floor((order.length * (flush + 1)) / flushes),
    );
    const added = new Map<string, unknown>();
    for (const record of part) addKeyedRecord(keyed, added, record);
    for (const [key, value] of added) {
      const mine = values.has(key) ? values.get(key) : keyed.start();
      values.set(key, keyed.merge(mine, roundTrip(value)));
    }
    const updated = [...added.keys()];
    const known = [...values.keys()];
    for (let i = 0; i < 3 && known.length > 0; i++) {
      updated.push(known[Math.floor(random() * known.length)]!);
    }
    shuffle(updated, random);
    for (const key of updated) {
      const text = JSON.stringify(values.get(key));
      const lent = JSON.parse(text);
      // Without `usesPrevious`, real time keeps no previous value: none is lent.
      const previousText = summary.usesPrevious === true ? lastLent.get(key) : undefined;
      const previous = previousText === undefined ? undefined : JSON.parse(previousText);
      state = summary.update(state, key, lent, previous);
      assert.ok(
        JSON.stringify(lent) === text && JSON.stringify(previous) === previousText,
        `law 5: the summary's update changed a value it was lent (key ${JSON.stringify(key)})`,
      );
      scramble(lent);
      scramble(previous);
      lastLent.set(key, text);
    }
    assertFinishes(keyed, summary, state, values, `after flush ${flush + 1} of ${flushes}`);
    if (mergeable?.fromKeyed !== undefined) {
      const when = `after flush ${flush + 1} of ${flushes}`;
      const fromKeyed = mergeable.fromKeyed(state);
      assert.deepEqual(
        roundTrip(fromKeyed),
        roundTrip(mergeable.toSummary(values)),
        `law 5: fromKeyed must make the summary toSummary makes of the same values (${when})`,
      );
      for (const [earlier, text] of made) {
        assert.equal(
          JSON.stringify(earlier),
          text,
          `law 5: a summary fromKeyed made changed as the keyed summary did (${when}); ` +
            "it must share nothing with it",
        );
      }
      made.push([fromKeyed, JSON.stringify(fromKeyed)]);
    }
  }
  assert.deepEqual(
    summaryRows(summary, state, "after the last flush"),
    onePass,
    "law 5: the summary of every key must finish like one pass (the whole-state finish)",
  );
}

/** The summary finishes, twice alike, to the rows of `keyed.finish` over `values`. */
function assertFinishes(
  keyed: KeyedState,
  summary: KeyedSummary,
  state: unknown,
  values: ReadonlyMap<string, unknown>,
  when: string,
): void {
  const frozen = new Map([...values].map(([key, value]) => [key, deepFreeze(roundTrip(value))]));
  const rows = summaryRows(summary, state, when);
  assert.deepEqual(
    rows,
    keyed.finish(frozen),
    `law 5: the summary, updated with each changed key, must finish like finish over the same ` +
      `values (${when})`,
  );
  assert.deepEqual(
    summaryRows(summary, state, when),
    rows,
    `law 5: the summary's finish must give the same rows when called again (${when})`,
  );
}

/** The summary's rows; a throw fails law 5, saying when. */
function summaryRows(summary: KeyedSummary, state: unknown, when: string): ResultRow[] {
  try {
    return summary.finish(state);
  } catch (error) {
    assert.fail(
      `law 5: the summary's finish threw ${when} (${String(error)}); note that update must ` +
        `keep no part of a value it is lent (the check scrambles them afterwards)`,
    );
  }
}
