/**
 * Client addresses: recognising IPv4 and IPv6 text and cutting an address to its network
 * prefix (what the `privacy` transform keeps).
 *
 * @module
 */
import { isIP } from "node:net";

/**
 * The address with its host part zeroed: IPv4 to `/v4Bits` (default /24: `203.0.113.77` is
 * `203.0.113.0`), IPv6 to `/v6Bits` (default /48), written in canonical compressed form.
 * An IPv4-mapped IPv6 address (`::ffff:203.0.113.77`) is cut as IPv4.
 *
 * @param address Text of an address (no port).
 * @param v4Bits Prefix length kept of an IPv4 address, 0..32.
 * @param v6Bits Prefix length kept of an IPv6 address, 0..128.
 * @returns The cut address, or undefined when `address` is not an IP address.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { truncateAddress } from "./ip.ts";
 * assert.equal(truncateAddress("203.0.113.77"), "203.0.113.0");
 * assert.equal(truncateAddress("2001:db8:abcd:12:1:2:3:4"), "2001:db8:abcd::");
 * assert.equal(truncateAddress("::ffff:198.51.100.9"), "198.51.100.0");
 * assert.equal(truncateAddress("not an address"), undefined);
 * ```
 */
export function truncateAddress(address: string, v4Bits = 24, v6Bits = 48): string | undefined {
  const family = isIP(address);
  if (family === 4) return cutV4(address, v4Bits);
  if (family !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return cutV4(mapped[1]!, v4Bits);
  const groups = expandV6(address);
  const kept = groups.map((group, index) => {
    const bitsBefore = index * 16;
    if (bitsBefore + 16 <= v6Bits) return group;
    if (bitsBefore >= v6Bits) return 0;
    const keep = v6Bits - bitsBefore;
    return group & (0xffff << (16 - keep)) & 0xffff;
  });
  return compressV6(kept);
}

function cutV4(address: string, bits: number): string {
  const value = address.split(".").reduce((sum, part) => sum * 256 + Number(part), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const cut = (value & mask) >>> 0;
  return [cut >>> 24, (cut >>> 16) & 255, (cut >>> 8) & 255, cut & 255].join(".");
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail included). */
function expandV6(address: string): number[] {
  let text = address.toLowerCase();
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = v4Tail[1]!.split(".").map(Number) as [number, number, number, number];
    text = text.slice(0, -v4Tail[1]!.length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::")
    ? text.split("::") as [string, string]
    : [text, undefined];
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array(zeros).fill("0"), ...tailGroups].map((group) =>
    parseInt(group, 16)
  );
}

/** Canonical text of eight groups: the longest run of two or more zero groups as `::`. */
function compressV6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
