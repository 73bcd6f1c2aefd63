/**
 * `privacy`: a daily-rotating salted visitor key in place of the user id, and the client
 * address cut to its network.
 *
 * @module
 */
import {
  dailyVisitorHash,
  type TransformPlugin,
  truncateAddress,
  visitorOf,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  salt: z.string().min(16, "expected a secret of at least 16 characters, e.g. ${PRIVACY_SALT}")
    .describe(
      "Secret the visitor keys derive from (with each UTC day); read it from the environment " +
        "(${PRIVACY_SALT}) and keep it out of the repository.",
    )
    .meta({ examples: ["${PRIVACY_SALT}"] }),
  ipv4_prefix: z.number().int().min(0).max(32).default(24)
    .describe("Bits of an IPv4 client address kept (24: 203.0.113.77 becomes 203.0.113.0).")
    .meta({ examples: [24] }),
  ipv6_prefix: z.number().int().min(0).max(128).default(48)
    .describe("Bits of an IPv6 client address kept (48: the site prefix).")
    .meta({ examples: [48] }),
});

/** Validated `privacy` options. */
export type PrivacyOptions = z.output<typeof options>;

/** The `privacy` transform plugin. */
const privacy: TransformPlugin<PrivacyOptions> = {
  kind: "transform",
  name: "privacy",
  summary: "Replaces the visitor by a salted key that rotates daily and cuts the client " +
    "address (IPv4 /24, IPv6 /48); put it after geoip.",
  description: "The visitor (user_id, else client address with user agent, else session_id, " +
    "the SDK's visitorOf) becomes user_id = HMAC-SHA-256 under a key derived from the salt " +
    "and the record's UTC day, so visitors are counted within a day but not recognised " +
    "across days, and the key cannot be computed back without the salt. remote_addr is cut " +
    "to its network; a value that is not an IP address is removed. What it does not do " +
    "(page URLs, props, user agents and session ids are kept; the source topic and dead " +
    "letters keep the message as received) is in docs/transforms.md.",
  options,
  example: { salt: "${PRIVACY_SALT}", ipv4_prefix: 24, ipv6_prefix: 48 },
  open({ salt, ipv4_prefix, ipv6_prefix }) {
    return (record) => {
      const visitor = visitorOf(record);
      if (visitor !== undefined) record.user_id = dailyVisitorHash(visitor, salt, record.timestamp);
      if (record.remote_addr !== undefined) {
        const cut = truncateAddress(record.remote_addr, ipv4_prefix, ipv6_prefix);
        if (cut === undefined) delete record.remote_addr;
        else record.remote_addr = cut;
      }
      return record;
    };
  },
};

export default privacy;
