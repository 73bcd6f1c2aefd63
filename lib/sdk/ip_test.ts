import assert from "assert";
import { truncateAddress } from "./ip.ts";

Deno.test("truncateAddress: IPv4 prefixes", () => {
  assert.equal(truncateAddress("203.0.113.77"), "203.0.113.0");
  assert.equal(truncateAddress("203.0.113.77", 16), "203.0.0.0");
  assert.equal(truncateAddress("203.0.113.77", 32), "203.0.113.77");
  assert.equal(truncateAddress("203.0.113.77", 0), "0.0.0.0");
  assert.equal(truncateAddress("255.255.255.255", 25), "255.255.255.128");
});

Deno.test("truncateAddress: IPv6 prefixes, compressed canonically", () => {
  assert.equal(truncateAddress("2001:0db8:abcd:0012:0000:0000:0000:0001"), "2001:db8:abcd::");
  assert.equal(truncateAddress("2001:db8:abcd:ffff::1", 24, 56), "2001:db8:abcd:ff00::");
  assert.equal(truncateAddress("2001:db8::1", 24, 128), "2001:db8::1");
  assert.equal(truncateAddress("::1"), "::");
  assert.equal(truncateAddress("fe80::1:2:3:4", 24, 80), "fe80::1:0:0:0");
  assert.equal(truncateAddress("64:ff9b::203.0.113.5", 24, 112), "64:ff9b::cb00:0");
  assert.equal(truncateAddress("::ffff:203.0.113.5"), "203.0.113.0");
});

Deno.test("truncateAddress: not an address", () => {
  for (const text of ["", "-", "example.com", "203.0.113.77:8080", "1.2.3", "gggg::1"]) {
    assert.equal(truncateAddress(text), undefined, text);
  }
});
