/**
 * Applying a batch's records to their partition's state: each record above the partition's
 * offset adds to the window it falls in, per aggregation, unless that window closed by the
 * partition's event-time watermark (then the record is logged for batch but too late here).
 *
 * @module
 */
import type { KeyedState } from "../contracts.ts";
import type { WindowCutter } from "../windows.ts";
import type { WindowSpec } from "../window_size.ts";
import type { TimedRecord } from "./parse_batch.ts";
import {
  applyRecord,
  type PartitionState,
  windowId,
  type WindowOfRecord,
  type WindowState,
} from "./partition_state.ts";

/** An aggregation as records are applied to it. */
export interface AppliedAggregation {
  /** Aggregation name. */
  name: string;
  /** Its keyed form. */
  keyed: KeyedState;
  /** Its window size. */
  window: WindowSpec;
}

/** What applying a batch did. */
export interface Applied {
  /** Records re-delivered (at or below the partition's offset), not counted again. */
  duplicates: number;
  /** Records too late for at least one aggregation's window. */
  tooLate: number;
  /** Windows that changed. */
  changed: Set<WindowState>;
}

/**
 * Applies `records` (in offset order) to `state`. Synchronous: a flush sees all of a batch or
 * none of it. A record's event time moves the watermark only up to its message time, so a
 * sender's clock far ahead cannot close windows early.
 */
export function applyRecords(
  state: PartitionState,
  records: readonly TimedRecord[],
  aggregations: readonly AppliedAggregation[],
  cutter: WindowCutter,
  allowedLatenessMs: number,
): Applied {
  const applied: Applied = { duplicates: 0, tooLate: 0, changed: new Set() };
  const targets: WindowOfRecord[] = aggregations.map((aggregation) => ({
    aggregation: aggregation.name,
    keyed: aggregation.keyed,
    windowKey: "",
    closesAt: 0,
  }));
  for (const { record, offset, messageTime } of records) {
    for (let a = 0; a < aggregations.length; a++) {
      const window = cutter.windowOf(record.timestamp, aggregations[a]!.window);
      targets[a]!.windowKey = window.key;
      targets[a]!.closesAt = window.end + allowedLatenessMs;
    }
    if (offset <= state.offset) {
      // Re-delivered: its windows' latest results may not have been written before a crash
      // (results are written after the entry, before the commit), so they are due again.
      applied.duplicates++;
      for (const target of targets) {
        const window = state.windows.get(windowId(target.aggregation, target.windowKey));
        if (window !== undefined) applied.changed.add(window);
      }
      continue;
    }
    const eventTime = Math.min(record.timestamp, messageTime);
    if (applyRecord(state, record, offset, eventTime, targets, applied.changed)) applied.tooLate++;
  }
  return applied;
}
