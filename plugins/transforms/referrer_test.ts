import assert from "assert";
import referrer from "./referrer.ts";
import type { LogRecord } from "../../lib/sdk/mod.ts";

const apply = await referrer.open(
  referrer.options.parse({ internal_hosts: ["shop.example"] }),
  { log: () => {} },
);
const channelOf = (fields: Partial<LogRecord>) =>
  apply({ timestamp: 0, ...fields })?.props?.referrer_channel;

Deno.test("referrer: each channel", () => {
  assert.equal(channelOf({ http_referrer: "https://www.google.com/search?q=shoes" }), "search");
  assert.equal(channelOf({ http_referrer: "https://www.bing.com/" }), "search");
  assert.equal(channelOf({ http_referrer: "https://l.facebook.com/l.php" }), "social");
  assert.equal(channelOf({ http_referrer: "https://mail.google.com/" }), "email");
  assert.equal(channelOf({ http_referrer: "-" }), "direct");
  assert.equal(channelOf({}), "direct");
  assert.equal(channelOf({ http_referrer: "https://www.shop.example/cart" }), "internal");
  assert.equal(channelOf({ http_referrer: "https://blog.other.example/post" }), "referral");
  assert.equal(channelOf({ http_referrer: "https://www.google.com/", utm_medium: "cpc" }), "paid");
  assert.equal(channelOf({ http_referrer: "-", props: { gclid: "x" } }), "paid");
  assert.equal(channelOf({ utm_medium: "newsletter" }), "email");
  assert.equal(channelOf({ props: { referrer: "https://t.co/x" } }), "social");
});
