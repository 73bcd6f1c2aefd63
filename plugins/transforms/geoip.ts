/**
 * `geoip`: country (and region, city, ASN where the database has them) from the client
 * address, from an offline database.
 *
 * @module
 */
import {
  BUNDLED_GEO_DATABASE,
  duration,
  openGeoDatabase,
  parseDuration,
  reloadingGeoDatabase,
  type TransformPlugin,
  z,
} from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  database: z.string().min(1).optional()
    .describe(
      `A MaxMind DB (.mmdb) file, relative to the working directory; left out: the bundled ` +
        `${BUNDLED_GEO_DATABASE} (CC0-1.0, countries only).`,
    )
    .meta({ examples: ["/var/lib/geoip/dbip-city-lite.mmdb"] }),
  reload_check: duration().refine((text) => (parseDuration(text) ?? 0) >= 1000, "at least 1s")
    .default("1m")
    .describe(
      "How often to look whether the database file was replaced (by mv of a complete new " +
        "file); a new one is used without a restart. Not for the bundled database.",
    )
    .meta({ examples: ["1m"] }),
  overwrite: z.boolean().default(false)
    .describe("Replace a country the record was sent with (default: keep it).")
    .meta({ examples: [false] }),
});

/** Validated `geoip` options. */
export type GeoipOptions = z.output<typeof options>;

/** The `geoip` transform plugin. */
const geoip: TransformPlugin<GeoipOptions> = {
  kind: "transform",
  name: "geoip",
  summary: "Country (and props region, city, asn where the database has them) from the " +
    "client address (remote_addr), from an offline MaxMind DB file.",
  description: "Read with mmdb-lib (MIT). The database is opened at start and its type and " +
    "build time are logged; a database that is missing or unreadable stops the start, " +
    "saying which file and what to do. A database file given by path may be replaced while " +
    "running (records already in log keep the country they were given). An address the " +
    "database does not know leaves the record as it is. Put it before privacy, which cuts " +
    "the address.",
  options,
  example: {},
  async open({ database, overwrite, reload_check }, context) {
    const opened = database === undefined
      ? await openGeoDatabase()
      : (await reloadingGeoDatabase(database, parseDuration(reload_check)!, context.log)).database;
    context.log(`geoip: ${opened.source} (${opened.version})`);
    return (record) => {
      if (record.remote_addr === undefined) return record;
      const location = opened.lookup(record.remote_addr);
      if (location === undefined) return record;
      if (location.country !== undefined && (overwrite || record.country === undefined)) {
        record.country = location.country;
      }
      if (location.region !== undefined) (record.props ??= {}).region = location.region;
      if (location.city !== undefined) (record.props ??= {}).city = location.city;
      if (location.asn !== undefined) (record.props ??= {}).asn = String(location.asn);
      return record;
    };
  },
};

export default geoip;
