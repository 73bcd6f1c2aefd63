import assert from "assert";
import type { RuntimeContext, SourcedRecord } from "../../lib/sdk/mod.ts";
import { readArchive } from "../../lib/archive/verify.ts";
import archiveSink from "./archive.ts";
import { parquetReadObjects } from "hyparquet";

const context = { log: () => {} } as unknown as RuntimeContext;

/** One partition's records, spread over three hours, in offset order. */
function records(partition: number, count: number): SourcedRecord[] {
  const start = Date.parse("2026-11-22T09:30:00Z");
  return Array.from({ length: count }, (_, offset) => ({
    id: `RAWLOG/${partition}/${offset}`,
    stream: "RAWLOG",
    partition,
    offset,
    // Times go back and forth across hours, as late records do.
    record: {
      timestamp: start + ((offset * 7919) % 3) * 3_600_000 + offset * 1000,
      request_uri: `/p${offset % 5}`,
      status: 200 + (offset % 2) * 300,
      ...(offset % 4 === 0 ? { props: { plan: "pro" } } : {}),
    },
  }));
}

async function fileCount(dir: string): Promise<number> {
  let count = 0;
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder)) {
      if (entry.isDirectory) await walk(`${folder}/${entry.name}`);
      else if (entry.name.endsWith(".parquet")) count++;
    }
  };
  await walk(dir);
  return count;
}

Deno.test("archive: replays in other batches, and a crash's half file, leave every record once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-test-" });
  try {
    const sink = await archiveSink.open(archiveSink.options.parse({ dir }), context);
    await sink.prepare([]);
    const all = [...records(0, 900), ...records(1, 700)];
    const zero = all.filter((item) => item.partition === 0);
    const one = all.filter((item) => item.partition === 1);
    for (let i = 0; i < 600; i += 100) await sink.writeRecords!(zero.slice(i, i + 100));
    for (let i = 0; i < 700; i += 350) await sink.writeRecords!(one.slice(i, i + 350));
    // A crash while writing: a temporary file with half a Parquet file in it.
    await Deno.writeTextFile(
      `${dir}/date=2026-11-22/hour=10/RAWLOG-0-600-699.parquet.tmp-1-x`,
      "PAR1",
    );
    // The restart replays partition 0 from an earlier offset, cut otherwise, then goes on.
    for (let i = 450; i < 900; i += 130) await sink.writeRecords!(zero.slice(i, i + 130));
    const files = await fileCount(dir);
    // The same range again: everything covered, nothing written.
    await sink.writeRecords!(zero.slice(450, 580));
    assert.equal(await fileCount(dir), files);

    const archive = await readArchive(dir);
    assert.equal(archive.duplicates.size, 0);
    assert.deepEqual(archive.ids, new Set(all.map((item) => item.id)));
    const perHour = new Map<string, number>();
    for (const { record } of all) {
      const hour = new Date(record.timestamp).toISOString().slice(0, 13);
      perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
    }
    assert.deepEqual(archive.rowsByHour, perHour);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("archive: a file holds the records' fields, and names its partition and range", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-test-" });
  try {
    const sink = await archiveSink.open(archiveSink.options.parse({ dir }), context);
    await sink.prepare([]);
    const batch = records(3, 3).map((item) => ({
      ...item,
      record: { ...item.record, timestamp: Date.parse("2026-11-22T10:00:00Z") + item.offset },
    }));
    await sink.writeRecords!(batch);
    const path = `${dir}/date=2026-11-22/hour=10/RAWLOG-3-0-2.parquet`;
    const bytes = await Deno.readFile(path);
    const rows = await parquetReadObjects({ file: bytes.buffer as ArrayBuffer });
    assert.equal(rows.length, 3);
    assert.deepEqual(
      { ...rows[0], timestamp: (rows[0]!.timestamp as Date).getTime() },
      {
        ...Object.fromEntries(Object.keys(rows[0]!).map((key) => [key, null])),
        record_id: "RAWLOG/3/0",
        stream: "RAWLOG",
        partition: 3,
        offset: 0n,
        timestamp: Date.parse("2026-11-22T10:00:00Z"),
        request_uri: "/p0",
        status: 200,
        props: JSON.stringify({ plan: "pro" }),
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("archive: listed as an aggregation's sink, it stops the start saying what to do", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-test-" });
  try {
    const sink = await archiveSink.open(archiveSink.options.parse({ dir }), context);
    await assert.rejects(
      () =>
        sink.prepare([{
          aggregation: "top_pages_daily",
          window: { size: "1d" } as never,
          shape: { key: { name: "k", type: "text" }, values: [] },
        }]),
      /keeps raw records only, but aggregation top_pages_daily lists it in sinks:; remove it there/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
