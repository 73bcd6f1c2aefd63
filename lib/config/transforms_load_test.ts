import assert from "assert";
import { writeFixturePlugins } from "./_fixture_plugins.ts";
import { loadPipelineText, PipelineError } from "./load.ts";
import { describePlan } from "./plan.ts";

const dir = await writeFixturePlugins();
const file = `${dir}/pipeline.yaml`;

const PIPELINE = `sources:
  - name: rawlog
    plugin: ./source.ts
    options: { topic: RAWLOG }
transforms:
  - name: campaigns
    plugin: utm
  - name: no_health_checks
    plugin: filter
    options:
      drop: { field: request_uri, prefix: /health }
aggregations:
  - name: mobile_pages
    plugin: top_pages
    source: rawlog
    where: { field: device, in: [mobile, tablet] }
    sinks: [results]
sinks:
  - name: results
    plugin: ./table_sink.ts
    options: { table: results }
`;

async function problems(yaml: string): Promise<string[]> {
  try {
    await loadPipelineText(yaml, file, {});
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    return error.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
  }
  throw new Error("expected a PipelineError");
}

Deno.test("transforms: and where: load, in order, with where: limiting the aggregation", async () => {
  const pipeline = await loadPipelineText(PIPELINE, file, {});
  assert.deepEqual(pipeline.transforms.map((t) => [t.name, t.plugin.name]), [
    ["campaigns", "utm"],
    ["no_health_checks", "filter"],
  ]);
  const [mobile] = pipeline.aggregations;
  assert.deepEqual(mobile?.where, { field: "device", in: ["mobile", "tablet"] });
  const aggregation = mobile!.aggregation;
  let state = aggregation.start();
  state = aggregation.add(state, { timestamp: 0, page_path: "/a", device: "mobile" });
  state = aggregation.add(state, { timestamp: 0, page_path: "/b", device: "desktop" });
  assert.deepEqual(aggregation.finish(state).map((row) => row.key), ["/a"]);
  assert.equal(
    aggregation.keyed?.keyOf({ timestamp: 0, page_path: "/b", device: "desktop" }),
    undefined,
  );
  assert.equal(aggregation.keyed?.keyOf({ timestamp: 0, page_path: "/b", device: "tablet" }), "/b");
});

Deno.test("transforms: a wrong plugin, option or condition is reported at file:line:col", async () => {
  const broken = PIPELINE
    .replace("plugin: utm", "plugin: utmm")
    .replace("prefix: /health", "prefx: /health")
    .replace("in: [mobile, tablet]", "gt: mobile");
  assert.deepEqual(await problems(broken), [
    "7:13 transforms[0].plugin: unknown transform plugin 'utmm' (did you mean 'utm'?)",
    "11:42 transforms[1].options.drop.prefx: unknown test 'prefx'; expected one of equals, in, " +
    "prefix, matches, exists, gt, gte, lt, lte",
    '16:33 aggregations[0].where.gt: expected a number, found "mobile"',
  ]);
});

Deno.test("transforms: an aggregation plugin in transforms: says which kind the section needs", async () => {
  const wrong = PIPELINE.replace("plugin: utm", "plugin: top_pages");
  assert.deepEqual(await problems(wrong), [
    "7:13 transforms[0].plugin: plugin 'top_pages' is an aggregation plugin, but this section " +
    "needs a transform plugin",
  ]);
});

Deno.test("transforms: filter needs keep or drop", async () => {
  const empty = PIPELINE.replace(
    "    options:\n      drop: { field: request_uri, prefix: /health }\n",
    "    options: {}\n",
  );
  const found = await problems(empty);
  assert.equal(found.length, 1);
  assert.match(found[0]!, /^10:14 transforms\[1\]\.options: give keep: or drop:/);
});

Deno.test("transforms: --check lists them in order and marks a where: aggregation", async () => {
  const plan = describePlan(await loadPipelineText(PIPELINE, file, {}));
  assert.match(
    plan,
    /Transforms \(each record, in this order, before log\)\n {2}1\. {2}campaigns {9}utm\n {2}2\. {2}no_health_checks {2}filter\n/,
  );
  assert.match(plan, /mobile_pages {2}top_pages {2}reads rawlog \(where:\)/);
});
