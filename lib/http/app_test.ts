import assert from "assert";
import { loadPipelineText, PipelineError } from "../config/load.ts";
import type { Pipeline } from "../config/pipeline.ts";
import type { HttpRoute, Sink, StoredResult } from "../contracts.ts";
import { createHttpApp, type HttpAppOptions } from "./app.ts";
import { createLiveFeed } from "./live.ts";
import { createMetrics } from "./metrics.ts";

const TOKEN = "s3cret-token-0123456789";

function yaml(http: string): string {
  return `
${http}
sources:
  - name: rawlog
    plugin: kafka
aggregations:
  - name: status_daily
    plugin: status_counts
    source: rawlog
    sinks: [status_counts]
sinks:
  - name: status_counts
    plugin: cassandra
    options: { table: status_counts }
`;
}

const STORED: StoredResult[] = [
  { window: "2026-11-20", records: 3, rows: [{ key: "200", values: { count: 3 } }] },
];

/** A sink that answers range reads from memory: the app's own logic is under test here. */
function memorySink(reads: Array<[string, string]>): Sink {
  return {
    prepare: () => Promise.resolve(),
    write: () => Promise.resolve(),
    readRange: (_binding, from, to) => {
      reads.push([from, to]);
      return Promise.resolve(STORED);
    },
    close: () => Promise.resolve(),
  };
}

async function app(
  http: string,
  env: Record<string, string> = {},
  extra: Partial<HttpAppOptions> = {},
) {
  const pipeline: Pipeline = await loadPipelineText(yaml(http), "pipeline.yaml", env);
  const reads: Array<[string, string]> = [];
  const handler = createHttpApp({
    pipeline,
    sinks: new Map([["status_counts", memorySink(reads)]]),
    feed: createLiveFeed(),
    metrics: createMetrics(),
    checks: [],
    sourceRoutes: [],
    dashboard: new Map([["/", { type: "text/html; charset=utf-8", body: new Uint8Array() }]]),
    log: () => {},
    ...extra,
  });
  return {
    handler,
    reads,
    get: (path: string, init?: RequestInit) =>
      handler(new Request(`http://h${path}`, init), "127.0.0.1"),
  };
}

Deno.test("http: a listen address beyond loopback needs a token in the environment", async () => {
  await assert.rejects(
    () => loadPipelineText(yaml("http: { listen: 0.0.0.0:8080 }"), "p.yaml", {}),
    (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.issues.length, 1);
      assert.match(error.issues[0]!.message, /set WEB_ANALYTICS_HTTP_TOKEN in the environment/);
      assert.equal(error.issues[0]!.line, 2);
      return true;
    },
  );
  await assert.rejects(
    () =>
      loadPipelineText(yaml("http: { listen: 10.0.0.1:8080, token_env: T }"), "p.yaml", {
        T: "short",
      }),
    /at least 16 characters \(it has 5\)/,
  );
  const pipeline = await loadPipelineText(yaml("http: { listen: '[::1]:0' }"), "p.yaml", {});
  assert.deepEqual([pipeline.http.hostname, pipeline.http.port, pipeline.http.token], [
    "::1",
    0,
    undefined,
  ]);
});

Deno.test("http: off loopback, everything but /health asks for the token", async () => {
  const { get } = await app("http: { listen: 0.0.0.0:0 }", { WEB_ANALYTICS_HTTP_TOKEN: TOKEN });
  assert.equal((await get("/health")).status, 200);
  const refused = await get("/api/aggregations");
  assert.equal(refused.status, 401);
  assert.match((await refused.json()).error, /WEB_ANALYTICS_HTTP_TOKEN/);
  assert.equal((await get("/metrics", { headers: { authorization: "Bearer wrong" } })).status, 401);
  const bearer = await get("/api/aggregations", { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(bearer.status, 200);
  const login = await get(`/?from=2026-11-20&token=${TOKEN}`);
  assert.equal(login.status, 303);
  assert.equal(login.headers.get("location"), "/?from=2026-11-20");
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  assert.match(login.headers.get("set-cookie")!, /HttpOnly; SameSite=Strict/);
  assert.equal((await get("/api/aggregations", { headers: { cookie } })).status, 200);
});

Deno.test("http: off loopback, a source route marked public needs no dashboard token", async () => {
  const route = (path: string, isPublic: boolean): HttpRoute => ({
    method: "POST",
    path,
    public: isPublic,
    handle: () => new Response(null, { status: 202 }),
  });
  const { get } = await app("http: { listen: 0.0.0.0:0 }", { WEB_ANALYTICS_HTTP_TOKEN: TOKEN }, {
    sourceRoutes: [route("/api/events", true), route("/api/private", false)],
  });
  assert.equal((await get("/api/events", { method: "POST" })).status, 202);
  assert.equal((await get("/api/private", { method: "POST" })).status, 401);
  assert.equal((await get("/api/events")).status, 401, "only the declared method is public");
});

Deno.test("http: on loopback no token is asked", async () => {
  const { get } = await app("", { WEB_ANALYTICS_HTTP_TOKEN: TOKEN });
  assert.equal((await get("/api/aggregations")).status, 200);
});

Deno.test("http: results parameters are validated, 400 with the reason", async () => {
  const { get, reads } = await app("");
  const cases: Array<[string, RegExp]> = [
    ["from=2026-13-01", /^from: expected a date YYYY-MM-DD, found "2026-13-01"$/],
    ["from=yesterday", /^from: expected a date YYYY-MM-DD/],
    ["from=2026-11-21&to=2026-11-20", /^to \(2026-11-20\) is before from \(2026-11-21\)$/],
    ["from=2026-01-01&to=2026-12-31", /covers 365 days; at most 92/],
    ["format=xml", /^format: expected json or csv, found "xml"$/],
    ["window=1", /^unknown parameter 'window'; expected from, to, format, compare, rows$/],
    ["from=2026-11-20&from=2026-11-21", /^from: given more than once$/],
  ];
  for (const [query, reason] of cases) {
    const response = await get(`/api/results/status_daily?${query}`);
    assert.equal(response.status, 400, query);
    assert.match((await response.json()).error, reason, query);
  }
  assert.equal(reads.length, 0, "nothing is read for a refused request");
  const unknown = await get("/api/results/%3Cscript%3E");
  assert.equal(unknown.status, 404);
  assert.equal(
    (await unknown.json()).error,
    'no aggregation named "<script>"; known: status_daily',
  );
  const ok = await get("/api/results/status_daily?from=2026-11-20&to=2026-11-21");
  assert.deepEqual(await ok.json(), {
    aggregation: "status_daily",
    from: "2026-11-20",
    to: "2026-11-21",
    windows: STORED,
    // A window stored before summaries were kept is named, not merged.
    range: {
      rows: [],
      exact: false,
      totals: { requests: 0, errors: 0 },
      windows: 0,
      records: 0,
      unmerged: 1,
    },
  });
  assert.deepEqual(reads, [["2026-11-20", "2026-11-21"]]);
  const csv = await get("/api/results/status_daily?from=2026-11-20&format=csv");
  assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.equal(await csv.text(), "window,status,count,window_records\r\n2026-11-20,200,3,3\r\n");
});

Deno.test("http: aggregations are described from their shapes and chart hints", async () => {
  const { get } = await app("");
  const body = await (await get("/api/aggregations")).json();
  assert.deepEqual(body.aggregations, [{
    name: "status_daily",
    plugin: "status_counts",
    window: "1d",
    shape: { key: { name: "status", type: "text" }, values: [{ name: "count", type: "bigint" }] },
    chart: "line",
    readFrom: "status_counts",
    mergeable: true,
    steps: ["1d", "1w"],
    metrics: ["requests", "errors"],
    card: { card: "errors", column: "count" },
  }]);
  assert.equal(body.time_zone, "UTC");
});

Deno.test("http: source routes are mounted; --no-http keeps only them and /health", async () => {
  const route: HttpRoute = {
    method: "POST",
    path: "/api/events",
    handle: (_request, info) => new Response(`from ${info.remoteAddr}`, { status: 202 }),
  };
  const full = await app("", {}, { sourceRoutes: [route] });
  const posted = await full.get("/api/events", { method: "POST" });
  assert.equal(posted.status, 202);
  assert.equal(await posted.text(), "from 127.0.0.1");
  const wrongMethod = await full.get("/api/events");
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "POST");

  const bare = await app("", {}, { sourceRoutes: [route], dashboard: undefined });
  assert.equal((await bare.get("/api/events", { method: "POST" })).status, 202);
  assert.equal((await bare.get("/health")).status, 200);
  assert.equal((await bare.get("/api/aggregations")).status, 404);
  assert.equal((await bare.get("/metrics")).status, 404);

  await assert.rejects(
    () => app("", {}, { sourceRoutes: [{ ...route, method: "GET", path: "/metrics" }] }),
    /GET \/metrics is served twice \(by a source and by the runner\)/,
  );
});

Deno.test("http: every answer carries the safety headers; the page a strict CSP", async () => {
  const { get } = await app("");
  const page = await get("/");
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  assert.match(page.headers.get("content-security-policy")!, /script-src 'self'/);
  assert.equal((await get("/nope")).headers.get("x-frame-options"), "DENY");
});

Deno.test("http: ranges merge the windows' summaries, with the previous period and a series", async () => {
  const pipeline: Pipeline = await loadPipelineText(yaml(""), "pipeline.yaml", {});
  const status = pipeline.aggregations[0]!.aggregation;
  const day = (window: string, counts: Record<string, number>): StoredResult => {
    const values = new Map(Object.entries(counts));
    const records = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      window,
      records,
      rows: status.keyed!.finish(values),
      summary: JSON.parse(JSON.stringify(status.mergeable!.toSummary(values))),
    };
  };
  const days = [
    day("2026-11-18", { "200": 1 }),
    day("2026-11-19", { "200": 4, "404": 1 }),
    day("2026-11-20", { "200": 5, "500": 2 }),
    day("2026-11-21", { "200": 3, "404": 1 }),
  ];
  const sink: Sink = {
    prepare: () => Promise.resolve(),
    write: () => Promise.resolve(),
    readRange: (_binding, from, to) =>
      Promise.resolve(days.filter((d) => d.window >= from && d.window <= to)),
    close: () => Promise.resolve(),
  };
  const handler = createHttpApp({
    pipeline,
    sinks: new Map([["status_counts", sink]]),
    feed: createLiveFeed(),
    metrics: createMetrics(),
    checks: [],
    sourceRoutes: [],
    dashboard: new Map(),
    log: () => {},
    now: () => Date.parse("2026-11-21T10:00:00Z"),
  });
  const get = (path: string) => handler(new Request(`http://h${path}`), "127.0.0.1");

  const body = await (await get(
    "/api/results/status_daily?from=2026-11-20&to=2026-11-21&compare=previous",
  )).json();
  assert.deepEqual(body.range.totals, { requests: 11, errors: 3 });
  assert.deepEqual(body.range.rows.slice(0, 3), [
    { key: "200", values: { count: 8 } },
    { key: "404", values: { count: 1 } },
    { key: "500", values: { count: 2 } },
  ]);
  assert.equal(body.range.exact, true);
  assert.equal(body.windows[0].summary, undefined, "summaries stay on the server");
  assert.deepEqual(
    [body.previous.from, body.previous.to, body.previous.range.totals],
    ["2026-11-18", "2026-11-19", { requests: 6, errors: 1 }],
  );
  const csv = await (await get(
    "/api/results/status_daily?from=2026-11-21&rows=range&format=csv&compare=previous",
  )).text();
  assert.equal(
    csv,
    "range,status,count,range_records,exact,error_bound\r\n" +
      "current,200,3,4,true,\r\ncurrent,404,1,4,true,\r\ncurrent,2xx,3,4,true,\r\n" +
      "current,4xx,1,4,true,\r\nprevious,200,5,7,true,\r\nprevious,500,2,7,true,\r\n" +
      "previous,2xx,5,7,true,\r\nprevious,5xx,2,7,true,\r\n",
  );

  const series = await (await get(
    "/api/series/status_daily?from=2026-11-20&to=2026-11-21&compare=previous",
  )).json();
  assert.equal(series.step, "1d");
  assert.deepEqual(
    series.points.map((p: { period: string; totals: { requests: number } }) => [
      p.period,
      p.totals.requests,
    ]),
    [["2026-11-20", 7], ["2026-11-21", 4]],
  );
  assert.deepEqual(series.previous.points.map((p: { records: number }) => p.records), [1, 5]);
  const refused = await get("/api/series/status_daily?step=1h");
  assert.equal(refused.status, 400);
  assert.equal(
    (await refused.json()).error,
    'step: status_daily has 1d windows, which make series of 1d, 1w; found "1h"',
  );
  const unknown = await get("/api/series/status_daily?rows=range");
  assert.match((await unknown.json()).error, /^unknown parameter 'rows'; expected from, to/);
  const week = await (await get("/api/series/status_daily?from=2026-11-18&to=2026-11-21&step=1w"))
    .json();
  assert.deepEqual(
    week.points.map((p: { period: string; records: number }) => [p.period, p.records]),
    [["2026-11-16", 17]],
  );
});
