/**
 * `stdout` sink: prints each changed window result, for trying a pipeline out.
 *
 * @module
 */
import { keyValues, type SinkPlugin, z } from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  rows: z.number().int().min(1).max(1000).default(5)
    .describe("How many rows of each result to print.")
    .meta({ examples: [5] }),
});

/** Validated `stdout` sink options. */
export type StdoutSinkOptions = z.output<typeof options>;

/** The `stdout` sink plugin. */
const stdoutSink: SinkPlugin<StdoutSinkOptions> = {
  kind: "sink",
  name: "stdout",
  summary: "Prints every changed window result to standard output.",
  options,
  example: { rows: 5 },
  open(settings) {
    return Promise.resolve({
      prepare: () => Promise.resolve(),
      write(results) {
        for (const result of results) {
          const rows = result.rows.slice(0, settings.rows).map((row) =>
            `${keyValues(row).join("|")}=${Object.values(row.values).join("/")}`
          );
          console.log(
            `${result.aggregation} ${result.window.key} (${result.window.size}, ${result.records} records): ${
              rows.join(", ")
            }`,
          );
        }
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    });
  },
};

export default stdoutSink;
