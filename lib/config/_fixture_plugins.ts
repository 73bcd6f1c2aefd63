/**
 * Tiny source and sink plugins written to a temporary folder for loader tests, so the tests
 * never depend on the real Kafka or Cassandra plugins.
 *
 * @module
 */

const FIXTURES: Record<string, string> = {
  "source.ts": `
import { z } from "zod";
export default {
  kind: "source",
  name: "fixture_source",
  summary: "Reads a topic, or feeds one when to_topic is set.",
  options: z.strictObject({
    topic: z.string().optional(),
    to_topic: z.string().optional(),
    rate: z.number().int().min(1).default(10),
  }),
  example: { topic: "RAWLOG" },
  topics: (o) => [o.topic ?? o.to_topic].filter(Boolean).map((topic) => ({ topic, partitions: 1 })),
  feedsTopic: (o) => o.to_topic,
  open: () => Promise.reject(new Error("not in tests")),
};
`,
  "table_sink.ts": `
import { z } from "zod";
export default {
  kind: "sink",
  name: "fixture_table_sink",
  summary: "Writes one Cassandra table.",
  options: z.strictObject({ table: z.string(), ttl_days: z.number().int().optional() }),
  example: { table: "results" },
  tables: (o) => [o.table],
  open: () => Promise.reject(new Error("not in tests")),
};
`,
  "topic_sink.ts": `
import { z } from "zod";
export default {
  kind: "sink",
  name: "fixture_topic_sink",
  summary: "Writes one Kafka topic.",
  options: z.strictObject({ topic: z.string() }),
  example: { topic: "RESULTS" },
  topics: (o) => [{ topic: o.topic, partitions: 1 }],
  open: () => Promise.reject(new Error("not in tests")),
};
`,
  "top_referrers.ts": `
import { z } from "zod";
export default {
  kind: "aggregation",
  name: "top_referrers",
  summary: "Most frequent referrers per day.",
  options: z.strictObject({ n: z.number().int().min(1).default(3) }),
  example: { n: 3 },
  create: (o) => ({
    shape: { key: { name: "referrer", type: "text" }, values: [{ name: "visits", type: "bigint" }] },
    start: () => ({}),
    add(state, record) {
      if (record.http_referrer !== "-") {
        state[record.http_referrer] = (state[record.http_referrer] ?? 0) + 1;
      }
      return state;
    },
    merge(into, other) {
      for (const [k, v] of Object.entries(other)) into[k] = (into[k] ?? 0) + v;
      return into;
    },
    finish: (state) =>
      Object.entries(state)
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
        .slice(0, o.n)
        .map(([key, visits]) => ({ key, values: { visits } })),
  }),
};
`,
  "bad_columns.ts": `
import { z } from "zod";
export default {
  kind: "aggregation",
  name: "bad_columns",
  summary: "Declares result columns that are not CQL identifiers.",
  options: z.strictObject({}),
  example: {},
  create: () => ({
    shape: { key: { name: "select", type: "text" }, values: [{ name: "Visits", type: "bigint" }] },
    start: () => ({}),
    add: (state) => state,
    merge: (into) => into,
    finish: () => [],
  }),
};
`,
  "not_a_plugin.ts": `export default 42;\n`,
  "broken.ts": `throw new Error("boom at import");\n`,
};

/**
 * Writes the fixture plugins into a new temporary folder.
 *
 * @returns The folder path; pipelines placed there refer to `./source.ts`, `./table_sink.ts`,
 *   `./topic_sink.ts`, `./top_referrers.ts`, `./bad_columns.ts`, `./not_a_plugin.ts` and
 *   `./broken.ts`.
 */
export async function writeFixturePlugins(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "pipeline_fixtures_" });
  for (const [name, text] of Object.entries(FIXTURES)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  // The same modules in the kind folders a plugins directory has, for bare-name lookups.
  for (const [folder, names] of Object.entries(KIND_LAYOUT)) {
    await Deno.mkdir(`${dir}/${folder}`, { recursive: true });
    for (const name of names) await Deno.writeTextFile(`${dir}/${folder}/${name}`, FIXTURES[name]!);
  }
  return dir;
}

const KIND_LAYOUT: Record<string, string[]> = {
  sources: ["source.ts", "broken.ts"],
  aggregations: ["top_referrers.ts"],
  sinks: ["table_sink.ts", "topic_sink.ts", "not_a_plugin.ts"],
};
