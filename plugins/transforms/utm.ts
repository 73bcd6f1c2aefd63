/**
 * `utm`: campaign fields and ad click ids from the page URL's query.
 *
 * @module
 */
import { type LogRecord, type TransformPlugin, z } from "../../lib/sdk/mod.ts";

/** The click ids looked for by default. */
export const CLICK_IDS = [
  "gclid",
  "gbraid",
  "wbraid",
  "dclid",
  "msclkid",
  "fbclid",
  "ttclid",
  "twclid",
  "li_fat_id",
  "yclid",
] as const;

const options = z.strictObject({
  click_ids: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "a query parameter name"))
    .default([...CLICK_IDS])
    .describe("Query parameters kept as props when present (ad click ids).")
    .meta({ examples: [["gclid", "fbclid", "msclkid"]] }),
});

/** Validated `utm` options. */
export type UtmOptions = z.output<typeof options>;

/** The UTM parameters that are record fields; utm_term and utm_content go to props. */
const FIELDS = ["utm_source", "utm_medium", "utm_campaign"] as const;
const PROPS = ["utm_term", "utm_content"] as const;

/** The `utm` transform plugin. */
const utm: TransformPlugin<UtmOptions> = {
  kind: "transform",
  name: "utm",
  summary: "Campaign fields (utm_*) and ad click ids from the page URL's query, when not sent " +
    "as fields.",
  description: "Reads the query of the record's page_path, else of its request_uri. " +
    "utm_source, utm_medium and utm_campaign fill the record fields of those names, " +
    "utm_term and utm_content and the click ids (gclid, fbclid, ...) fill props of those " +
    "names; a value the record already carries is kept. Values are decoded, trimmed and cut " +
    "to 200 characters; the page itself is left as it is.",
  options,
  example: { click_ids: ["gclid", "fbclid", "msclkid"] },
  open({ click_ids }) {
    return (record) => {
      const query = queryOf(record.page_path ?? record.request_uri);
      if (query === undefined) return record;
      for (const field of FIELDS) {
        if (record[field] !== undefined) continue;
        const value = paramOf(query, field);
        if (value !== undefined) record[field] = value;
      }
      for (const name of [...PROPS, ...click_ids]) {
        if (record.props !== undefined && Object.hasOwn(record.props, name)) continue;
        const value = paramOf(query, name);
        if (value !== undefined) (record.props ??= {})[name] = value;
      }
      return record;
    };
  },
};

export default utm;

function queryOf(page: LogRecord["page_path"]): URLSearchParams | undefined {
  if (page === undefined) return undefined;
  const at = page.indexOf("?");
  if (at < 0) return undefined;
  const end = page.indexOf("#", at);
  return new URLSearchParams(page.slice(at + 1, end < 0 ? undefined : end));
}

function paramOf(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name)?.trim();
  return value === undefined || value === "" ? undefined : value.slice(0, 200);
}
