import assert from "assert";
import { withDayWords } from "./cql_dates.ts";

const EVENING_UTC = Date.UTC(2026, 11, 7, 23, 30);

Deno.test("'today' and 'yesterday' become local dates", () => {
  const { statement, replaced } = withDayWords(
    "SELECT * FROM t WHERE date IN ('today', 'YESTERDAY')",
    "UTC",
    EVENING_UTC,
  );
  assert.equal(statement, "SELECT * FROM t WHERE date IN ('2026-12-07', '2026-12-06')");
  assert.deepEqual(replaced, ["today = 2026-12-07", "yesterday = 2026-12-06"]);
});

Deno.test("today is the date in the tables' time zone", () => {
  const { statement } = withDayWords("WHERE date = 'today'", "Europe/Berlin", EVENING_UTC);
  assert.equal(statement, "WHERE date = '2026-12-08'");
});

Deno.test("only whole literals are day words", () => {
  const cql = "SELECT today FROM t WHERE note = 'today''s pages' AND page = '/today'";
  assert.deepEqual(withDayWords(cql, "UTC", EVENING_UTC), { statement: cql, replaced: [] });
});

Deno.test("a statement without day words is left as it is", () => {
  const cql = "SELECT * FROM t WHERE date = '2026-11-23'";
  assert.deepEqual(withDayWords(cql, "UTC", EVENING_UTC), { statement: cql, replaced: [] });
});
