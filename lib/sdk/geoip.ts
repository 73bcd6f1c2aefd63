/**
 * Offline IP geolocation from a MaxMind DB (`.mmdb`) file, read with `mmdb-lib` (MIT).
 *
 * Without a path, the bundled database is `@ip-location-db/geo-whois-asn-country-mmdb`
 * (CC0-1.0: countries of IPv4 and IPv6 ranges from the registries' WHOIS and ASN data,
 * updated daily upstream; the version pinned in deno.json is the one used). A path may name
 * any MaxMind DB of the GeoLite2/GeoIP2 layout (country, subdivisions, city, ASN) or of the
 * ip-location-db layout (`country_code`, `state1`, `city`, `autonomous_system_number`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Reader } from "mmdb-lib";
import { errorText } from "../errors.ts";

/** The bundled database's npm package and version (see deno.json). */
export const BUNDLED_GEO_DATABASE = "@ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719";

/** What a database knows of an address. */
export interface GeoLocation {
  /** ISO 3166-1 alpha-2 country code, e.g. `DE`. */
  country?: string;
  /** Region (first subdivision), when the database has it: an ISO code or a name. */
  region?: string;
  /** City name (English), when the database has it. */
  city?: string;
  /** Autonomous system number, when the database has it. */
  asn?: number;
}

/** An opened database. */
export interface GeoDatabase {
  /** Where it came from: the bundled package, or the file path. */
  source: string;
  /** Its version: database type and build time from its metadata. */
  version: string;
  /** What it knows of `address`; undefined when not an address or not in the database. */
  lookup(address: string): GeoLocation | undefined;
}

/**
 * Opens a database.
 *
 * @param path A `.mmdb` file; undefined for the bundled country database.
 * @returns The database.
 * @throws {Error} Saying which file could not be read or parsed, and what to do.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { openGeoDatabase } from "./geoip.ts";
 * const database = await openGeoDatabase();
 * assert.equal(database.lookup("not an address"), undefined);
 * assert.match(database.version, /country/);
 * ```
 */
export async function openGeoDatabase(path?: string): Promise<GeoDatabase> {
  let bytes: Uint8Array;
  const source = path ?? BUNDLED_GEO_DATABASE;
  try {
    bytes = path === undefined
      ? (await import("geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb", {
        with: { type: "bytes" },
      })).default
      : await Deno.readFile(path);
  } catch (error) {
    throw new Error(
      `cannot read the GeoIP database ${source}: ${errorText(error, { firstLine: true })}; ` +
        (path === undefined
          ? "run deno install (the package comes from the npm registry) or set options.database " +
            "to a .mmdb file"
          : "set options.database to an existing MaxMind DB (.mmdb) file, or leave it out to " +
            "use the bundled country database"),
      { cause: error },
    );
  }
  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader<Record<string, unknown>>(Buffer.from(bytes));
  } catch (error) {
    throw new Error(
      `the GeoIP database ${source} is not a readable MaxMind DB file (${
        errorText(error, { firstLine: true })
      }); replace it with a .mmdb file (e.g. an @ip-location-db/*-mmdb package's)`,
      { cause: error },
    );
  }
  const { databaseType, buildEpoch } = reader.metadata;
  return {
    source,
    version: `${databaseType} built ${buildEpoch.toISOString()}`,
    lookup(address) {
      let found: Record<string, unknown> | null;
      try {
        found = reader.get(address);
      } catch {
        return undefined; // not an IP address
      }
      return found === null ? undefined : locationOf(found);
    },
  };
}

/** Reads both layouts: MaxMind's nested records and ip-location-db's flat ones. */
function locationOf(found: Record<string, unknown>): GeoLocation {
  const nested = (value: unknown, ...keys: string[]): unknown =>
    keys.reduce<unknown>(
      (inner, key) =>
        typeof inner === "object" && inner !== null
          ? (inner as Record<string, unknown>)[key]
          : undefined,
      value,
    );
  const text = (...values: unknown[]) =>
    values.find((value): value is string => typeof value === "string" && value !== "");
  const location: GeoLocation = {};
  const country = text(
    found.country_code,
    nested(found, "country", "iso_code"),
    nested(found, "registered_country", "iso_code"),
  );
  if (country !== undefined) location.country = country.toUpperCase();
  const subdivision = Array.isArray(found.subdivisions) ? found.subdivisions[0] : undefined;
  const region = text(
    found.state1,
    nested(subdivision, "iso_code"),
    nested(subdivision, "names", "en"),
  );
  if (region !== undefined) location.region = region;
  const city = text(found.city, nested(found, "city", "names", "en"));
  if (city !== undefined) location.city = city;
  const asn = found.autonomous_system_number;
  if (typeof asn === "number") location.asn = asn;
  return location;
}

/**
 * A database file that can be replaced without a restart: every `everyMs` it looks at the
 * file's modification time and size and, when they changed, opens it again and uses it from
 * then on. A replacement that cannot be read is logged and the database in use kept. The
 * check runs on an unreferenced timer, so it never keeps the process alive.
 *
 * Replace the file by renaming a complete new one over it (`mv new.mmdb city.mmdb`), so a
 * check never reads it half-written.
 *
 * @param path The `.mmdb` file.
 * @param everyMs How often to look at the file.
 * @param log Told when a new version is in use, or a replacement could not be read.
 * @returns The database, and `stop` to end the checks.
 * @throws {Error} As {@linkcode openGeoDatabase}, when the file cannot be used at first.
 *
 * @example
 * ```ts ignore
 * import { reloadingGeoDatabase } from "./geoip.ts";
 * const { database, stop } = await reloadingGeoDatabase("city.mmdb", 60_000, console.log);
 * database.lookup("8.8.8.8");
 * stop();
 * ```
 */
export async function reloadingGeoDatabase(
  path: string,
  everyMs: number,
  log: (line: string) => void,
): Promise<{ database: GeoDatabase; stop: () => void }> {
  const fingerprint = async () => {
    const info = await Deno.stat(path);
    return `${info.mtime?.getTime()}/${info.size}`;
  };
  let current = await openGeoDatabase(path);
  let seen = await fingerprint();
  let checking = false;
  const timer = setInterval(async () => {
    if (checking) return;
    checking = true;
    try {
      const now = await fingerprint();
      if (now === seen) return;
      seen = now;
      current = await openGeoDatabase(path);
      log(`geoip: now using ${current.source} (${current.version})`);
    } catch (error) {
      log(`geoip: kept the database in use: ${errorText(error, { firstLine: true })}`);
    } finally {
      checking = false;
    }
  }, everyMs);
  Deno.unrefTimer(timer);
  return {
    database: {
      source: path,
      get version() {
        return current.version;
      },
      lookup: (address) => current.lookup(address),
    },
    stop: () => clearInterval(timer),
  };
}
