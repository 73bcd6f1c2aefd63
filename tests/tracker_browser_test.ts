import assert from "assert";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline, startRealtime } from "../lib/runtime/start.ts";
import { serveRoutes } from "./_serve_routes.ts";
import { createTestPipeline, dropTestPipeline } from "./_pipeline_support.ts";
import { makeTestKeys, readTopic } from "./_ingest_support.ts";
import { launchTestBrowser } from "./_browser.ts";
import { waitFor } from "./_support.ts";

/** Where the site's pages load the tracker from, and with which key; set once known. */
interface TrackerSetting {
  origin: string;
  key: string;
}

/**
 * A shop site on its own origin (another port, so posting events is cross-origin, as in real
 * use) whose pages include the tracker with the snippet of docs/http.md.
 */
function serveSite(tracker: TrackerSetting): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/favicon.ico") return new Response(null, { status: 204 });
    return new Response(
      `<!doctype html><html><head><title>Shop</title>
<script src="${tracker.origin}/t.js" data-key="${tracker.key}" defer></script></head>
<body><button id="buy">Buy</button> <a id="next" href="/next">next</a></body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    );
  });
}

Deno.test("tracker: in headless Chromium, page_visited, button_clicked and page_closed reach log", async () => {
  const keys = await makeTestKeys("site");
  const tracker: TrackerSetting = { origin: "", key: keys.keys.site! };
  const site = serveSite(tracker);
  const siteOrigin = `http://127.0.0.1:${site.addr.port}`;
  const test = await createTestPipeline({
    extraSources: `  - name: ingest
    plugin: http
    options: { topic: $TOPIC, api_keys_env: ${keys.variable}, cors_origins: ["${siteOrigin}"] }`,
  });
  const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
  const running = await startRealtime(resources);
  const server = await serveRoutes(running.routes, { port: 0, log: () => {} });
  tracker.origin = server.url;
  const browser = await launchTestBrowser();
  try {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(String(error)));

    await page.goto(`${siteOrigin}/shop/item?id=7`);
    await page.click("#buy");
    await page.click("#next");
    await page.waitForURL(`${siteOrigin}/next`);

    const rows = await waitFor("the tracker's four events in log", async () => {
      const result = await test.cassandra.execute(
        `SELECT event_type, page_path, http_user_agent, remote_addr FROM ${test.keyspace}.log`,
      );
      return result.rowLength >= 4 ? result.rows : undefined;
    }, 90_000);
    assert.deepEqual(problems, [], "no console errors on the page");
    assert.deepEqual(
      rows.map((row) => `${row.get("event_type")} ${row.get("page_path")}`).sort(),
      [
        "button_clicked /shop/item?id=7",
        "page_closed /shop/item?id=7",
        "page_visited /next",
        "page_visited /shop/item?id=7",
      ],
    );
    for (const row of rows) {
      assert.match(row.get("http_user_agent"), /Chrome\//, "user agent filled from the request");
      assert.equal(row.get("remote_addr"), "127.0.0.1");
    }

    const events = (await readTopic(test.kafka, test.topic)).map((m) => JSON.parse(m.value));
    const byType = (type: string) => events.filter((event) => event.event_type === type);
    const sessions = new Set(events.map((event) => event.session_id));
    assert.equal(sessions.size, 1, "one session id across pages of the tab");
    assert.match([...sessions][0], /^[0-9a-f-]{36}$/);
    assert.equal(new Set(events.map((event) => event.event_id)).size, events.length);
    assert.equal(byType("button_clicked")[0]?.button_id, "buy");
    const closed = byType("page_closed")[0];
    assert.ok(
      Number.isInteger(closed?.props?.time_on_page_ms) && closed.props.time_on_page_ms >= 0,
      `time on page: ${JSON.stringify(closed?.props)}`,
    );
  } finally {
    await browser.close();
    await site.shutdown();
    await server.shutdown();
    await running.stop();
    await resources.close();
    await dropTestPipeline(test);
    Deno.env.delete(keys.variable);
  }
});
