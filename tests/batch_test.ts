import assert from "assert";
import { generateTraffic } from "../lib/traffic/simulate.ts";
import { loadPipeline } from "../lib/config/load.ts";
import { logWriter } from "../lib/log_store.ts";
import { openPipeline } from "../lib/runtime/start.ts";
import { registerSchedules } from "../lib/batch/schedules.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import {
  assertResults,
  createTestPipeline,
  dropTestPipeline,
  expectedFrom,
  produceEvents,
  runRealtimeUntilCommitted,
  type TestPipeline,
  testStream,
} from "./_pipeline_support.ts";

const DAY = 86_400_000;

/** Three past days of simulated traffic, written straight into `log` (no Kafka, no real time). */
async function writeDaysIntoLog(test: TestPipeline, start: string, days: number, count: number) {
  const events = [...generateTraffic({
    seed: 3,
    count,
    start: Date.parse(`${start}T00:00:00Z`),
    spanMs: days * DAY,
    malformedShare: 0,
    lateShare: 0.02,
    combinedShare: 0,
  })];
  const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
  try {
    const writer = logWriter(resources.context.cassandra, test.keyspace, "log");
    const records = events.map((event) => ({
      id: `generator/3/${event.seq}`,
      stream: "generator",
      partition: 0,
      offset: event.seq,
      record: event.record!,
    }));
    for (let i = 0; i < records.length; i += 2000) await writer.write(records.slice(i, i + 2000));
  } finally {
    await resources.close();
  }
  return events;
}

async function runJob(job: string, args: string[]): Promise<{ code: number; output: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${REPO_ROOT}/jobs/${job}.ts`, ...args],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}

Deno.test("batch: backfill three past days written straight into log", async () => {
  const test = await createTestPipeline();
  try {
    const events = await writeDaysIntoLog(test, "2026-11-10", 3, 30_000);
    const days = new Set(["2026-11-10", "2026-11-11", "2026-11-12"]);
    const expected = expectedFrom(events, days);
    assert.equal(expected.pagesByDay.size, 3);

    const dry = await runJob("batch", [
      "--config",
      test.file,
      "--from",
      "2026-11-10",
      "--to",
      "2026-11-12",
      "--dry-run",
    ]);
    assert.equal(dry.code, 0, dry.output);
    assert.match(dry.output, /dry run: \d+ log rows, \d+ windows, [1-9]\d* would change\./);
    const before = await test.cassandra.execute(
      `SELECT COUNT(*) AS n FROM ${test.keyspace}.results`,
    );
    assert.equal(Number(before.first()?.get("n")), 0, "a dry run writes nothing");

    const run = await runJob("batch", [
      "--config",
      test.file,
      "--from",
      "2026-11-10",
      "--to",
      "2026-11-12",
    ]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /window results written/);
    await assertResults(test, expected);

    // Idempotent: running it again changes nothing.
    const again = await runJob("batch", [
      "--config",
      test.file,
      "--from",
      "2026-11-10",
      "--to",
      "2026-11-12",
    ]);
    assert.equal(again.code, 0, again.output);
    await assertResults(test, expected);

    const empty = await runJob("batch", [
      "--config",
      test.file,
      "--from",
      "2025-01-01",
      "--to",
      "2025-01-02",
    ]);
    assert.equal(empty.code, 0, empty.output);
    assert.match(empty.output, /no logs in .* between 2025-01-01 and 2025-01-02/);

    const bad = await runJob("batch", [
      "--config",
      test.file,
      "--from",
      "2026-11-12",
      "--to",
      "2026-11-10",
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.output, /--from 2026-11-12 is after --to 2026-11-10/);
  } finally {
    await dropTestPipeline(test);
  }
});

Deno.test("batch: real time then batch over the same days; reconcile finds no difference", async () => {
  const test = await createTestPipeline();
  try {
    const events = testStream(20_000, 11);
    await produceEvents(test.kafka, test.topic, events);
    await runRealtimeUntilCommitted(test, events.length);
    const days = [...expectedFrom(events).pagesByDay.keys()].sort();
    const range = ["--from", days[0]!, "--to", days[days.length - 1]!];

    const clean = await runJob("reconcile", ["--config", test.file, ...range]);
    assert.equal(clean.code, 0, clean.output);
    assert.match(clean.output, /\d+ windows compared, \d+ log rows, 0 differences/);

    const batch = await runJob("batch", ["--config", test.file, ...range]);
    assert.equal(batch.code, 0, batch.output);
    await assertResults(test, expectedFrom(events));
    const afterBatch = await runJob("reconcile", ["--config", test.file, ...range]);
    assert.equal(afterBatch.code, 0, afterBatch.output);

    // Remove one logged record: reconcile must notice and fail.
    const victim = await test.cassandra.execute(
      `SELECT date, hour, timestamp, record_id FROM ${test.keyspace}.log LIMIT 1`,
    );
    const row = victim.first()!;
    await test.cassandra.execute(
      `DELETE FROM ${test.keyspace}.log WHERE date = ? AND hour = ? AND timestamp = ? AND record_id = ?`,
      [row.get("date"), row.get("hour"), row.get("timestamp"), row.get("record_id")],
      { prepare: true },
    );
    const broken = await runJob("reconcile", ["--config", test.file, ...range]);
    assert.equal(broken.code, 1, broken.output);
    assert.match(broken.output, /batch counted \d+ records, real time \d+/);
  } finally {
    await dropTestPipeline(test);
  }
});

Deno.test("batch: a schedule registers its cron and its handler recomputes its windows", async () => {
  const test = await createTestPipeline({
    schedules: `
schedules:
  - name: test_backfill
    cron: "*/5 * * * *"
    aggregations: [top_pages_daily, status_daily]
    windows: { from: 2026-11-10, to: 2026-11-11 }
`,
  });
  try {
    const events = await writeDaysIntoLog(test, "2026-11-10", 2, 10_000);
    const expected = expectedFrom(events, new Set(["2026-11-10", "2026-11-11"]));
    const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
    try {
      const registered: Array<[string, string]> = [];
      const lines: string[] = [];
      const schedules = registerSchedules(
        resources,
        (name, cron) => registered.push([name, cron]),
        (line) => lines.push(line),
      );
      assert.deepEqual(registered, [["test_backfill", "*/5 * * * *"]]);
      assert.equal(schedules.length, 1);
      await schedules[0]!.handler();
      assert.match(
        lines.join("\n"),
        /schedule test_backfill: 2026-11-10..2026-11-11, \d+ log rows/,
      );
    } finally {
      await resources.close();
    }
    // The schedule names only the daily aggregations: check those, and that hourly stayed empty.
    const hourly = await test.cassandra.execute(
      `SELECT COUNT(*) AS n FROM ${test.keyspace}.results_hourly`,
    );
    assert.equal(Number(hourly.first()?.get("n")), 0);
    for (const [day, counts] of expected.statusByDay) {
      const rows = await test.cassandra.execute(
        `SELECT status, count FROM ${test.keyspace}.status_counts WHERE date = ?`,
        [day],
        { prepare: true },
      );
      assert.deepEqual(
        new Map(rows.rows.map((r) => [r.get("status"), Number(r.get("count"))])),
        counts,
      );
    }
    const daily = await test.cassandra.execute(
      `SELECT DISTINCT date FROM ${test.keyspace}.results`,
    );
    assert.equal(daily.rowLength, 2);
  } finally {
    await dropTestPipeline(test);
  }
});
