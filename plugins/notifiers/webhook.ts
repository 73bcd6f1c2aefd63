/**
 * `webhook` notifier: POSTs each alert transition as JSON, with a Slack-compatible `text` field
 * and an HMAC-SHA256 signature of the body so a receiver can trust it.
 *
 * @module
 */
import { type AlertNotification, type NotifierPlugin, z } from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" })
    .describe("Where each notification is POSTed.")
    .meta({ examples: ["https://hooks.slack.com/services/T000/B000/XXXX"] }),
  secret_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name")
    .optional()
    .describe(
      "Environment variable holding the signing secret; with it, every request carries " +
        "X-Signature-Timestamp and X-Signature: sha256=HEX, the HMAC-SHA256 of " +
        "`<timestamp>.<body>` under the secret.",
    )
    .meta({ examples: ["ALERT_WEBHOOK_SECRET"] }),
  timeout_ms: z.number().int().min(100).max(60_000).default(5000)
    .describe("How long one attempt waits for an answer; a 2xx answer is a delivery.")
    .meta({ examples: [5000] }),
});

/** Validated `webhook` notifier options. */
export type WebhookNotifierOptions = z.output<typeof options>;

/** The JSON body of a notification. */
export function webhookBody(notification: AlertNotification): Record<string, unknown> {
  return {
    text: notification.text,
    id: notification.id,
    status: notification.event,
    rule: notification.rule,
    series: notification.series,
    severity: notification.severity,
    labels: notification.labels,
    value: notification.value,
    fired_at: new Date(notification.firedAt).toISOString(),
    ...(notification.resolvedAt === undefined
      ? {}
      : { resolved_at: new Date(notification.resolvedAt).toISOString() }),
  };
}

/**
 * The signature header value of a body: `sha256=` and the hex HMAC-SHA256 of
 * `<timestamp>.<body>` under `secret` (the timestamp, in seconds, lets receivers refuse replays).
 */
export async function webhookSignature(
  secret: string,
  timestamp: string,
  body: string,
): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`));
  return "sha256=" + [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The `webhook` notifier plugin. */
const webhookNotifier: NotifierPlugin<WebhookNotifierOptions> = {
  kind: "notifier",
  name: "webhook",
  summary: "POSTs each alert transition as JSON (Slack-compatible text, HMAC-signed).",
  description: "One POST per firing and per resolve, with the fields text (one line, so a " +
    "Slack or Mattermost incoming webhook shows it as is), id (the same on a repeated " +
    "delivery), status (firing or resolved), rule, series, severity, labels, value, fired_at " +
    "and resolved_at. Anything but a 2xx answer within timeout_ms is a failure: the runner " +
    "retries with back-off (1 s doubling to 5 min) without holding back the pipeline, and " +
    "shows the failure in the status line, /api/alerts and /metrics.",
  options,
  example: { url: "http://127.0.0.1:9000/alerts", secret_env: "ALERT_WEBHOOK_SECRET" },
  open(settings) {
    let secret: string | undefined;
    if (settings.secret_env !== undefined) {
      secret = Deno.env.get(settings.secret_env);
      if (secret === undefined || secret === "") {
        return Promise.reject(
          new Error(
            `webhook notifier: environment variable ${settings.secret_env} (secret_env) is not ` +
              `set: set it to the secret the receiver checks signatures with, or remove secret_env`,
          ),
        );
      }
    }
    return Promise.resolve({
      async send(notification) {
        const body = JSON.stringify(webhookBody(notification));
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (secret !== undefined) {
          const timestamp = String(Math.floor(Date.now() / 1000));
          headers["x-signature-timestamp"] = timestamp;
          headers["x-signature"] = await webhookSignature(secret, timestamp, body);
        }
        const response = await fetch(settings.url, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(settings.timeout_ms),
        });
        await response.body?.cancel();
        if (!response.ok) {
          throw new Error(`${settings.url} answered ${response.status} ${response.statusText}`);
        }
      },
      close: () => Promise.resolve(),
    });
  },
};

export default webhookNotifier;
