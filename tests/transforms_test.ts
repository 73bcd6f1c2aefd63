/**
 * Transforms end to end, over a seeded stream with real Kafka and Cassandra: geoip, utm,
 * referrer channels, a filter, a transform that fails on some records, and privacy, then
 * `where:` segments, `sum`, a breakdown by two dimensions and entry and exit pages; every table equals the test's own
 * counts, batch equals real time.
 */
import assert from "assert";
import { Buffer } from "node:buffer";
import { type CountryResponse, Reader } from "mmdb-lib";
import databaseBytes from "geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" with {
  type: "bytes",
};
import { dirname } from "node:path";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline, startRealtime } from "../lib/runtime/start.ts";
import { TransformOpenError } from "../lib/runtime/transforms.ts";
import { reconcile } from "../lib/batch/reconcile.ts";
import { bucketsBetween, readLog } from "../lib/log_read.ts";
import { hyperLogLogError, seededRandom } from "../lib/sdk/mod.ts";
import type { LogRecord } from "../lib/records.ts";
import type { TrafficEvent } from "../lib/traffic/simulate.ts";
import {
  createTestPipeline,
  dropTestPipeline,
  produceEvents,
  runRealtimeUntilCommitted,
  type TestPipeline,
} from "./_pipeline_support.ts";
import { readTopic } from "./_ingest_support.ts";
import { waitFor } from "./_support.ts";

const DAY = "2026-11-23";
const START = Date.parse(`${DAY}T00:00:00Z`);
const COUNT = 3000;
const SDK = new URL("../lib/sdk/mod.ts", import.meta.url).href;

const GRAPH = `transforms:
  - { name: geo, plugin: geoip }
  - { name: campaigns, plugin: utm }
  - { name: channels, plugin: referrer, options: { internal_hosts: [shop.test] } }
  - name: no_health_checks
    plugin: filter
    options: { drop: { field: page_path, prefix: /health } }
  - { name: explode, plugin: ./explode.ts }
  - { name: private, plugin: privacy, options: { salt: "a test salt, not a secret" } }
aggregations:
  - { name: countries, plugin: breakdown, source: rawlog, sinks: [countries],
      options: { dimension: country, n: 1000 } }
  - { name: campaigns, plugin: breakdown, source: rawlog, sinks: [campaigns],
      options: { dimension: utm_campaign, n: 1000 } }
  - { name: channels, plugin: breakdown, source: rawlog, sinks: [channels],
      options: { dimension: props.referrer_channel, n: 1000 } }
  - name: mobile_pages
    plugin: top_pages
    source: rawlog
    where: { all: [{ field: device, in: [mobile, tablet] }, { not: { field: event_type, equals: add_to_cart } }] }
    sinks: [mobile_pages]
    options: { n: 1000 }
  - { name: visitors, plugin: unique_visitors, source: rawlog, sinks: [visitors] }
  - name: cart_value
    plugin: sum
    source: rawlog
    where: { field: event_type, equals: add_to_cart }
    sinks: [cart_value]
    options: { field: price, multiply_by: quantity, by: [utm_campaign], n: 1000 }
  - { name: campaign_actions, plugin: breakdown, source: rawlog, sinks: [campaign_actions],
      options: { dimensions: [utm_campaign, event_type], n: 1000 } }
  - { name: entry_exit, plugin: entry_exit_pages, source: rawlog, sinks: [entry_exit],
      options: { n: 1000 } }
sinks:
  - { name: countries, plugin: cassandra, options: { table: countries } }
  - { name: campaigns, plugin: cassandra, options: { table: campaigns } }
  - { name: channels, plugin: cassandra, options: { table: channels } }
  - { name: mobile_pages, plugin: cassandra, options: { table: mobile_pages } }
  - { name: visitors, plugin: cassandra, options: { table: visitors } }
  - { name: cart_value, plugin: cassandra, options: { table: cart_value } }
  - { name: campaign_actions, plugin: cassandra, options: { table: campaign_actions } }
  - { name: entry_exit, plugin: cassandra, options: { table: entry_exit } }
`;

const EXPLODE = `import type { TransformPlugin } from "${SDK}";
import { z } from "${SDK}";
const explode: TransformPlugin = {
  kind: "transform",
  name: "explode",
  summary: "Fails on event_type explode.",
  options: z.strictObject({}),
  example: {},
  open: () => (record) => {
    if (record.event_type === "explode") throw new Error("cannot enrich an explosion");
    return record;
  },
};
export default explode;
`;

/** How each event's referrer is made, and the channel the test expects from it. */
const REFERRERS: [string | undefined, string, Record<string, string>][] = [
  ["https://www.google.com/search?q=shoes", "search", {}],
  ["https://duckduckgo.com/", "search", {}],
  ["https://l.facebook.com/l.php", "social", {}],
  ["https://mail.google.com/mail/u/0", "email", {}],
  ["https://www.google.com/", "paid", { gclid: "Cj0K" }],
  ["https://www.bing.com/", "paid", { utm_medium: "cpc", utm_source: "bing" }],
  [undefined, "direct", {}],
  ["https://www.shop.test/cart", "internal", {}],
  ["https://blog.example.net/review", "referral", {}],
];
const CAMPAIGNS = ["spring_sale", "black_friday", "newsletter_47"];
const DEVICES = ["mobile", "desktop", "tablet"];
const AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
];

/** What the test sent and what the pipeline must make of it. */
interface Sent {
  events: TrafficEvent[];
  addresses: Set<string>;
  filtered: number;
  exploded: string[];
  kept: { address: string; device: string; event: string; page: string; visitor: string }[];
  countries: Map<string, number>;
  campaigns: Map<string, number>;
  channels: Map<string, number>;
  mobilePages: Map<string, number>;
  /** Cart value (price times quantity) in millionths and carts, by campaign. */
  cartValue: Map<string, [number, number]>;
  campaignActions: Map<string, number>;
  /** Each session's page views as [time, page]. */
  sessions: Map<string, [number, string][]>;
}

function add(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** A public-looking IPv4 or IPv6 address from a pool of 600 (so visitors repeat). */
function addressOf(n: number): string {
  if (n % 5 === 0) {
    return `2a0${n % 3}:${(n * 37 % 4096).toString(16)}:${n.toString(16)}::${n % 7 + 1}`;
  }
  return `${[8, 31, 45, 62, 81, 91, 103, 151, 185, 200][n % 10]}.${n * 7 % 256}.${n * 13 % 256}.${
    n % 250 + 2
  }`;
}

function seededStream(): Sent {
  const random = seededRandom(31);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const reader = new Reader<CountryResponse>(Buffer.from(databaseBytes));
  const sent: Sent = {
    events: [],
    addresses: new Set(),
    filtered: 0,
    exploded: [],
    kept: [],
    countries: new Map(),
    campaigns: new Map(),
    channels: new Map(),
    mobilePages: new Map(),
    cartValue: new Map(),
    campaignActions: new Map(),
    sessions: new Map(),
  };
  for (let i = 0; i < COUNT; i++) {
    const address = addressOf(Math.floor(random() * 600));
    const device = pick(DEVICES);
    const [referrer, channel, extra] = pick(REFERRERS);
    const campaign = random() < 0.5 ? pick(CAMPAIGNS) : undefined;
    const health = random() < 0.05;
    const explode = !health && random() < 0.02;
    const event = explode ? "explode" : pick(["page_visited", "page_visited", "add_to_cart"]);
    const page = health ? "/health" : `/p/${Math.floor(random() * 40)}`;
    const query = new URLSearchParams();
    if (campaign !== undefined) query.set("utm_campaign", campaign);
    if (extra.gclid) query.set("gclid", extra.gclid);
    const user = random() < 0.6 ? `u-${Math.floor(random() * 300)}` : undefined;
    const agent = pick(AGENTS);
    const price = (Math.floor(random() * 20_000) / 100).toFixed(2);
    const quantity = 1 + Math.floor(random() * 3);
    const session = `sess-${Math.floor(random() * 250)}`;
    const timestamp = START + Math.floor(random() * 86_000_000);
    const body: Record<string, unknown> = {
      timestamp: new Date(timestamp).toISOString(),
      session_id: session,
      event_type: event,
      page_path: query.size > 0 ? `${page}?${query}` : page,
      ip: address,
      device,
      user_agent: agent,
      ...(user === undefined ? {} : { user_id: user }),
      ...(referrer === undefined ? {} : { referrer }),
      ...(extra.utm_medium === undefined
        ? {}
        : { utm_medium: extra.utm_medium, utm_source: extra.utm_source }),
      ...(event === "add_to_cart" ? { product_id: `prod-${i % 9}`, price, quantity } : {}),
    };
    const text = JSON.stringify(body);
    sent.events.push({ seq: i, key: `k${i}`, value: new TextEncoder().encode(text) });
    sent.addresses.add(address);
    if (health) {
      sent.filtered++;
      continue;
    }
    if (explode) {
      sent.exploded.push(text);
      continue;
    }
    const country = (reader.get(address) as { country_code?: string } | null)?.country_code;
    if (country !== undefined) add(sent.countries, country);
    if (campaign !== undefined) add(sent.campaigns, campaign);
    add(sent.channels, channel);
    if (device !== "desktop" && event !== "add_to_cart") add(sent.mobilePages, page);
    if (campaign !== undefined) add(sent.campaignActions, `${campaign}|${event}`);
    if (event === "page_visited") {
      sent.sessions.set(session, [...(sent.sessions.get(session) ?? []), [timestamp, page]]);
    }
    if (event === "add_to_cart") {
      const key = campaign ?? "(none)";
      const [total, carts] = sent.cartValue.get(key) ?? [0, 0];
      sent.cartValue.set(key, [total + Math.round(Number(price) * quantity * 1e6), carts + 1]);
    }
    const visitor = user !== undefined ? `u:${user}` : `c:${address} ${agent}`;
    sent.kept.push({ address, device, event, page, visitor });
  }
  return sent;
}

async function tableCounts(test: TestPipeline, table: string, key: string, value: string) {
  const rows = await test.cassandra.execute(
    `SELECT ${key}, ${value} FROM ${test.keyspace}.${table} WHERE date = ?`,
    [DAY],
    { prepare: true },
  );
  return new Map(rows.rows.map((row) => [String(row.get(key)), Number(row.get(value))]));
}

function sorted(counts: Map<string, number>): [string, number][] {
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
}

async function assertTables(test: TestPipeline, sent: Sent): Promise<void> {
  assert.deepEqual(
    sorted(await tableCounts(test, "countries", "value", "count")),
    sorted(sent.countries),
    "countries equal the test's own lookups in the same database",
  );
  assert.deepEqual(
    sorted(await tableCounts(test, "campaigns", "value", "count")),
    sorted(sent.campaigns),
    "campaigns from the page URL's query",
  );
  assert.deepEqual(
    sorted(await tableCounts(test, "channels", "value", "count")),
    sorted(sent.channels),
    "referrer channels",
  );
  assert.deepEqual(
    sorted(await tableCounts(test, "mobile_pages", "page_url", "visits")),
    sorted(sent.mobilePages),
    "top pages where device is mobile or tablet and the event is not add_to_cart",
  );
  const campaignActions = await test.cassandra.execute(
    `SELECT utm_campaign, event_type, count FROM ${test.keyspace}.campaign_actions WHERE date = ?`,
    [DAY],
    { prepare: true },
  );
  assert.deepEqual(
    sorted(
      new Map(campaignActions.rows.map((row) => [
        `${row.get("utm_campaign")}|${row.get("event_type")}`,
        Number(row.get("count")),
      ])),
    ),
    sorted(sent.campaignActions),
    "breakdown by campaign and event type",
  );
  const cartValue = await test.cassandra.execute(
    `SELECT utm_campaign, sum, count FROM ${test.keyspace}.cart_value WHERE date = ?`,
    [DAY],
    { prepare: true },
  );
  assert.deepEqual(
    cartValue.rows.map((row) => [row.get("utm_campaign"), row.get("sum"), Number(row.get("count"))])
      .sort(),
    [...sent.cartValue].map(([campaign, [micros, carts]]) => [campaign, micros / 1e6, carts])
      .sort(),
    "cart value (price times quantity) of add_to_cart events by campaign",
  );
  const entries = new Map<string, number>();
  const exits = new Map<string, number>();
  for (const views of sent.sessions.values()) {
    views.sort(([a, p], [b, q]) => a - b || (p < q ? -1 : p > q ? 1 : 0));
    add(entries, views[0]![1]);
    add(exits, views[views.length - 1]![1]);
  }
  const entryExit = await test.cassandra.execute(
    `SELECT page, entrances, exits FROM ${test.keyspace}.entry_exit WHERE date = ?`,
    [DAY],
    { prepare: true },
  );
  const pages = new Set([...entries.keys(), ...exits.keys()]);
  assert.deepEqual(
    entryExit.rows.map((
      row,
    ) => [row.get("page"), Number(row.get("entrances")), Number(row.get("exits"))])
      .sort(),
    [...pages].map((page) => [page, entries.get(page) ?? 0, exits.get(page) ?? 0]).sort(),
    "entry and exit pages of sessions",
  );
}

Deno.test(
  "transforms: geoip, utm, referrer channels, a filter and privacy run once per record before " +
    "log; a failing transform dead-letters its record; where: segments, sum, a two-dimension " +
    "breakdown and entry/exit pages equal the test's counts; batch equals real time",
  async () => {
    const test = await createTestPipeline({ graph: GRAPH });
    try {
      await Deno.writeTextFile(`${dirname(test.file)}/explode.ts`, EXPLODE);
      const sent = seededStream();
      assert.ok(sent.countries.size >= 5, `countries looked up: ${sorted(sent.countries)}`);
      assert.ok(sent.exploded.length > 0 && sent.filtered > 0 && sent.cartValue.size === 4);

      await produceEvents(test.kafka, test.topic, sent.events);
      const stats = await runRealtimeUntilCommitted(test, COUNT);
      assert.equal(stats.filtered, sent.filtered, "filtered records are counted, not lost");
      assert.equal(stats.rejected, sent.exploded.length);
      assert.equal(stats.accepted, sent.kept.length);
      await assertTables(test, sent);

      // The failing transform's records are on the dead-letter topic, bytes untouched, with
      // the transform's name and message as the reason; the loop went on past each.
      const deadLetters = await waitFor("every dead letter", async () => {
        const messages = await readTopic(test.kafka, test.deadLetterTopic);
        return messages.length >= sent.exploded.length ? messages : undefined;
      }, 60_000);
      assert.deepEqual(deadLetters.map((m) => m.value).sort(), [...sent.exploded].sort());

      // With privacy on, no client address as sent reaches log, and no user id either.
      const logged: LogRecord[] = [];
      await readLog(
        test.cassandra,
        test.keyspace,
        "log",
        bucketsBetween(START, START + 86_400_000),
        (record) => logged.push(record),
      );
      assert.equal(logged.length, sent.kept.length);
      for (const record of logged) {
        assert.ok(!sent.addresses.has(record.remote_addr!), `raw address ${record.remote_addr}`);
        assert.match(record.remote_addr!, /^(\d+\.\d+\.\d+\.0|[0-9a-f:]+::)$/);
        assert.match(record.user_id!, /^[0-9a-f]{32}$/);
        assert.ok(record.props?.referrer_channel !== undefined);
      }

      // Distinct visitors, counted from the daily keys, stay within the sketch's error.
      const visitors = new Set(sent.kept.map((k) => k.visitor)).size;
      const estimate = (await tableCounts(test, "visitors", "page", "visitors")).get("*")!;
      assert.ok(
        Math.abs(estimate - visitors) <= Math.max(2, 3 * hyperLogLogError() * visitors),
        `visitors: estimated ${estimate}, sent ${visitors}`,
      );

      // Batch reads the enriched records back from log and computes what real time holds.
      const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
      try {
        const checked = await reconcile(resources, resources.pipeline.aggregations, {
          from: DAY,
          to: DAY,
        });
        assert.deepEqual(checked.differences, []);
        assert.equal(checked.rowsRead, sent.kept.length);
      } finally {
        await resources.close();
      }
    } finally {
      await dropTestPipeline(test);
    }
  },
);

Deno.test("transforms: a GeoIP database that is missing stops the start, saying what to do", async () => {
  const test = await createTestPipeline({
    graph: `transforms:
  - { name: geo, plugin: geoip, options: { database: ./missing.mmdb } }
aggregations:
  - { name: countries, plugin: breakdown, source: rawlog, sinks: [countries],
      options: { dimension: country } }
sinks:
  - { name: countries, plugin: cassandra, options: { table: countries } }
`,
  });
  try {
    const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
    try {
      await assert.rejects(
        () => startRealtime(resources, { log: () => {} }),
        (error: Error) => {
          assert.ok(error instanceof TransformOpenError);
          assert.match(
            error.message,
            /^transform geo \(geoip\): cannot read the GeoIP database \.\/missing\.mmdb: .*; set options\.database to an existing MaxMind DB \(\.mmdb\) file, or leave it out/,
          );
          return true;
        },
      );
    } finally {
      await resources.close();
    }
  } finally {
    await dropTestPipeline(test);
  }
});
