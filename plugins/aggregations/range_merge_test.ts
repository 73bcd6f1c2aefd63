// Mergeable summaries: windows merged over a range give what one window over the range gives
// (exactly for counts and sums; for a sketch, the very sketch of every record, since its merge
// is exact), and a ranked answer says when the pages cut could change it.
import assert from "assert";
import {
  type Aggregation,
  type AggregationPlugin,
  type LogRecord,
  type MergeableResult,
  seededRandom,
} from "../../lib/sdk/mod.ts";
import breakdown from "./breakdown.ts";
import latency from "./latency.ts";
import sessions from "./sessions.ts";
import statusCounts from "./status_counts.ts";
import topPages from "./top_pages.ts";
import uniqueVisitors from "./unique_visitors.ts";

const DAY = 86_400_000;

/** Records over `days` days; page popularity skewed, so a top list is meaningful. */
function records(count: number, days: number, seed: number): LogRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (): LogRecord => {
    const page = Math.floor(random() ** 3 * 400);
    return {
      timestamp: Date.UTC(2026, 10, 1) + Math.floor(random() * days * DAY),
      request_uri: `/p/${page}`,
      status: random() < 0.1 ? 404 : random() < 0.03 ? 500 : 200,
      body_bytes_sent: 100,
      request_time: 0.01 + random(),
      http_referrer: random() < 0.5 ? "-" : `https://r${Math.floor(random() * 30)}.example/`,
      http_user_agent: random() < 0.5 ? "Mozilla/5.0 (X11; Linux) Firefox/120.0" : "curl/8",
      remote_addr: `10.0.${Math.floor(random() * 40)}.${Math.floor(random() * 250)}`,
      method: "GET",
    };
  });
}

function build(plugin: AggregationPlugin, options: Record<string, unknown>): Aggregation {
  return plugin.create(plugin.options.parse(options));
}

/** The whole state of `list`, as keyed values (what a window's result is made from). */
function valuesOf(aggregation: Aggregation, list: LogRecord[]): Map<string, unknown> {
  const state = list.reduce((s, r) => aggregation.add(s, r), aggregation.start());
  return new Map(Object.entries(state as Record<string, unknown>));
}

/** Each day's summary, stored and read back as JSON, merged in a shuffled order. */
function mergedDays(aggregation: Aggregation, list: LogRecord[], seed: number) {
  const mergeable = aggregation.mergeable as MergeableResult;
  const byDay = new Map<number, LogRecord[]>();
  for (const record of list) {
    const day = Math.floor(record.timestamp / DAY);
    byDay.set(day, [...(byDay.get(day) ?? []), record]);
  }
  const summaries = [...byDay.values()].map((day) =>
    JSON.parse(JSON.stringify(mergeable.toSummary(valuesOf(aggregation, day))))
  );
  const random = seededRandom(seed);
  summaries.sort(() => random() - 0.5);
  let merged = mergeable.emptySummary();
  for (const summary of summaries) merged = mergeable.mergeSummaries(merged, summary);
  return mergeable.finishRange(merged);
}

Deno.test("range merge: counts, ranked lists, sketches and session sums equal one window", () => {
  const list = records(6_000, 14, 7);
  const cases: Array<[AggregationPlugin, Record<string, unknown>]> = [
    [topPages as AggregationPlugin, { n: 10 }],
    [statusCounts as AggregationPlugin, {}],
    [breakdown as AggregationPlugin, { dimension: "referrer_domain", n: 5 }],
    [uniqueVisitors as AggregationPlugin, {}],
    [sessions as AggregationPlugin, { gap: "30m" }],
    [latency as AggregationPlugin, { per_page: false }],
  ];
  for (const [plugin, options] of cases) {
    const aggregation = build(plugin, options);
    const whole = list.reduce((s, r) => aggregation.add(s, r), aggregation.start());
    const answer = mergedDays(aggregation, list, 3);
    assert.deepEqual(answer.rows, aggregation.finish(whole), plugin.name);
    const estimated = ["unique_visitors", "latency", "sessions"].includes(plugin.name);
    if (!estimated) assert.equal(answer.exact, true, plugin.name);
  }
});

Deno.test("range merge: page views are exact; a cut top list is exact or says its bound", () => {
  const list = records(6_000, 14, 11);
  let cutAnswers = 0;
  for (const keep of [400, 60, 15]) {
    const aggregation = build(topPages as AggregationPlugin, { n: 10, summary_keys: keep });
    const truth = new Map<string, number>();
    for (const record of list) {
      truth.set(record.request_uri!, (truth.get(record.request_uri!) ?? 0) + 1);
    }
    const answer = mergedDays(aggregation, list, 5);
    assert.equal(answer.totals.pageviews, list.length, `keep ${keep}: page views`);
    const whole = aggregation.finish(
      list.reduce((s, r) => aggregation.add(s, r), aggregation.start()),
    );
    if (answer.exact) {
      assert.deepEqual(answer.rows, whole, `keep ${keep}: exact means equal`);
    } else {
      cutAnswers++;
      assert.ok(answer.errorBound! > 0, `keep ${keep}: a bound when not exact`);
      for (const row of answer.rows) {
        const shown = Number(row.values.visits);
        const real = truth.get(String(row.key))!;
        assert.ok(shown <= real && real <= shown + answer.errorBound!, `keep ${keep}: ${row.key}`);
      }
    }
    if (keep === 400) assert.equal(answer.exact, true, "nothing cut: exact");
  }
  assert.ok(cutAnswers > 0, "keeping 15 pages of 400 leaves an answer that is not exact");
});

Deno.test("range merge: visitors of a range within the sketch's stated error", () => {
  const list = records(8_000, 10, 13);
  const aggregation = build(uniqueVisitors as AggregationPlugin, {});
  const answer = mergedDays(aggregation, list, 2);
  const distinct = new Set(list.map((r) => `${r.remote_addr} ${r.http_user_agent}`)).size;
  const error = Math.abs(answer.totals.visitors! - distinct) / distinct;
  assert.ok(error <= 3 * answer.relativeError!, `${answer.totals.visitors} vs ${distinct}`);
});
