/**
 * `deno task archive verify DIR`: reads an archive's Parquet files back and compares the rows of
 * each UTC hour with the `log` table, and finds any record archived twice.
 *
 * @module
 */
import { parquetReadObjects } from "hyparquet";

/** Rows of one UTC hour, `YYYY-MM-DDTHH`. */
export type HourCounts = Map<string, number>;

/** What an archive holds. */
export interface ArchiveContents {
  /** Rows per UTC hour of the record's time. */
  rowsByHour: HourCounts;
  /** Parquet files read. */
  files: number;
  /** Record ids found more than once, with how often. */
  duplicates: Map<string, number>;
  /** Every record id read (for tests and the duplicate count). */
  ids: Set<string>;
}

/** Files whose name holds this are being written (or a crash left them): never read. */
const TEMPORARY_MARK = ".tmp-";

/**
 * Reads every finished `.parquet` file below `dir`.
 *
 * @throws When `dir` does not exist, or a file is not Parquet (its path in the message).
 */
export async function readArchive(dir: string): Promise<ArchiveContents> {
  const contents: ArchiveContents = {
    rowsByHour: new Map(),
    files: 0,
    duplicates: new Map(),
    ids: new Set(),
  };
  const walk = async (folder: string): Promise<void> => {
    const entries = [];
    for await (const entry of Deno.readDir(folder)) entries.push(entry);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".parquet") && !entry.name.includes(TEMPORARY_MARK)) {
        await readFile(path, contents);
      }
    }
  };
  await walk(dir.replace(/\/+$/, ""));
  return contents;
}

async function readFile(path: string, contents: ArchiveContents): Promise<void> {
  const bytes = await Deno.readFile(path);
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      columns: ["record_id", "timestamp"],
    });
  } catch (error) {
    throw new Error(
      `${path} is not a readable Parquet file (${
        error instanceof Error ? error.message : String(error)
      }); move it out of the archive and run the check again`,
    );
  }
  contents.files++;
  for (const row of rows) {
    const id = String(row.record_id);
    if (contents.ids.has(id)) {
      contents.duplicates.set(id, (contents.duplicates.get(id) ?? 1) + 1);
    }
    contents.ids.add(id);
    const hour = (row.timestamp as Date).toISOString().slice(0, 13);
    contents.rowsByHour.set(hour, (contents.rowsByHour.get(hour) ?? 0) + 1);
  }
}

/** One hour of the comparison. */
export interface HourCheck {
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  /** Rows in the archive. */
  archived: number;
  /** Rows in `log`. */
  logged: number;
}

/**
 * Compares the archive's rows per hour with `log`'s over every hour from the first to the last
 * one either holds.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { compareHours } from "./verify.ts";
 * const checks = compareHours(new Map([["2026-11-22T10", 3]]), new Map([["2026-11-22T11", 2]]));
 * assert.deepEqual(checks, [
 *   { hour: "2026-11-22T10", archived: 3, logged: 0 },
 *   { hour: "2026-11-22T11", archived: 0, logged: 2 },
 * ]);
 * ```
 */
export function compareHours(archived: HourCounts, logged: HourCounts): HourCheck[] {
  const hours = [...new Set([...archived.keys(), ...logged.keys()])].sort();
  return hours.map((hour) => ({
    hour,
    archived: archived.get(hour) ?? 0,
    logged: logged.get(hour) ?? 0,
  }));
}
