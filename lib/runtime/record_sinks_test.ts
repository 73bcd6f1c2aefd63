import assert from "assert";
import type { Sink } from "../contracts.ts";
import type { SourcedRecord } from "../records.ts";
import type { LogWriter } from "../log_store.ts";
import { withRecordSinks } from "./record_sinks.ts";

const record = (offset: number): SourcedRecord => ({
  id: `T/0/${offset}`,
  stream: "T",
  partition: 0,
  offset,
  record: { timestamp: offset },
});

function sink(writeRecords?: Sink["writeRecords"]): Sink {
  return {
    prepare: () => Promise.resolve(),
    write: () => Promise.resolve(),
    close: () => Promise.resolve(),
    ...(writeRecords === undefined ? {} : { writeRecords }),
  };
}

Deno.test("without a sink that keeps records, the log writer is the log's own", () => {
  const log: LogWriter = { write: () => Promise.resolve() };
  assert.equal(withRecordSinks(log, [{ name: "results", sink: sink() }]), log);
});

Deno.test("a record sink's failure fails the batch's log write, naming the sink", async () => {
  const logged: string[] = [];
  const kept: string[] = [];
  const failures: string[] = [];
  const writer = withRecordSinks(
    { write: (records) => Promise.resolve(void logged.push(...records.map((r) => r.id))) },
    [
      { name: "results", sink: sink() },
      {
        name: "events",
        sink: sink((records) => Promise.resolve(void kept.push(...records.map((r) => r.id)))),
      },
      { name: "archive", sink: sink(() => Promise.reject(new Error("disk full"))) },
    ],
    (name) => failures.push(name),
  );
  await assert.rejects(
    () => writer.write([record(1), record(2)]),
    /sink archive could not keep the records: disk full/,
  );
  assert.deepEqual(logged, ["T/0/1", "T/0/2"]);
  assert.deepEqual(kept, ["T/0/1", "T/0/2"]);
  assert.deepEqual(failures, ["archive"]);
});
