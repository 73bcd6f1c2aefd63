import assert from "assert";
import geoip from "./geoip.ts";

Deno.test("geoip: country from the bundled database, the version logged, sent countries kept", async () => {
  const lines: string[] = [];
  const apply = await geoip.open(geoip.options.parse({}), { log: (line) => lines.push(line) });
  assert.match(
    lines[0]!,
    /^geoip: @ip-location-db\/geo-whois-asn-country-mmdb@\S+ \(country ipvAll built \d{4}-/,
  );
  assert.equal(apply({ timestamp: 0, remote_addr: "8.8.8.8" })?.country, "US");
  assert.equal(apply({ timestamp: 0, remote_addr: "8.8.8.8", country: "DE" })?.country, "DE");
  assert.equal(apply({ timestamp: 0, remote_addr: "10.1.2.3" })?.country, undefined);
  assert.equal(apply({ timestamp: 0, remote_addr: "-" })?.country, undefined);
});

Deno.test("geoip: a missing or unreadable database stops the start saying what to do", async () => {
  await assert.rejects(
    async () =>
      await geoip.open(geoip.options.parse({ database: "/nonexistent/x.mmdb" }), { log: () => {} }),
    /cannot read the GeoIP database \/nonexistent\/x\.mmdb: .*; set options\.database to an existing MaxMind DB/,
  );
  const junk = await Deno.makeTempFile({ suffix: ".mmdb" });
  await Deno.writeTextFile(junk, "not a database");
  try {
    await assert.rejects(
      async () => await geoip.open(geoip.options.parse({ database: junk }), { log: () => {} }),
      /is not a readable MaxMind DB file .*; replace it with a \.mmdb file/,
    );
  } finally {
    await Deno.remove(junk);
  }
});
