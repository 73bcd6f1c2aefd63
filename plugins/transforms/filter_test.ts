import assert from "assert";
import filter from "./filter.ts";
import type { LogRecord } from "../../lib/sdk/mod.ts";

Deno.test("filter: keep, then drop; a dropped record is undefined", async () => {
  const apply = await filter.open(
    filter.options.parse({
      keep: { field: "device", in: ["mobile", "tablet"] },
      drop: { field: "request_uri", prefix: "/health" },
    }),
    { log: () => {} },
  );
  const record = (fields: Partial<LogRecord>): LogRecord => ({ timestamp: 0, ...fields });
  assert.deepEqual(
    apply(record({ device: "mobile", request_uri: "/" })),
    record({
      device: "mobile",
      request_uri: "/",
    }),
  );
  assert.equal(apply(record({ device: "desktop", request_uri: "/" })), undefined);
  assert.equal(apply(record({ device: "tablet", request_uri: "/health/live" })), undefined);
});

Deno.test("filter: options without keep or drop are refused", () => {
  assert.equal(filter.options.safeParse({}).success, false);
});
