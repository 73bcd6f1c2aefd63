import assert from "assert";
import { corsHeaders, type CorsPolicy, preflight } from "./cors.ts";

const policy: CorsPolicy = {
  origins: ["https://shop.example"],
  methods: ["POST"],
  headers: ["content-type", "x-api-key"],
  maxAgeSeconds: 600,
};

function from(origin: string | undefined, method = "POST"): Request {
  return new Request("http://x/api/events", {
    method,
    headers: origin === undefined ? {} : { origin },
  });
}

Deno.test("cors: an allowed origin is echoed with Vary, others and none get nothing", () => {
  assert.deepEqual(corsHeaders(from("https://shop.example"), policy), {
    "access-control-allow-origin": "https://shop.example",
    "vary": "Origin",
  });
  assert.deepEqual(corsHeaders(from("https://evil.example"), policy), {});
  assert.deepEqual(corsHeaders(from(undefined), policy), {});
  assert.deepEqual(corsHeaders(from("https://any.example"), { ...policy, origins: ["*"] }), {
    "access-control-allow-origin": "https://any.example",
    "vary": "Origin",
  });
});

Deno.test("cors: preflight allows the configured methods and headers, refuses other origins", async () => {
  const allowed = preflight(from("https://shop.example", "OPTIONS"), policy);
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers.get("access-control-allow-methods"), "POST");
  assert.equal(allowed.headers.get("access-control-allow-headers"), "content-type, x-api-key");
  assert.equal(allowed.headers.get("access-control-max-age"), "600");
  const refused = preflight(from("https://evil.example", "OPTIONS"), policy);
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get("access-control-allow-origin"), null);
  assert.match(
    (await refused.json()).error,
    /"https:\/\/evil\.example" is not allowed.*cors_origins/,
  );
});
