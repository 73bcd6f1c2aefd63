import assert from "assert";
import { startPrivateKafka } from "./_private_kafka.ts";
import {
  createTopic,
  makeTestKeys,
  postEvents,
  readTopic,
  serveHttpSource,
  testKafka,
} from "./_http_support.ts";
import { waitFor } from "./_support.ts";

function event(page: string): string {
  return JSON.stringify({
    timestamp: new Date().toISOString(),
    request_uri: page,
    status: 200,
    body_bytes_sent: 10,
    request_time: 0.001,
    http_referrer: "-",
    http_user_agent: "outage-test",
  });
}

Deno.test("http source: Kafka stopped mid-run answers 503, comes back to 202; the topic holds exactly the acknowledged events", async () => {
  const keys = await makeTestKeys("site");
  const kafka = await startPrivateKafka();
  const topic = "OUTAGE";
  const client = testKafka([kafka.broker]);
  const source = await serveHttpSource({ api_keys_env: keys.variable, topic }, [kafka.broker]);
  const headers = { "content-type": "application/x-ndjson", "x-api-key": keys.keys.site! };
  const post = (pages: string[]) => postEvents(source.url, pages.map(event).join("\n"), headers);
  try {
    await createTopic(client, topic);
    const before = await post(["/before-1", "/before-2"]);
    assert.equal(before.status, 202);

    await kafka.stop();
    const during = await post(["/during-1", "/during-2"]);
    assert.equal(during.status, 503, JSON.stringify(during.json));
    assert.equal(during.headers.get("retry-after"), "5");

    await kafka.start();
    // The producer reconnects by itself; until the restarted broker has leaders again a request
    // may still get 503 (never 202 for events it did not write). Each attempt has its own page.
    const refusedAfterRestart: string[] = [];
    let attempt = 0;
    const page = await waitFor(
      "a 202 once Kafka is back",
      async () => {
        const page = `/after-${attempt++}`;
        const answer = await post([page]);
        if (answer.status === 202) return page;
        assert.equal(answer.status, 503, JSON.stringify(answer.json));
        refusedAfterRestart.push(page);
        return undefined;
      },
      120_000,
      500,
    );

    const stored = (await readTopic(client, topic)).map((m) => JSON.parse(m.value).request_uri);
    assert.deepEqual(
      stored.sort(),
      ["/before-1", "/before-2", page].sort(),
      `exactly the acknowledged events (refused after the restart: ${refusedAfterRestart})`,
    );
  } finally {
    await source.close();
    await kafka.remove();
    Deno.env.delete(keys.variable);
  }
});
