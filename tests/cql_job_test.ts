import assert from "assert";

/** Runs `deno task cql` (jobs/cql.ts) with one statement; returns its exit code and output. */
async function cql(statement: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("../jobs/cql.ts", import.meta.url).pathname, statement],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

Deno.test("cql: statements without rows (DDL, INSERT) say done; a SELECT prints its rows", async () => {
  const keyspace = `cql_job_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  try {
    for (
      const statement of [
        `CREATE KEYSPACE ${keyspace} WITH replication = ` +
        "{'class': 'SimpleStrategy', 'replication_factor': 1}",
        `CREATE TABLE ${keyspace}.t (k text PRIMARY KEY, n int)`,
        `INSERT INTO ${keyspace}.t (k, n) VALUES ('a', 1)`,
      ]
    ) {
      const run = await cql(statement);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^done\.$/m, statement);
    }
    const select = await cql(`SELECT k, n FROM ${keyspace}.t`);
    assert.equal(select.code, 0, select.stderr);
    assert.match(select.stdout, /^a +\| 1 *$/m);
    assert.match(select.stdout, /\(1 rows\)/);
  } finally {
    await cql(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  }
});
