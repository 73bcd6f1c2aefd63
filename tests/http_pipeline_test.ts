import assert from "assert";
import { loadPipeline } from "../lib/config/load.ts";
import { openPipeline, startRealtime } from "../lib/runtime/start.ts";
import { serveRoutes } from "./_serve_routes.ts";
import { forEachConcurrent } from "../lib/concurrency.ts";
import type { TrafficEvent } from "../lib/traffic/simulate.ts";
import {
  assertLogTable,
  assertResults,
  createTestPipeline,
  dropTestPipeline,
  expectedFrom,
  testStream,
  waitForCommitted,
} from "./_pipeline_support.ts";
import { closedPort, makeTestKeys, postEvents, serveHttpSource } from "./_ingest_support.ts";

const BATCH = 250;
const decoder = new TextDecoder();

/** Request bodies for events: JSON ones as JSON arrays, combined-format lines as text. */
function requestBodies(
  events: TrafficEvent[],
): Array<{ type: string; body: string; count: number }> {
  const json = events.filter((event) => decoder.decode(event.value).startsWith("{"));
  const lines = events.filter((event) => !decoder.decode(event.value).startsWith("{"));
  const bodies = [];
  for (let i = 0; i < json.length; i += BATCH) {
    const chunk = json.slice(i, i + BATCH);
    bodies.push({
      type: "application/json",
      body: `[${chunk.map((event) => decoder.decode(event.value)).join(",")}]`,
      count: chunk.length,
    });
  }
  for (let i = 0; i < lines.length; i += BATCH) {
    const chunk = lines.slice(i, i + BATCH);
    bodies.push({
      type: "text/plain",
      body: chunk.map((event) => decoder.decode(event.value)).join("\n"),
      count: chunk.length,
    });
  }
  return bodies;
}

Deno.test("http to results: every acknowledged event once in log and results, unacknowledged never", async () => {
  const keys = await makeTestKeys("shipper");
  const test = await createTestPipeline({
    extraSources: `  - name: ingest
    plugin: http
    options: { topic: $TOPIC, api_keys_env: ${keys.variable} }`,
  });
  const resources = await openPipeline(await loadPipeline(test.file), { log: () => {} });
  const running = await startRealtime(resources);
  const server = await serveRoutes(running.routes, { port: 0, log: () => {} });
  const unreachable = await serveHttpSource(
    { api_keys_env: keys.variable, topic: test.topic },
    [`127.0.0.1:${closedPort()}`],
  );
  try {
    const events = testStream(6_000, 314).filter((event) => event.record !== undefined);
    const bodies = requestBodies(events);
    assert.ok(bodies.some((body) => body.type === "text/plain"), "combined-format lines too");
    let accepted = 0;
    await forEachConcurrent(bodies, 4, async ({ type, body, count }) => {
      const answer = await postEvents(server.url, body, {
        "content-type": type,
        "x-api-key": keys.keys.shipper!,
      });
      assert.equal(answer.status, 202, JSON.stringify(answer.json).slice(0, 300));
      assert.equal(answer.json.accepted, count);
      accepted += count;
    });
    assert.equal(accepted, events.length);

    // Events that Kafka never acknowledged must never reach `log`: a page no sent event has.
    const unacknowledged = testStream(50, 99).filter((event) => event.record !== undefined)
      .map((event) => {
        const text = decoder.decode(event.value);
        return text.startsWith("{")
          ? JSON.stringify({ ...JSON.parse(text), request_uri: "/never-acknowledged" })
          : undefined;
      }).filter((text) => text !== undefined);
    const refused = await postEvents(unreachable.url, `[${unacknowledged.join(",")}]`, {
      "content-type": "application/json",
      "x-api-key": keys.keys.shipper!,
    });
    assert.equal(refused.status, 503);

    await waitForCommitted(test, events.length);
    await running.stop();
    const expected = expectedFrom(events);
    await assertLogTable(test, expected);
    await assertResults(test, expected);
  } finally {
    await unreachable.close();
    await server.shutdown();
    await running.stop();
    await resources.close();
    await dropTestPipeline(test);
    Deno.env.delete(keys.variable);
  }
});
