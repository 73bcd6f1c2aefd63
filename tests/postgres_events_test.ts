/**
 * The postgres sink's events table against a real PostgreSQL: every record once however often
 * and in whatever batches it is replayed, one partition per day, and the queries of
 * docs/postgres.md returning the rows this test computes itself.
 */
import assert from "assert";
import postgresSink from "../plugins/sinks/postgres.ts";
import type { RuntimeContext, Sink } from "../lib/contracts.ts";
import type { LogRecord, SourcedRecord } from "../lib/records.ts";
import { seededRandom } from "../lib/sdk/random.ts";
import { REPO_ROOT } from "../lib/services/settings.ts";
import { createTestDatabase, type TestDatabase } from "./_postgres_support.ts";

const context = { log: () => {} } as unknown as RuntimeContext;

async function openEventsSink(db: TestDatabase): Promise<Sink> {
  const sink = await postgresSink.open(
    postgresSink.options.parse({ url: db.url, events: true, batch_rows: 100 }),
    context,
  );
  await sink.prepare([]);
  return sink;
}

/** A seeded mix of page views, purchases (price in props) and requests over three days. */
function records(count: number): SourcedRecord[] {
  const random = seededRandom(29);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const start = Date.parse("2026-11-20T00:00:00Z");
  return Array.from({ length: count }, (_, offset) => {
    const timestamp = start + Math.floor(random() * 3 * 86_400_000);
    const kind = random();
    let record: LogRecord;
    if (kind < 0.4) {
      record = {
        timestamp,
        event_type: "page_visited",
        page_path: pick(["/", "/shoes", "/hats", "/cart"]),
        device: pick(["mobile", "desktop"]),
        country: pick(["DE", "FR"]),
        user_id: `u${Math.floor(random() * 20)}`,
      };
    } else if (kind < 0.55) {
      record = {
        timestamp,
        event_type: "purchase",
        user_id: `u${Math.floor(random() * 20)}`,
        ...(random() < 0.8 ? { utm_campaign: pick(["winter", "black_friday"]) } : {}),
        props: { price: (Math.floor(random() * 10_000) / 100).toFixed(2), currency: "EUR" },
      };
    } else {
      record = {
        timestamp,
        request_uri: pick(["/api/a", "/api/b", "/shoes?ref=mail"]),
        status: pick([200, 200, 200, 404, 500, 503]),
        body_bytes_sent: Math.floor(random() * 5000),
        request_time: random(),
        http_referrer: "-",
        http_user_agent: "test",
      };
    }
    return {
      id: `EV/${offset % 3}/${offset}`,
      stream: "EV",
      partition: offset % 3,
      offset,
      record,
    };
  });
}

function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The SQL blocks of a markdown section, in order. */
async function documentedQueries(): Promise<string[]> {
  const doc = await Deno.readTextFile(`${REPO_ROOT}/docs/postgres.md`);
  const section = doc.slice(doc.indexOf("### Queries a BI user would write"));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

Deno.test("events: every record once, in day partitions, after replays in other batches", async () => {
  const db = await createTestDatabase();
  const sink = await openEventsSink(db);
  const again = await openEventsSink(db); // a second process, e.g. after a rebalance
  try {
    const all = records(2000);
    // The first run: batches of 70, then the process dies; the replay starts earlier and cuts
    // its batches differently, and a second process replays part of it at the same time.
    for (let i = 0; i < 1400; i += 70) await sink.writeRecords!(all.slice(i, i + 70));
    await Promise.all([
      (async () => {
        for (let i = 1000; i < 2000; i += 130) await sink.writeRecords!(all.slice(i, i + 130));
      })(),
      again.writeRecords!(all.slice(900, 1600)),
    ]);
    const counted = await db.client.query(
      "SELECT count(*)::int AS rows, count(DISTINCT record_id)::int AS ids FROM events",
    );
    assert.deepEqual(counted.rows, [{ rows: 2000, ids: 2000 }]);
    const partitions = await db.client.query(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid " +
        "WHERE i.inhparent = 'events'::regclass ORDER BY 1",
    );
    assert.deepEqual(partitions.rows.map((row) => row.relname), [
      "events_20261120",
      "events_20261121",
      "events_20261122",
    ]);
    const one = all.find((item) => item.record.props !== undefined)!;
    const stored = await db.client.query(
      "SELECT props, status, timestamp FROM events WHERE record_id = $1",
      [one.id],
    );
    assert.deepEqual(stored.rows, [{
      props: one.record.props,
      status: null,
      timestamp: new Date(one.record.timestamp),
    }]);
  } finally {
    await sink.close();
    await again.close();
    await db.drop();
  }
});

Deno.test("events: the documented BI queries return the expected rows", async () => {
  const db = await createTestDatabase();
  const sink = await openEventsSink(db);
  try {
    const all = records(1500);
    await sink.writeRecords!(all);
    const [topMobileDe, perDay, revenue] = await documentedQueries();
    assert.ok(revenue !== undefined, "docs/postgres.md shows three queries");

    const views = new Map<string, number>();
    for (const { record } of all) {
      if (record.device !== "mobile" || record.country !== "DE") continue;
      const page = record.page_path ?? record.request_uri!;
      views.set(page, (views.get(page) ?? 0) + 1);
    }
    const expectedTop = [...views].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10).map(([page, count]) => ({ page, views: String(count) }));
    assert.deepEqual((await db.client.query(topMobileDe!)).rows, expectedTop);

    const days = new Map<string, { requests: number; errors: number }>();
    for (const { record } of all) {
      if (record.status === undefined) continue;
      const day = new Date(record.timestamp).toISOString().slice(0, 10);
      const counts = days.get(day) ?? { requests: 0, errors: 0 };
      counts.requests++;
      if (record.status >= 500) counts.errors++;
      days.set(day, counts);
    }
    const dayRows = (await db.client.query(perDay!)).rows.map((row) => ({
      // node-postgres reads a date as local midnight.
      day: localDate(row.day as Date),
      requests: Number(row.requests),
      server_errors: Number(row.server_errors),
    }));
    assert.deepEqual(
      dayRows,
      [...days].sort().map(([day, c]) => ({ day, requests: c.requests, server_errors: c.errors })),
    );

    const campaigns = new Map<string, { cents: number; buyers: Set<string> }>();
    for (const { record } of all) {
      if (record.event_type !== "purchase") continue;
      const campaign = record.utm_campaign ?? "(none)";
      const entry = campaigns.get(campaign) ?? { cents: 0, buyers: new Set<string>() };
      entry.cents += Math.round(Number(record.props!.price) * 100);
      entry.buyers.add(record.user_id!);
      campaigns.set(campaign, entry);
    }
    const expectedRevenue = [...campaigns]
      .sort((a, b) => b[1].cents - a[1].cents || (a[0] < b[0] ? -1 : 1))
      .map(([campaign, e]) => ({
        campaign,
        revenue: (e.cents / 100).toFixed(2),
        buyers: String(e.buyers.size),
      }));
    assert.deepEqual((await db.client.query(revenue!)).rows, expectedRevenue);
  } finally {
    await sink.close();
    await db.drop();
  }
});

Deno.test("events: a table of another shape stops the start, naming both", async () => {
  const db = await createTestDatabase();
  try {
    await db.client.query("CREATE TABLE events (record_id text PRIMARY KEY, body text)");
    const sink = await postgresSink.open(
      postgresSink.options.parse({ url: db.url, events: true }),
      context,
    );
    try {
      await assert.rejects(
        () => sink.prepare([]),
        /public\.events already exists as \(record_id text, body text; primary key \(record_id\); not partitioned\), but the postgres sink's events need \(record_id text, timestamp timestamp with time zone, .*partitioned by day\)\. Set options\.events_table/,
      );
    } finally {
      await sink.close();
    }
  } finally {
    await db.drop();
  }
});
