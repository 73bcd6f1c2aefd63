import assert from "assert";
import { ensurePostgres, redactUrl } from "./postgres_native.ts";
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
    () => ensurePostgres(["postgres://bi:secret@127.0.0.1:1/shop"], () => {}, 1000),
    (error: Error) =>
      error instanceof ServicesError && /127\.0\.0\.1:1\/shop did not answer/.test(error.message) &&
      !error.message.includes("secret") && /DATABASE_URL/.test(error.message),
  );
});

Deno.test("ensurePostgres leaves the local PostgreSQL answering (starting it when needed)", async () => {
  await ensurePostgres([databaseUrl()], () => {});
  const probe = await probePostgres(databaseUrl());
  assert.ok(probe.ok, probe.ok ? "" : probe.error);
});
