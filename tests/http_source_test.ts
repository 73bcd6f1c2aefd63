import assert from "assert";
import { kafkaBrokers } from "../lib/services/settings.ts";
import { uniqueSuffix } from "./_support.ts";
import {
  closedPort,
  createTopic,
  deleteTopics,
  makeTestKeys,
  postEvents,
  readTopic,
  serveHttpSource,
  testKafka,
  topicSize,
} from "./_ingest_support.ts";

const NOW_ISO = () => new Date().toISOString();

function logEvent(page: string, status = 200): Record<string, unknown> {
  return {
    timestamp: NOW_ISO(),
    request_uri: page,
    status,
    body_bytes_sent: 100,
    request_time: 0.02,
    http_referrer: "-",
    http_user_agent: "backend/1.0",
    remote_addr: "10.1.2.3",
  };
}

/** Runs `body` with a test topic and an http source serving it; removes both afterwards. */
async function withSource(
  options: Record<string, unknown>,
  body: (url: string, topic: string) => Promise<void>,
  partitions = 3,
): Promise<void> {
  const kafka = testKafka(kafkaBrokers());
  const topic = `HTTPIN-${uniqueSuffix()}`;
  await createTopic(kafka, topic, partitions);
  const source = await serveHttpSource({ ...options, topic }, kafkaBrokers());
  try {
    await body(source.url, topic);
  } finally {
    await source.close();
    await deleteTopics(kafka, [topic]);
  }
}

Deno.test("http source: no key 401, unknown key 401, key not allowed here 403, allowed key 202", async () => {
  const keys = await makeTestKeys("site", "other");
  const kafka = testKafka(kafkaBrokers());
  await withSource({ api_keys_env: keys.variable, allowed_keys: ["site"] }, async (url, topic) => {
    const json = { "content-type": "application/json" };
    const event = JSON.stringify(logEvent("/auth"));

    const missing = await postEvents(url, event, json);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("www-authenticate"), "Bearer");
    assert.match(String(missing.json.error), /missing API key: send it as an `Authorization/);

    const wrong = await postEvents(url, event, { ...json, authorization: "Bearer not-a-key" });
    assert.equal(wrong.status, 401);
    assert.match(String(wrong.json.error), /unknown API key/);

    const forbidden = await postEvents(url, event, { ...json, "x-api-key": keys.keys.other! });
    assert.equal(forbidden.status, 403);
    assert.match(String(forbidden.json.error), /key "other" may not send to this source/);

    assert.equal(await topicSize(kafka, topic), 0, "refused requests wrote nothing");

    const right = await postEvents(url, event, {
      ...json,
      authorization: `Bearer ${keys.keys.site}`,
    });
    assert.equal(right.status, 202);
    const items = right.json.items as Array<Record<string, unknown>>;
    assert.equal(items.length, 1);
    assert.equal(items[0]!.status, "accepted");
    const written = await readTopic(kafka, topic);
    assert.equal(written.length, 1);
    assert.equal(written[0]!.key, items[0]!.event_id);
    assert.equal(JSON.parse(written[0]!.value).event_id, items[0]!.event_id);
    assert.equal(JSON.parse(written[0]!.value).request_uri, "/auth");

    const byQuery = await fetch(`${url}/api/events?key=${keys.keys.site}`, {
      method: "POST",
      body: event,
      headers: json,
    });
    assert.equal(byQuery.status, 202, "the key may come as a query parameter (for beacons)");
    await byQuery.body?.cancel();
  });
  Deno.env.delete(keys.variable);
});

Deno.test("http source: oversize bodies and batches 413, nothing written", async () => {
  const keys = await makeTestKeys("site");
  const kafka = testKafka(kafkaBrokers());
  const options = { api_keys_env: keys.variable, max_body_bytes: 2048, max_items: 3 };
  await withSource(options, async (url, topic) => {
    const headers = { "content-type": "application/json", "x-api-key": keys.keys.site! };
    const big = JSON.stringify([logEvent("/" + "a".repeat(1500)), logEvent("/" + "b".repeat(600))]);
    assert.ok(big.length > 2048);
    const declared = await postEvents(url, big, headers);
    assert.equal(declared.status, 413);
    assert.match(String(declared.json.error), /larger than the limit of 2048 bytes/);

    // Without a length: streamed, cut off once past the limit.
    const encoder = new TextEncoder();
    const streamed = await fetch(`${url}/api/events`, {
      method: "POST",
      headers,
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode(big));
          controller.close();
        },
      }),
    });
    assert.equal(streamed.status, 413);
    await streamed.body?.cancel();

    const many = JSON.stringify([1, 2, 3, 4].map((i) => logEvent(`/p${i}`)));
    const tooMany = await postEvents(url, many, headers);
    assert.equal(tooMany.status, 413);
    assert.match(String(tooMany.json.error), /holds 4 events, more than the limit of 3/);

    const form = await postEvents(url, "a=1", {
      ...headers,
      "content-type": "application/x-www-form-urlencoded",
    });
    assert.equal(form.status, 415);
    assert.equal(await topicSize(kafka, topic), 0);
  });
  Deno.env.delete(keys.variable);
});

Deno.test("http source: malformed items inside a batch: per-item reasons, only valid items written", async () => {
  const keys = await makeTestKeys("shipper");
  const kafka = testKafka(kafkaBrokers());
  await withSource({ api_keys_env: keys.variable }, async (url, topic) => {
    const auth = { "x-api-key": keys.keys.shipper! };
    const combined = `10.0.0.9 - - [${
      new Date().toUTCString().slice(5, 16).replaceAll(" ", "/")
    }:10:00:00 +0000] "GET /combined HTTP/1.1" 200 512 "-" "curl/8"`;
    const ndjson = [
      JSON.stringify(logEvent("/ok-1")),
      '{"request_uri": "/broken",',
      JSON.stringify(logEvent("/bad-status", 999)),
      "",
      JSON.stringify({ ...logEvent("/ok-2"), event_id: "client-id-1" }),
    ].join("\n");
    const first = await postEvents(url, ndjson, {
      ...auth,
      "content-type": "application/x-ndjson",
    });
    assert.equal(first.status, 202, "a batch with valid items is accepted in part");
    assert.equal(first.json.accepted, 2);
    assert.equal(first.json.rejected, 2);
    const items = first.json.items as Array<Record<string, unknown>>;
    assert.deepEqual(items.map((item) => [item.index, item.line, item.status]), [
      [0, 1, "accepted"],
      [1, 2, "rejected"],
      [2, 3, "rejected"],
      [3, 5, "accepted"],
    ]);
    assert.match(String(items[1]!.reason), /^invalid JSON/);
    assert.equal(items[2]!.reason, "status: expected an integer 100..599, found 999");
    assert.equal(items[3]!.event_id, "client-id-1");

    const text = `${combined}\nthis is not a log line\n`;
    const second = await postEvents(url, text, { ...auth, "content-type": "text/plain" });
    assert.equal(second.status, 202);
    assert.deepEqual(
      (second.json.items as Array<Record<string, unknown>>).map((item) => item.status),
      ["accepted", "rejected"],
    );

    const allBad = await postEvents(url, JSON.stringify([{ status: 200 }, "x"]), {
      ...auth,
      "content-type": "application/json",
    });
    assert.equal(allBad.status, 400, "nothing valid: 400, with every reason");
    assert.deepEqual(
      (allBad.json.items as Array<Record<string, unknown>>).map((item) => item.reason),
      [
        "event_type: expected the event's type (or page_path, or request_uri for a web-server " +
        "log), found nothing (field missing)",
        'expected a JSON object, found "x"',
      ],
    );

    const written = await readTopic(kafka, topic);
    const pages = written.map((message) =>
      message.value.startsWith("{") ? JSON.parse(message.value).request_uri : message.value
    ).sort();
    assert.deepEqual(pages, [combined, "/ok-1", "/ok-2"].sort());
  });
  Deno.env.delete(keys.variable);
});

Deno.test("http source: per-key rate limit 429 with Retry-After; refused events not written", async () => {
  const keys = await makeTestKeys("a", "b");
  const kafka = testKafka(kafkaBrokers());
  const options = { api_keys_env: keys.variable, rate_limit: 0.01, rate_burst: 6 };
  await withSource(options, async (url, topic) => {
    const batch = (n: number) =>
      JSON.stringify(Array.from({ length: n }, (_, i) => logEvent(`/r${i}`)));
    const headers = (key: string) => ({ "content-type": "application/json", "x-api-key": key });
    assert.equal((await postEvents(url, batch(4), headers(keys.keys.a!))).status, 202);
    const limited = await postEvents(url, batch(4), headers(keys.keys.a!));
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(
      retryAfter >= 150 && retryAfter <= 200,
      `Retry-After ${retryAfter} s for 2 tokens at 0.01/s`,
    );
    assert.match(String(limited.json.error), /rate limit of key "a" reached/);
    assert.equal(
      (await postEvents(url, batch(2), headers(keys.keys.a!))).status,
      202,
      "what is left",
    );
    assert.equal(
      (await postEvents(url, batch(4), headers(keys.keys.b!))).status,
      202,
      "own bucket",
    );
    assert.equal(await topicSize(kafka, topic), 10);
  });
  Deno.env.delete(keys.variable);
});

Deno.test("http source: Kafka unreachable: 503 with Retry-After, never 202", async () => {
  const keys = await makeTestKeys("site");
  const logged: string[] = [];
  const source = await serveHttpSource(
    { api_keys_env: keys.variable, topic: `HTTPDOWN-${uniqueSuffix()}` },
    [`127.0.0.1:${closedPort()}`],
    (line) => logged.push(line),
  );
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await postEvents(source.url, JSON.stringify(logEvent("/down")), {
        "content-type": "application/json",
        "x-api-key": keys.keys.site!,
      });
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get("retry-after"), "5");
      assert.match(
        String(answer.json.error),
        /Kafka did not acknowledge.*none of them is accepted/,
      );
    }
    assert.ok(logged.some((line) => line.includes("answered 503")), "the failure is logged");
  } finally {
    await source.close();
    Deno.env.delete(keys.variable);
  }
});

Deno.test("http source: CORS preflight and headers for allowed origins only; tracker script", async () => {
  const keys = await makeTestKeys("site");
  const options = { api_keys_env: keys.variable, cors_origins: ["https://shop.example"] };
  await withSource(options, async (url) => {
    const allowed = await fetch(`${url}/api/events`, {
      method: "OPTIONS",
      headers: { origin: "https://shop.example", "access-control-request-method": "POST" },
    });
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://shop.example");
    assert.match(allowed.headers.get("access-control-allow-headers") ?? "", /x-api-key/);
    await allowed.body?.cancel();
    const refused = await fetch(`${url}/api/events`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example" },
    });
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
    const unauthorized = await fetch(`${url}/api/events`, {
      method: "POST",
      headers: { origin: "https://shop.example" },
      body: "{}",
    });
    assert.equal(unauthorized.headers.get("access-control-allow-origin"), "https://shop.example");
    assert.equal(unauthorized.status, 401, "errors are readable by the allowed page too");
    await unauthorized.body?.cancel();

    const script = await fetch(`${url}/t.js`);
    assert.equal(script.status, 200);
    assert.equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(await script.text(), /page_visited[\s\S]*sessionStorage/);
    const health = await fetch(`${url}/health`);
    assert.deepEqual(await health.json(), { status: "ok" });
  });
  Deno.env.delete(keys.variable);
});

Deno.test("http source: starting without keys, with a bad key file or an unknown allowed key says what to do", async () => {
  const unset = `TEST_UNSET_KEYS_${uniqueSuffix().toUpperCase()}`;
  await assert.rejects(
    serveHttpSource({ api_keys_env: unset }, kafkaBrokers()),
    new RegExp(`no API key in ${unset}; create one with \`deno task api-key NAME\``),
  );
  const file = await Deno.makeTempFile({ suffix: ".txt" });
  try {
    await Deno.writeTextFile(file, "# keys\nshop=hunter2\n");
    await assert.rejects(
      serveHttpSource({ api_keys_env: unset, api_keys_file: file }, kafkaBrokers()),
      new RegExp(`${file}:2:1: expected NAME=sha256:<64 hex digits>`),
    );
    const keys = await makeTestKeys("site");
    await assert.rejects(
      serveHttpSource({ api_keys_env: keys.variable, allowed_keys: ["sight"] }, kafkaBrokers()),
      /allowed_keys names "sight", but .* has no such key \(it has "site"\)/,
    );
    Deno.env.delete(keys.variable);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("http source: a full 1 MiB body into a one-partition topic is written, within Kafka's request limit", async () => {
  const keys = await makeTestKeys("site");
  const kafka = testKafka(kafkaBrokers());
  await withSource({ api_keys_env: keys.variable }, async (url, topic) => {
    const events = Array.from(
      { length: 900 },
      (_, i) => JSON.stringify({ ...logEvent(`/big/${i}`), http_user_agent: "u".repeat(960) }),
    );
    const body = events.join("\n");
    assert.ok(body.length > 1_000_000 && body.length <= 1_048_576, `${body.length} bytes`);
    const answer = await postEvents(url, body, {
      "content-type": "application/x-ndjson",
      "x-api-key": keys.keys.site!,
    });
    assert.equal(answer.status, 202, JSON.stringify(answer.json).slice(0, 300));
    assert.equal(answer.json.accepted, 900);
    assert.equal(await topicSize(kafka, topic), 900);
  }, 1);
  Deno.env.delete(keys.variable);
});
