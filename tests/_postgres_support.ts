/**
 * A PostgreSQL database of a test's own on the local (or `DATABASE_URL`) server, started when
 * nothing answers, and dropped again by the test.
 *
 * @module
 */
// @ts-types="@types/pg"
import pg from "pg";
import { ensurePostgres } from "../lib/services/postgres_native.ts";
import { databaseUrl } from "../lib/services/settings.ts";
import { uniqueSuffix } from "./_support.ts";

/** A database a test owns. */
export interface TestDatabase {
  /** Its name. */
  name: string;
  /** URL connecting to it. */
  url: string;
  /** A client connected to it, for the test's own queries. */
  client: pg.Client;
  /** Closes the client and drops the database (connections still open are ended). */
  drop(): Promise<void>;
}

/** Creates a fresh database, starting the local PostgreSQL when nothing answers. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = databaseUrl();
  await ensurePostgres([server], () => {});
  const name = `wa_test_${uniqueSuffix()}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    name,
    url: url.toString(),
    client,
    async drop() {
      await client.end().catch(() => {});
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
