import assert from "assert";
import { assertAggregationLaws, type LogRecord } from "../../lib/sdk/mod.ts";
import botReport from "./bot_report.ts";
import { finishOnePass } from "./_event_fixtures.ts";

const build = (options: Record<string, unknown> = {}) =>
  botReport.create(botReport.options.parse(options));
const t0 = Date.UTC(2026, 10, 23, 10);
const hit = (remote_addr: string, second: number, agent = "Firefox"): LogRecord => ({
  timestamp: t0 + second * 1000,
  request_uri: "/",
  status: 200,
  remote_addr,
  http_user_agent: agent,
});

Deno.test("bot_report: busiest addresses, bot by agent or by rate, bot share", () => {
  const records = [
    // 10.0.0.1: 5 requests in the first minute -> over max_per_minute 3: a bot by rate.
    ...[0, 10, 20, 30, 40].map((s) => hit("10.0.0.1", s)),
    // 10.0.0.2: 4 requests spread over 4 minutes, one from curl: 1 bot request by agent.
    hit("10.0.0.2", 0),
    hit("10.0.0.2", 60),
    hit("10.0.0.2", 120, "curl/8.5.0"),
    hit("10.0.0.2", 180),
    // 10.0.0.3: 1 request from a person.
    hit("10.0.0.3", 0),
    { timestamp: t0, event_type: "view" }, // no address: skipped
  ];
  // Bot traffic: 5 (rate) + 1 (agent) = 6 of 10 requests.
  assert.deepEqual(finishOnePass(build({ max_per_minute: 3 }), records), [
    {
      key: "10.0.0.1",
      values: { requests: 5, share_pct: 50, peak_per_minute: 5, bot: "rate", rank: 1 },
    },
    {
      key: "10.0.0.2",
      values: { requests: 4, share_pct: 40, peak_per_minute: 1, bot: "agent", rank: 2 },
    },
    {
      key: "10.0.0.3",
      values: { requests: 1, share_pct: 10, peak_per_minute: 1, bot: "no", rank: 3 },
    },
    {
      key: "*bots",
      values: { requests: 6, share_pct: 60, peak_per_minute: 0, bot: "summary", rank: 0 },
    },
  ]);
  const top1 = finishOnePass(build({ n: 1 }), records) as { key: string }[];
  assert.deepEqual(top1.map((row) => row.key), ["10.0.0.1", "*bots"]);
});

Deno.test("bot_report obeys the aggregation laws", () => {
  const records = Array.from(
    { length: 400 },
    (_, i) => hit(`10.0.0.${i % 13}`, (i * 17) % 600, i % 7 ? "Firefox" : "Googlebot/2.1"),
  );
  assertAggregationLaws(build({ max_per_minute: 4, n: 5 }), records);
  assert.equal(botReport.options.safeParse(botReport.example).success, true);
  assert.equal(botReport.options.safeParse({ max_per_minute: 0 }).success, false);
});
