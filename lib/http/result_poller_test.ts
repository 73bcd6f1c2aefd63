import assert from "assert";
import type { StoredResult } from "../contracts.ts";
import type { LiveFeed } from "./live.ts";
import { pollResults } from "./result_poller.ts";
import type { ReadableView } from "./views.ts";

/** A feed that records what it is given; `listeners` says how many clients it pretends to have. */
function recordingFeed(listeners: { count: number }) {
  const sent: Array<[string, StoredResult]> = [];
  const feed: LiveFeed = {
    publishResults: () => {},
    publishStored: (aggregation, stored) => void sent.push([aggregation, stored]),
    publishStats: () => {},
    connect: () => new Response(),
    clients: () => listeners.count,
    close: () => {},
  };
  return { feed, sent };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), what);
}

Deno.test("result poller: reads nothing without clients, then sends today once and each change", async () => {
  let stored: StoredResult[] = [{ window: "2026-11-23", records: 5, computedAt: 1, rows: [] }];
  let reads = 0;
  const view = {
    name: "status_daily",
    read: (from: string, to: string) => {
      assert.deepEqual([from, to], ["2026-11-23", "2026-11-23"]);
      reads++;
      return Promise.resolve(stored);
    },
  } as unknown as ReadableView;
  const listeners = { count: 0 };
  const { feed, sent } = recordingFeed(listeners);
  const poller = pollResults({
    views: [view],
    feed,
    today: () => "2026-11-23",
    intervalMs: 5,
    log: () => {},
  });
  try {
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(reads, 0, "no client, no read");
    listeners.count = 1;
    await until("the first poll", () => reads >= 2);
    assert.deepEqual(sent, [["status_daily", stored[0]]], "the first poll sends today");
    stored = [{ window: "2026-11-23", records: 6, computedAt: 2, rows: [] }];
    await until("the change to be sent", () => sent.length === 2);
    assert.deepEqual(sent[1], ["status_daily", stored[0]]);
    const readsBefore = reads;
    await until("more polls", () => reads >= readsBefore + 2);
    assert.equal(sent.length, 2, "an unchanged window is not sent again");
  } finally {
    poller.stop();
  }
});

Deno.test("result poller: a failing read is logged once, until reads work again", async () => {
  let fail = true;
  const logged: string[] = [];
  const view = {
    name: "x",
    read: () => fail ? Promise.reject(new Error("no host")) : Promise.resolve([]),
  } as unknown as ReadableView;
  const { feed } = recordingFeed({ count: 1 });
  let polls = 0;
  const poller = pollResults({
    views: [view],
    feed,
    today: () => (polls++, "2026-11-23"),
    intervalMs: 5,
    log: (line) => logged.push(line),
  });
  try {
    await until("several failing polls", () => polls >= 4);
    assert.deepEqual(logged, ["could not read results for live views: no host"]);
    fail = false;
    const after = polls;
    await until("a working poll", () => polls >= after + 2);
    fail = true;
    await until("a new failure to be logged", () => logged.length === 2);
  } finally {
    poller.stop();
  }
});
