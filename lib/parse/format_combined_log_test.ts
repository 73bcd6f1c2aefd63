import assert from "assert";
import type { RequestRecord } from "../records.ts";
import { parseCombinedLine } from "./combined_log.ts";
import { formatCombinedLine } from "./format_combined_log.ts";

const NOW = Date.UTC(2026, 10, 21);
const RECORD: RequestRecord = {
  timestamp: Date.UTC(2026, 10, 20, 13, 5, 1),
  request_uri: "/search?q=red+shoes",
  status: 200,
  body_bytes_sent: 0,
  request_time: 1.5,
  http_referrer: "https://www.bing.com/",
  http_user_agent: 'odd "agent" \\ name',
  remote_addr: "192.0.2.1",
  method: "POST",
};

Deno.test("formatCombinedLine writes the combined layout", () => {
  assert.equal(
    formatCombinedLine(RECORD, { offsetMinutes: 60, dashForEmptyBody: true }),
    '192.0.2.1 - - [20/Nov/2026:14:05:01 +0100] "POST /search?q=red+shoes HTTP/1.1" 200 - ' +
      '"https://www.bing.com/" "odd \\"agent\\" \\\\ name" 1.500',
  );
  assert.ok(formatCombinedLine(RECORD, { withRequestTime: false }).endsWith('name"'));
});

Deno.test("formatCombinedLine round-trips through parseCombinedLine", () => {
  for (const offsetMinutes of [0, -420, 330, 840]) {
    for (const request_time of [0, 0.001, 0.123, 12.5, 0.1 + 0.2]) {
      const record = { ...RECORD, request_time };
      const parsed = parseCombinedLine(formatCombinedLine(record, { offsetMinutes }), NOW);
      assert.deepEqual(parsed, { ok: true, record });
    }
  }
  const noTime = parseCombinedLine(
    formatCombinedLine(RECORD, { withRequestTime: false, dashForEmptyBody: true }),
    NOW,
  );
  assert.deepEqual(noTime, { ok: true, record: { ...RECORD, request_time: 0 } });
});
