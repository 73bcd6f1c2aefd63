import assert from "assert";
import bundled from "geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" with { type: "bytes" };
import { reloadingGeoDatabase } from "./geoip.ts";

/** Polls `condition` until it holds (no fixed sleep decides the outcome). */
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test("reloadingGeoDatabase: a replaced file is used, an unreadable one is logged and skipped", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/country.mmdb`;
  await Deno.writeFile(path, bundled);
  const lines: string[] = [];
  const { database, stop } = await reloadingGeoDatabase(path, 20, (line) => lines.push(line));
  try {
    assert.equal(database.lookup("8.8.8.8")?.country, "US");
    // A broken replacement (renamed over the file, as the docs say) is not used.
    await Deno.writeTextFile(`${dir}/next.mmdb`, "not a database, but longer than before? no");
    await Deno.rename(`${dir}/next.mmdb`, path);
    await until("the broken file to be noticed", () => lines.length > 0);
    assert.match(
      lines[0]!,
      /^geoip: kept the database in use: the GeoIP database .* is not a readable/,
    );
    assert.equal(database.lookup("8.8.8.8")?.country, "US");
    // A good one is opened and used.
    await Deno.writeFile(`${dir}/next.mmdb`, bundled);
    await Deno.rename(`${dir}/next.mmdb`, path);
    await until("the new file to be used", () => lines.length > 1);
    assert.match(lines[1]!, /^geoip: now using .*country\.mmdb \(country ipvAll built /);
    assert.equal(database.lookup("1.1.1.1")?.country !== undefined, true);
  } finally {
    stop();
    await Deno.remove(dir, { recursive: true });
  }
});
