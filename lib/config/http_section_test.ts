import assert from "assert";
import { writeFixturePlugins } from "./_fixture_plugins.ts";
import { loadPipelineText, PipelineError } from "./load.ts";

const dir = await writeFixturePlugins();
const file = `${dir}/pipeline.yaml`;

const pipeline = (http: string) =>
  `${http}
sources:
  - name: rawlog
    plugin: ./source.ts
    options: { topic: RAWLOG }
aggregations:
  - name: statuses
    plugin: status_counts
    source: rawlog
`;

Deno.test("http section: listen defaults to 127.0.0.1:8080 and takes host:port", async () => {
  assert.deepEqual((await loadPipelineText(pipeline(""), file, {})).http, {
    hostname: "127.0.0.1",
    port: 8080,
  });
  const wide = await loadPipelineText(pipeline('http: { listen: "0.0.0.0:9000" }'), file, {});
  assert.deepEqual(wide.http, { hostname: "0.0.0.0", port: 9000 });
  const v6 = await loadPipelineText(pipeline('http: { listen: "[::1]:8081" }'), file, {});
  assert.deepEqual(v6.http, { hostname: "::1", port: 8081 });
});

Deno.test("http section: a bad address or key is reported at its line and column", async () => {
  try {
    await loadPipelineText(pipeline("http:\n  listen: localhost\n  lisen: x"), file, {});
    assert.fail("expected a PipelineError");
  } catch (error) {
    assert.ok(error instanceof PipelineError);
    const found = error.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
    assert.equal(found.length, 2);
    assert.match(found[0]!, /^2:11 http\.listen: expected host:port, e\.g\. 127\.0\.0\.1:8080/);
    assert.match(found[1]!, /^3:3 http.lisen: unknown key 'lisen' \(did you mean 'listen'\?\)$/);
  }
});
