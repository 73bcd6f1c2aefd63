import assert from "assert";
import { createLiveFeed, MAX_QUEUED } from "./live.ts";

Deno.test("live feed: a client that stops reading is dropped, the others keep receiving", async () => {
  const feed = createLiveFeed();
  const stalled = feed.connect();
  const reading = feed.connect().body!.pipeThrough(new TextDecoderStream()).getReader();
  assert.equal(feed.clients(), 2);
  let received = "";
  for (let i = 0; i <= MAX_QUEUED + 1; i++) {
    feed.publishStats({ i });
    received += (await reading.read()).value ?? "";
  }
  assert.equal(feed.clients(), 1, "the stalled client is gone");
  const last = `data: {"i":${MAX_QUEUED + 1}}`;
  while (!received.includes(last)) received += (await reading.read()).value ?? "";
  assert.equal(received.split("event: stats").length - 1, MAX_QUEUED + 2, "nothing was lost");
  await stalled.body!.cancel();
  feed.close();
  assert.equal(feed.clients(), 0);
});

Deno.test("live feed: a client that leaves is forgotten at once", async () => {
  const feed = createLiveFeed();
  const response = feed.connect();
  assert.equal(feed.clients(), 1);
  await response.body!.cancel();
  assert.equal(feed.clients(), 0);
  feed.publishStats({ after: true });
  feed.close();
});
