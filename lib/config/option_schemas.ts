/**
 * Zod schemas for option values that end up in CQL or Kafka, for plugins to reuse: each says
 * what it expected and what it found.
 *
 * @module
 */
import { z } from "zod";
import { explainCqlIdentifier, isCqlIdentifier, isTopicName } from "./identifiers.ts";
import { DURATION_PATTERN } from "../parse/duration.ts";

/**
 * A table (or other CQL) name: lower case letter, then letters, digits or `_`; not reserved.
 *
 * @example
 * ```ts
 * import { cqlIdentifier } from "./option_schemas.ts";
 * cqlIdentifier().parse("results"); // "results"
 * ```
 */
export function cqlIdentifier(): z.ZodString {
  return z.string().check((context) => {
    if (!isCqlIdentifier(context.value)) {
      context.issues.push({
        code: "custom",
        message: explainCqlIdentifier(context.value),
        input: context.value,
      });
    }
  }).meta({ format: "CQL identifier" });
}

/**
 * A Kafka topic name: 1..249 characters from `A-Z a-z 0-9 . _ -`.
 *
 * @example
 * ```ts
 * import { topicName } from "./option_schemas.ts";
 * topicName().parse("RAWLOG"); // "RAWLOG"
 * ```
 */
export function topicName(): z.ZodString {
  return z.string().check((context) => {
    if (!isTopicName(context.value)) {
      context.issues.push({
        code: "custom",
        message: `expected a Kafka topic name (1-249 characters from A-Z a-z 0-9 . _ -), ` +
          `found ${JSON.stringify(context.value)}`,
        input: context.value,
      });
    }
  }).meta({ format: "Kafka topic name" });
}

/**
 * A duration such as `90s`, `5m`, `1h` or `3d` (also `ms`); read it with `parseDuration`.
 *
 * @example
 * ```ts
 * import { duration } from "./option_schemas.ts";
 * duration().parse("10m"); // "10m"
 * ```
 */
export function duration(): z.ZodString {
  return z.string().regex(DURATION_PATTERN, "a duration like 90s, 5m, 1h or 3d")
    .meta({ format: "duration, e.g. 90s, 5m, 1h, 3d" });
}

/**
 * The `exclude_bots` option every aggregation that can skip bots offers: one description, one
 * detector (the SDK's `isBot`).
 *
 * @param defaultValue Whether bots are skipped when the option is left out.
 *
 * @example
 * ```ts
 * import { excludeBots } from "./option_schemas.ts";
 * excludeBots(false).parse(undefined); // false
 * ```
 */
export function excludeBots(defaultValue: boolean): z.ZodDefault<z.ZodBoolean> {
  return z.boolean().default(defaultValue)
    .describe(
      "Skip records whose user agent the SDK's isBot flags (the crawler-user-agents list: " +
        "crawlers, monitors, HTTP libraries, curl, wget...; plus self-declared bots).",
    )
    .meta({ examples: [true] });
}

/**
 * A HyperLogLog precision option: an integer p from 10 to 16, giving 2^p registers and a
 * relative standard error of 1.04/sqrt(2^p). The bounds keep the error under 3.3% and a
 * sketch, one value of keyed state, at 64 KiB at most.
 *
 * @param defaultValue The precision when the option is left out.
 * @param description What the precision sizes, in the plugin's own words.
 *
 * @example
 * ```ts
 * import { hllPrecision } from "./option_schemas.ts";
 * hllPrecision(14, "HyperLogLog precision p.").parse(undefined); // 14
 * ```
 */
export function hllPrecision(
  defaultValue: number,
  description: string,
): z.ZodDefault<z.ZodNumber> {
  return z.number().int().min(10).max(16).default(defaultValue)
    .describe(description)
    .meta({ examples: [defaultValue] });
}
