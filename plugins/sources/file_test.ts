import assert from "assert";
import { loadPipeline, loadPipelineText, PipelineError } from "../../lib/config/load.ts";
import { REPO_ROOT } from "../../lib/services/settings.ts";
import { lineParser } from "./log_lines/format_options.ts";
import type { FileSourceOptions } from "./file.ts";

const EXAMPLE = `${REPO_ROOT}/examples/nginx.yaml`;

Deno.test("examples/nginx.yaml is valid and its format reads every line of its sample log", async () => {
  const pipeline = await loadPipeline(EXAMPLE, { KAFKA_BROKERS: "127.0.0.1:9092" });
  const files = pipeline.sources.find((source) => source.plugin.name === "file");
  assert.ok(files !== undefined);
  const settings = files.options as FileSourceOptions;
  assert.deepEqual(settings.paths, ["examples/nginx/access.log*"]);
  const format = lineParser(settings);
  const text = await Deno.readTextFile(`${REPO_ROOT}/examples/nginx/access.log`);
  const lines = text.trimEnd().split("\n");
  let timed = 0;
  for (const line of lines) {
    const result = format.parse(line, Date.UTC(2026, 10, 21));
    assert.ok(result.ok, result.ok ? "" : `${result.reason} <- ${line}`);
    assert.equal(result.record.props?.site, "shop.example");
    if (result.record.request_time! > 0) timed++;
  }
  assert.equal(lines.length, 1200);
  assert.ok(timed > lines.length * 0.9, `${timed} lines with a request time`);
});

Deno.test("a format that cannot be compiled is reported at its file:line:col with the column in it", async () => {
  const text = `sources:
  - name: nginx_files
    plugin: file
    options:
      paths: [/var/log/nginx/access.log*]
      format: '$remote_addr [$time_local$request] $status'
  - name: syslog_in
    plugin: syslog
    options: { format: combined }
  - name: nginx_log
    plugin: kafka
aggregations:
  - name: top
    plugin: top_pages
    source: nginx_log
    window: 1d
    sinks: [results]
sinks:
  - name: results
    plugin: cassandra
    options: { table: results }
`;
  try {
    await loadPipelineText(text, "p.yaml", {});
    assert.fail("loaded");
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    const issues = error.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
    assert.deepEqual(issues, [
      "6:15 sources[0].options.format: $time_local and $request (column 26 of the format) have " +
      "no text between them, so a line cannot be split between them; put a space or other " +
      "text between",
      "9:14 sources[1].options: the syslog source listens nowhere: set udp, tcp or both (e.g. " +
      "udp: 0.0.0.0:5514)",
    ]);
  }
});
