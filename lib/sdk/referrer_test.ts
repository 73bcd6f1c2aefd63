import assert from "assert";
import { referrerDomain } from "./referrer.ts";
import { buildVocabulary } from "../traffic/vocabulary.ts";

Deno.test("referrerDomain: the host of real referrers", () => {
  const cases: [string, string | undefined][] = [
    ["https://www.google.com/search?q=running+shoes", "google.com"],
    ["https://www.Google.COM./", "google.com"],
    ["http://m.facebook.com/", "m.facebook.com"],
    ["https://t.co/abc123", "t.co"],
    ["https://shop.example.com:8443/cart#top", "shop.example.com"],
    ["https://user:secret@example.org/a", "example.org"],
    ["https://example.org?q=1", "example.org"],
    ["android-app://com.google.android.gm/", "com.google.android.gm"],
    ["//cdn.example.net/x.js", "cdn.example.net"],
    ["news.ycombinator.com/item?id=1", "news.ycombinator.com"],
    ["http://[2001:db8::1]:8080/", "[2001:db8::1]"],
    ["http://192.168.1.10/admin", "192.168.1.10"],
    ["  https://duckduckgo.com/  ", "duckduckgo.com"],
    ["-", undefined],
    ["", undefined],
    ["/internal/page", undefined],
    ["not a url", undefined],
    ["https:///path-only", undefined],
  ];
  for (const [referrer, domain] of cases) {
    assert.equal(referrerDomain(referrer), domain, JSON.stringify(referrer));
  }
});

Deno.test("referrerDomain: every simulated referrer has a domain", () => {
  const vocabulary = buildVocabulary(7, 50);
  const referrers = [
    ...vocabulary.searchReferrers,
    ...vocabulary.socialReferrers,
    ...vocabulary.externalReferrers,
    `${vocabulary.siteOrigin}/cart`,
  ];
  for (const referrer of referrers) {
    const domain = referrerDomain(referrer);
    assert.ok(domain !== undefined && /^[a-z0-9.-]+$/.test(domain), `${referrer} -> ${domain}`);
  }
});
