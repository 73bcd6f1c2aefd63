/**
 * `filter`: keeps or drops records by a condition on their fields.
 *
 * @module
 */
import { compileCondition, conditionSchema, type TransformPlugin, z } from "../../lib/sdk/mod.ts";

const options = z.strictObject({
  keep: conditionSchema().optional()
    .describe(
      "Keep only the records that meet this condition, e.g. { field: device, in: [mobile, " +
        "tablet] } ({field, equals | in | prefix | matches | exists | gt | gte | lt | lte}, or " +
        "all/any/not of conditions).",
    )
    .meta({ examples: [{ field: "device", in: ["mobile", "tablet"] }] }),
  drop: conditionSchema().optional()
    .describe(
      "Drop the records that meet this condition (checked after keep), e.g. { field: " +
        "request_uri, prefix: /health }.",
    )
    .meta({ examples: [{ field: "request_uri", prefix: "/health" }] }),
}).refine((value) => value.keep !== undefined || value.drop !== undefined, {
  message: "give keep: or drop: (or both), each a condition such as { field: device, " +
    "equals: mobile }",
});

/** Validated `filter` options. */
export type FilterOptions = z.output<typeof options>;

/** The `filter` transform plugin. */
const filter: TransformPlugin<FilterOptions> = {
  kind: "transform",
  name: "filter",
  summary: "Keeps or drops records by a condition on their fields (no code).",
  description: "A dropped record is read and acknowledged but not written to log, not " +
    "counted by any aggregation and not dead-lettered; the runner counts it as filtered " +
    "(status line, web_analytics_records_filtered_total). Conditions are described in " +
    "docs/transforms.md.",
  options,
  example: {
    drop: {
      any: [{ field: "request_uri", prefix: "/health" }, { field: "remote_addr", prefix: "10." }],
    },
  },
  open({ keep, drop }) {
    const keeps = keep === undefined ? () => true : compileCondition(keep);
    const drops = drop === undefined ? () => false : compileCondition(drop);
    return (record) => keeps(record) && !drops(record) ? record : undefined;
  },
};

export default filter;
