/**
 * The postgres sink against a real PostgreSQL: tables made from the result shape, a table of
 * another shape refused at start, and the conditional upsert (a result never replaced by one
 * covering fewer records, whatever the order or the writer).
 */
import assert from "assert";
import postgresSink from "../plugins/sinks/postgres.ts";
import type {
  ResultShape,
  RuntimeContext,
  Sink,
  SinkBinding,
  WindowResult,
} from "../lib/contracts.ts";
import { windowCutter } from "../lib/windows.ts";
import { windowSize } from "../lib/window_size.ts";
import { createTestDatabase, type TestDatabase } from "./_postgres_support.ts";

const pages: ResultShape = {
  key: { name: "page_url", type: "text" },
  values: [{ name: "visits", type: "bigint" }, { name: "rank", type: "int" }],
};
const productActions: ResultShape = {
  key: [{ name: "product_id", type: "text" }, { name: "action", type: "text" }],
  values: [{ name: "count", type: "bigint" }, { name: "share", type: "double" }],
};
const context = { log: () => {} } as unknown as RuntimeContext;
const cutter = windowCutter("UTC");

async function openSink(db: TestDatabase, options: Record<string, unknown> = {}): Promise<Sink> {
  return await postgresSink.open(
    postgresSink.options.parse({ url: db.url, batch_rows: 3, ...options }),
    context,
  );
}

function binding(aggregation: string, size: string, shape: ResultShape): SinkBinding {
  return { aggregation, window: windowSize(size), shape };
}

function result(
  aggregation: string,
  size: string,
  at: string,
  records: number,
  rows: WindowResult["rows"],
  shape: ResultShape = pages,
): WindowResult {
  return {
    aggregation,
    window: cutter.windowOf(Date.parse(at), windowSize(size)),
    shape,
    rows,
    records,
    computedAt: Date.parse("2026-11-22T12:00:00Z") + records,
  };
}

const top = (...entries: [string, number][]) =>
  entries.map(([page, visits], index) => ({ key: page, values: { visits, rank: index + 1 } }));

Deno.test("postgres sink: the more complete result wins, in any order and from any writer", async () => {
  const db = await createTestDatabase();
  const one = await openSink(db);
  const other = await openSink(db);
  try {
    const bound = [binding("top_pages_hourly", "1h", pages)];
    await one.prepare(bound);
    await other.prepare(bound); // the same shape again: accepted
    const at = "2026-11-22T10:15:00Z";
    const full = result("top_pages_hourly", "1h", at, 12, top(["/a", 7], ["/b", 5]));
    const stale = result("top_pages_hourly", "1h", at, 9, top(["/a", 4], ["/c", 3], ["/b", 2]));
    const older = result("top_pages_hourly", "1h", at, 5, top(["/c", 5]));
    await one.write([older]);
    await other.write([full]);
    await one.write([stale]); // covers fewer records than the stored: changes nothing
    await one.write([full]); // the same result again: changes nothing
    assert.deepEqual(await one.read!(bound[0]!, full.window), full.rows);
    const rows = await db.client.query(
      "SELECT page_url, visits, rank, window_records, window_end - window_start AS span " +
        "FROM top_pages_hourly ORDER BY rank",
    );
    assert.deepEqual(
      rows.rows.map((
        row,
      ) => [row.page_url, Number(row.visits), row.rank, Number(row.window_records)]),
      [["/a", 7, 1, 12], ["/b", 5, 2, 12]],
    );
    const windows = await db.client.query(
      "SELECT window_records, row_count FROM top_pages_hourly_windows",
    );
    assert.deepEqual(windows.rows.map((row) => [Number(row.window_records), row.row_count]), [[
      12,
      2,
    ]]);

    // Both writers at once, each holding results of many windows in other orders: every window
    // ends with its most complete result.
    const hours = Array.from(
      { length: 20 },
      (_, hour) => `2026-11-23T${String(hour).padStart(2, "0")}:30:00Z`,
    );
    const versions = (records: number) =>
      hours.map((hour, i) =>
        result("top_pages_hourly", "1h", hour, records + i, top([`/p${records}`, records]))
      );
    await Promise.all([
      one.write([...versions(3), ...versions(30)]),
      other.write([...versions(20)].reverse()),
      one.write(versions(10)),
    ]);
    const winners = await db.client.query(
      "SELECT page_url, count(*)::int AS windows FROM top_pages_hourly " +
        "WHERE window_start >= '2026-11-23' GROUP BY page_url",
    );
    assert.deepEqual(winners.rows, [{ page_url: "/p30", windows: 20 }]);
  } finally {
    await one.close();
    await other.close();
    await db.drop();
  }
});

Deno.test("postgres sink: composite keys, every window size, rows in batches", async () => {
  const db = await createTestDatabase();
  const sink = await openSink(db, { schema: "analytics", table_prefix: "wa_" });
  try {
    await sink.prepare([
      binding("product_actions", "5m", productActions),
      binding("totals", "none", pages),
    ]);
    const actions = Array.from({ length: 8 }, (_, i) => ({
      key: [`p${i}`, i % 2 === 0 ? "view" : "cart"],
      values: { count: 100 - i, share: (100 - i) / 1000 },
    }));
    const windowed = result(
      "product_actions",
      "5m",
      "2026-11-22T10:07:00Z",
      40,
      actions,
      productActions,
    );
    const allTime = result("totals", "none", "2026-11-22T10:07:00Z", 40, top(["/", 40]));
    await sink.write([windowed, allTime]);
    const stored = await db.client.query(
      "SELECT product_id, action, count, share, window_start, window_end FROM analytics.wa_product_actions ORDER BY product_id",
    );
    assert.equal(stored.rowCount, 8);
    assert.deepEqual(stored.rows[1], {
      product_id: "p1",
      action: "cart",
      count: "99",
      share: 0.099,
      window_start: new Date("2026-11-22T10:05:00Z"),
      window_end: new Date("2026-11-22T10:10:00Z"),
    });
    assert.deepEqual(
      await sink.read!(binding("product_actions", "5m", productActions), windowed.window),
      actions,
    );
    const total = await db.client.query(
      "SELECT window_end = 'infinity'::timestamptz AS forever FROM analytics.wa_totals",
    );
    assert.deepEqual(total.rows, [{ forever: true }]);
  } finally {
    await sink.close();
    await db.drop();
  }
});

Deno.test("postgres sink: a table of another shape stops the start, naming both", async () => {
  const db = await createTestDatabase();
  const sink = await openSink(db);
  try {
    await db.client.query('CREATE TABLE top_pages_daily (window_start timestamptz, "page" text)');
    await assert.rejects(
      () => sink.prepare([binding("top_pages_daily", "1d", pages)]),
      (error: Error) =>
        error.message.includes(
          "public.top_pages_daily already exists as (window_start timestamp with time zone, page text; primary key ())",
        ) &&
        error.message.includes("needs (window_start timestamp with time zone, window_end") &&
        error.message.includes("options.table_prefix"),
    );
  } finally {
    await sink.close();
    await db.drop();
  }
});

Deno.test("postgres sink: writes again after the server ended its connections (a restart)", async () => {
  const db = await createTestDatabase();
  const sink = await openSink(db);
  try {
    await sink.prepare([binding("top_pages_hourly", "1h", pages)]);
    // Every connection of the sink's pool ended by the server, as in a restart.
    await db.client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [db.name],
    );
    const written = result("top_pages_hourly", "1h", "2026-11-22T10:00:00Z", 3, top(["/a", 3]));
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        await sink.write([written]);
        break;
      } catch (error) {
        if (attempts > 5) throw error;
      }
    }
    const rows = await db.client.query("SELECT count(*)::int AS n FROM top_pages_hourly");
    assert.deepEqual(rows.rows, [{ n: 1 }]);
  } finally {
    await sink.close();
    await db.drop();
  }
});

Deno.test("postgres sink: connection and TLS problems stop the start, naming the server", async () => {
  const db = await createTestDatabase();
  try {
    // The local server speaks no TLS: asking for it is refused, and the message says where.
    const tls = await openSink(db, { tls: { mode: "require" } });
    try {
      await assert.rejects(
        () => tls.prepare([binding("top_pages_hourly", "1h", pages)]),
        (error: Error) =>
          error.message.startsWith(`postgres sink at ${db.url}: `) && /SSL/i.test(error.message),
      );
    } finally {
      await tls.close();
    }
    const wrong = new URL(db.url);
    wrong.username = "nobody_here";
    wrong.password = "secret";
    const stranger = await postgresSink.open(
      postgresSink.options.parse({ url: wrong.toString() }),
      context,
    );
    try {
      await assert.rejects(
        () => stranger.prepare([binding("top_pages_hourly", "1h", pages)]),
        (error: Error) =>
          error.message.includes("nobody_here:***@") && !error.message.includes("secret") &&
          /role "nobody_here" does not exist.*check options\.url/.test(error.message),
      );
    } finally {
      await stranger.close();
    }
    await assert.rejects(
      () => openSink(db, { tls: { mode: "verify-full", ca_file: "/nonexistent/ca.pem" } }),
      /options\.tls\.ca_file "\/nonexistent\/ca\.pem" cannot be read .* give the path of the server's CA certificate/,
    );
  } finally {
    await db.drop();
  }
});
