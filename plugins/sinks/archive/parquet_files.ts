/**
 * The archive's files: raw records as Parquet, one file per input partition and offset range
 * within a UTC hour, under `date=YYYY-MM-DD/hour=HH/` (the layout warehouses and lakes load as
 * partitions).
 *
 * A file `<stream>-<partition>-<first>-<last>.parquet` holds every record of that partition with
 * an offset in `first..last` whose time falls in that hour. It is written under a temporary name,
 * synced, and renamed, so it is whole or absent. Before writing, the records an existing file of
 * the hour already covers are left out, and the others are cut into runs between those files: a
 * replay, however its batches are cut, adds no row twice, and replaying the same range finds
 * every record covered and writes nothing.
 *
 * @module
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import { EVENT_TEXT_FIELDS, type SourcedRecord } from "../../../lib/sdk/mod.ts";

/** An offset range a file of one partition covers, within its hour. */
export interface CoveredRange {
  /** First offset. */
  first: number;
  /** Last offset (included). */
  last: number;
}

/** Marks a file being written; readers skip such files, and start-up removes old ones. */
export const TEMPORARY_MARK = ".tmp-";

const FILE_NAME = /^(.+)-(\d+)-(\d+)-(\d+)\.parquet$/;

/** The folder of an hour, relative to the archive: `date=2026-11-22/hour=10`. */
export function hourFolder(timestamp: number): string {
  const iso = new Date(timestamp).toISOString();
  return `date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/** A stream name made safe for a file name (Kafka topics already are). */
function streamPart(stream: string): string {
  return stream.replace(/[^A-Za-z0-9._]/g, "_");
}

/**
 * The name of a file of `stream`/`partition` covering `first..last`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { fileName, parseFileName } from "./parquet_files.ts";
 * assert.equal(fileName("RAWLOG", 3, 100, 250), "RAWLOG-3-100-250.parquet");
 * assert.deepEqual(parseFileName("RAWLOG-3-100-250.parquet"), {
 *   stream: "RAWLOG", partition: 3, first: 100, last: 250,
 * });
 * ```
 */
export function fileName(stream: string, partition: number, first: number, last: number): string {
  return `${streamPart(stream)}-${partition}-${first}-${last}.parquet`;
}

/** Reads a file name back; undefined for any other file (a temporary one included). */
export function parseFileName(
  name: string,
): { stream: string; partition: number; first: number; last: number } | undefined {
  const match = FILE_NAME.exec(name);
  if (match === null) return undefined;
  return {
    stream: match[1]!,
    partition: Number(match[2]),
    first: Number(match[3]),
    last: Number(match[4]),
  };
}

/**
 * Cuts `records` (one partition, offset order) into the runs no `covered` range holds: records
 * inside a range are left out, and a run ends where a range lies between two of its records.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { uncoveredRuns } from "./parquet_files.ts";
 * const at = (offset: number) => ({ id: `s/0/${offset}`, stream: "s", partition: 0, offset,
 *   record: { timestamp: 0 } });
 * const runs = uncoveredRuns([1, 2, 3, 4, 5, 6].map(at), [{ first: 3, last: 4 }]);
 * assert.deepEqual(runs.map((run) => run.map((r) => r.offset)), [[1, 2], [5, 6]]);
 * ```
 */
export function uncoveredRuns(
  records: readonly SourcedRecord[],
  covered: readonly CoveredRange[],
): SourcedRecord[][] {
  const ranges = [...covered].sort((a, b) => a.first - b.first);
  const runs: SourcedRecord[][] = [];
  let run: SourcedRecord[] = [];
  let previous: number | undefined;
  for (const item of records) {
    if (ranges.some((range) => item.offset >= range.first && item.offset <= range.last)) continue;
    const between = previous !== undefined &&
      ranges.some((range) => range.first > previous! && range.first < item.offset);
    if (between && run.length > 0) {
      runs.push(run);
      run = [];
    }
    run.push(item);
    previous = item.offset;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** The ranges the files of `stream`/`partition` in `folder` cover (none when it is absent). */
export async function coveredRanges(
  folder: string,
  stream: string,
  partition: number,
): Promise<CoveredRange[]> {
  const ranges: CoveredRange[] = [];
  const wanted = streamPart(stream);
  try {
    for await (const entry of Deno.readDir(folder)) {
      const parsed = entry.isFile ? parseFileName(entry.name) : undefined;
      if (parsed?.stream === wanted && parsed.partition === partition) {
        ranges.push({ first: parsed.first, last: parsed.last });
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return ranges;
}

/** The Parquet bytes of `records`: one row each, in the order given. */
export function parquetOf(records: readonly SourcedRecord[]): Uint8Array {
  const field = (name: string) =>
    records.map(({ record }) => (record as unknown as Record<string, unknown>)[name] ?? null);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "record_id", data: records.map((item) => item.id), type: "STRING" },
      { name: "stream", data: records.map((item) => item.stream), type: "STRING" },
      { name: "partition", data: records.map((item) => item.partition), type: "INT32" },
      { name: "offset", data: records.map((item) => BigInt(item.offset)), type: "INT64" },
      {
        name: "timestamp",
        data: records.map(({ record }) => new Date(record.timestamp)),
        type: "TIMESTAMP",
      },
      { name: "request_uri", data: field("request_uri"), type: "STRING" },
      { name: "status", data: field("status"), type: "INT32" },
      {
        name: "body_bytes_sent",
        data: records.map(({ record }) =>
          record.body_bytes_sent === undefined ? null : BigInt(record.body_bytes_sent)
        ),
        type: "INT64",
      },
      { name: "request_time", data: field("request_time"), type: "DOUBLE" },
      ...["http_referrer", "http_user_agent", "remote_addr", "method", ...EVENT_TEXT_FIELDS].map(
        (name) => ({ name, data: field(name), type: "STRING" as const }),
      ),
      {
        name: "props",
        data: records.map(({ record }) =>
          record.props === undefined ? null : JSON.stringify(record.props)
        ),
        type: "JSON",
      },
    ],
  });
  return new Uint8Array(buffer);
}

/**
 * Writes `bytes` as `folder/name`, whole or not at all: to a temporary name first, synced,
 * renamed, and the folder synced so the rename survives a crash of the machine.
 */
export async function writeWhole(folder: string, name: string, bytes: Uint8Array): Promise<void> {
  await Deno.mkdir(folder, { recursive: true });
  const temporary = `${folder}/${name}${TEMPORARY_MARK}${Deno.pid}-${crypto.randomUUID()}`;
  const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(temporary, `${folder}/${name}`);
  const directory = await Deno.open(folder);
  try {
    await directory.sync();
  } finally {
    directory.close();
  }
}
