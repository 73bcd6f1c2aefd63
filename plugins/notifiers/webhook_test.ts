import assert from "assert";
import type { AlertNotification, RuntimeContext } from "../../lib/sdk/mod.ts";
import webhook, { webhookBody, webhookSignature } from "./webhook.ts";

const NOTIFICATION: AlertNotification = {
  id: "checkout_errors//checkout/1796638200000/firing",
  event: "firing",
  rule: "checkout_errors",
  series: "/checkout",
  severity: "critical",
  labels: { team: "shop" },
  value: 12.5,
  text:
    "[FIRING] checkout_errors (critical): error_pct of /checkout in errors_1m is 12.5 (above 5)",
  firedAt: 1796638200000,
};

const context = {} as RuntimeContext;

/** A receiver on a free port answering `status`, recording each request. */
function receiver(status: number, delayMs = 0) {
  const requests: { headers: Headers; body: string }[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      requests.push({ headers: request.headers, body: await request.text() });
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return new Response(null, { status });
    },
  );
  return { requests, server, url: `http://127.0.0.1:${server.addr.port}/hook` };
}

Deno.test("webhook: JSON with Slack's text, signed with the secret from the environment", async () => {
  const target = receiver(204);
  Deno.env.set("WEBHOOK_TEST_SECRET", "s3cret");
  try {
    const options = webhook.options.parse({ url: target.url, secret_env: "WEBHOOK_TEST_SECRET" });
    const notifier = await webhook.open(options, context);
    await notifier.send(NOTIFICATION);
    await notifier.close();
    const [request] = target.requests;
    assert.deepEqual(JSON.parse(request!.body), webhookBody(NOTIFICATION));
    assert.equal(JSON.parse(request!.body).text, NOTIFICATION.text);
    assert.equal(JSON.parse(request!.body).fired_at, "2026-12-07T10:10:00.000Z");
    const timestamp = request!.headers.get("x-signature-timestamp")!;
    assert.match(timestamp, /^\d+$/);
    // The receiver's check, computed here with the Web Crypto API directly.
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode("s3cret"),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    const hex = request!.headers.get("x-signature")!.replace(/^sha256=/, "");
    const mac = new Uint8Array(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
    const signed = new TextEncoder().encode(`${timestamp}.${request!.body}`);
    assert.ok(await crypto.subtle.verify("HMAC", key, mac, signed));
  } finally {
    Deno.env.delete("WEBHOOK_TEST_SECRET");
    await target.server.shutdown();
  }
});

Deno.test("webhook: the signature of a known body (computed with openssl)", async () => {
  // printf '1700000000.{}' | openssl dgst -sha256 -hmac key
  assert.equal(
    await webhookSignature("key", "1700000000", "{}"),
    "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae",
  );
});

Deno.test("webhook: a non-2xx answer or no answer in time is a failure that says which", async () => {
  const refusing = receiver(503);
  const slow = receiver(204, 1000);
  try {
    const failing = await webhook.open(webhook.options.parse({ url: refusing.url }), context);
    await assert.rejects(() => failing.send(NOTIFICATION), /hook answered 503/);
    assert.equal(refusing.requests[0]!.headers.get("x-signature"), null);
    const late = await webhook.open(
      webhook.options.parse({ url: slow.url, timeout_ms: 100 }),
      context,
    );
    await assert.rejects(() => late.send(NOTIFICATION), /timed out|aborted|timeout/i);
  } finally {
    await refusing.server.shutdown();
    await slow.server.shutdown();
  }
});

Deno.test("webhook: an unset secret variable stops the start, saying what to do", async () => {
  const options = webhook.options.parse({
    url: "http://127.0.0.1:1/",
    secret_env: "NO_SUCH_SECRET_VAR",
  });
  await assert.rejects(
    () => webhook.open(options, context),
    /environment variable NO_SUCH_SECRET_VAR \(secret_env\) is not set: set it to the secret the receiver checks signatures with, or remove secret_env/,
  );
  assert.equal(webhook.options.safeParse({ url: "ftp://x/" }).success, false);
});
