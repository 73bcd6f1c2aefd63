/**
 * `archive` sink: every valid record as Parquet files under a folder, for a data team to load
 * into a warehouse or a lake, beyond `runtime.log_ttl`.
 *
 * @module
 */
import { type Sink, type SinkPlugin, type SourcedRecord, z } from "../../lib/sdk/mod.ts";
import {
  coveredRanges,
  fileName,
  hourFolder,
  parquetOf,
  TEMPORARY_MARK,
  uncoveredRuns,
  writeWhole,
} from "./archive/parquet_files.ts";

const options = z.strictObject({
  dir: z.string().min(1)
    .describe(
      "Folder of the archive (created when missing); a path relative to the working " +
        "directory, or absolute.",
    )
    .meta({ examples: ["archive", "/var/lib/web-analytics/archive"] }),
});

/** Validated `archive` sink options. */
export type ArchiveSinkOptions = z.output<typeof options>;

/** Temporary files older than this are leftovers of a crash, removed at start. */
const STALE_TEMPORARY_MS = 3_600_000;

/** The `archive` sink plugin. */
const archiveSink: SinkPlugin<ArchiveSinkOptions> = {
  kind: "sink",
  name: "archive",
  summary: "Keeps every valid record in Parquet files, one per partition and offset range " +
    "within an hour.",
  description: "Writes the records the runtime writes to log under " +
    "`<dir>/date=YYYY-MM-DD/hour=HH/` (UTC, by the record's time), as " +
    "`<stream>-<partition>-<first>-<last>.parquet`: " +
    "every record of that input partition with an offset in first..last whose time falls in " +
    "that hour, with columns record_id, stream, partition, offset, timestamp, the record's " +
    "fields and props (JSON). A file is written under a temporary name and renamed before the " +
    "offsets it covers are committed, so a crash never leaves half a file, and records an " +
    "existing file already covers are never written again, so a replay adds no duplicate row. " +
    "`deno task archive verify <dir>` reads the files back and compares the rows of each hour " +
    "with log. Nothing is written for aggregations: list it under no aggregation's sinks.",
  options,
  example: { dir: "archive" },
  open(settings, context) {
    const root = settings.dir.replace(/\/+$/, "");
    const sink: Sink = {
      async prepare(bindings) {
        if (bindings.length > 0) {
          throw new Error(
            `archive sink (dir ${settings.dir}) keeps raw records only, but aggregation ` +
              `${bindings.map((binding) => binding.aggregation).join(", ")} lists it in ` +
              "sinks:; remove it there (every valid record reaches it without being listed)",
          );
        }
        await Deno.mkdir(root, { recursive: true });
        const removed = await removeStaleTemporaries(root);
        if (removed > 0) context.log(`archive: removed ${removed} unfinished file(s) of a crash`);
      },
      write: () => Promise.resolve(),
      async writeRecords(records) {
        // One partition per call by contract; grouped by it anyway, since a file covers one.
        const groups = new Map<string, { hour: string; list: SourcedRecord[] }>();
        for (const item of records) {
          const hour = hourFolder(item.record.timestamp);
          const key = `${hour}\n${item.stream}\n${item.partition}`;
          let group = groups.get(key);
          if (group === undefined) groups.set(key, group = { hour, list: [] });
          group.list.push(item);
        }
        for (const { hour, list } of groups.values()) {
          const folder = `${root}/${hour}`;
          const sorted = list.sort((a, b) => a.offset - b.offset);
          const { stream, partition } = sorted[0]!;
          const covered = await coveredRanges(folder, stream, partition);
          for (const run of uncoveredRuns(sorted, covered)) {
            const name = fileName(stream, partition, run[0]!.offset, run[run.length - 1]!.offset);
            await writeWhole(folder, name, parquetOf(run));
          }
        }
      },
      close: () => Promise.resolve(),
    };
    return Promise.resolve(sink);
  },
};

export default archiveSink;

/** Removes temporary files older than an hour (a crash's); younger ones may be in progress. */
async function removeStaleTemporaries(root: string): Promise<number> {
  let removed = 0;
  const walk = async (folder: string): Promise<void> => {
    for await (const entry of Deno.readDir(folder)) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.includes(TEMPORARY_MARK)) {
        const info = await Deno.stat(path);
        if (Date.now() - (info.mtime?.getTime() ?? 0) > STALE_TEMPORARY_MS) {
          await Deno.remove(path).catch(() => {});
          removed++;
        }
      }
    }
  };
  await walk(root);
  return removed;
}
