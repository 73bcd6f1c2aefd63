import assert from "assert";
import { parseBatch } from "./parse_batch.ts";
import type { LogRecord } from "../records.ts";

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

Deno.test("parseBatch: transforms enrich, drop (counted as filtered) or dead-letter a record", () => {
  const batch = {
    stream: "RAWLOG",
    partition: 2,
    messages: [
      { event_type: "view", page_path: "/a", timestamp: "2026-11-23T10:00:00Z" },
      { event_type: "view", page_path: "/health", timestamp: "2026-11-23T10:00:01Z" },
      { event_type: "view", page_path: "/boom", timestamp: "2026-11-23T10:00:02Z" },
      { event_type: "view", page_path: "/b", timestamp: "2026-11-23T10:00:03Z" },
    ].map((value, offset) => ({ offset, value: encode(value), producedAt: Date.now() })),
  };
  const transform = (record: LogRecord): LogRecord | undefined => {
    if (record.page_path === "/health") return undefined;
    if (record.page_path === "/boom") throw new Error("transform geoip: lookup failed\nstack");
    return { ...record, country: "DE" };
  };
  const { accepted, rejections, filtered } = parseBatch(batch, Date.now(), transform);
  assert.deepEqual(accepted.map((a) => [a.id, a.record.page_path, a.record.country]), [
    ["RAWLOG/2/0", "/a", "DE"],
    ["RAWLOG/2/3", "/b", "DE"],
  ]);
  assert.equal(filtered, 1);
  assert.deepEqual(rejections.map((r) => [r.message.offset, r.reason]), [
    [2, "transform geoip: lookup failed"],
  ]);
});
