/**
 * Checks schedule cron expressions the way `Deno.cron` will read them: five fields, UTC.
 *
 * @module
 */
import { Cron } from "croner";
import { errorText } from "../errors.ts";

/**
 * Why `expression` is not a five-field cron expression, or undefined when it is valid.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { cronProblem } from "./cron.ts";
 * assert.equal(cronProblem("15 0 * * *"), undefined);
 * assert.match(cronProblem("61 0 * * *") ?? "", /minute/);
 * ```
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter((field) => field !== "");
  if (fields.length !== 5) {
    return `expected a cron expression with 5 fields (minute hour day-of-month month ` +
      `day-of-week), found ${fields.length} in ${JSON.stringify(expression)}`;
  }
  try {
    new Cron(expression, { paused: true, timezone: "UTC" }).stop();
    return undefined;
  } catch (error) {
    return `invalid cron expression ${JSON.stringify(expression)}: ${
      errorText(error, { firstLine: true }).replace(/^CronPattern: /, "")
    }`;
  }
}

/**
 * The next fire times of a valid cron expression, in UTC.
 *
 * @param expression Five-field cron expression.
 * @param count How many.
 * @param after Start looking after this instant.
 */
export function nextFireTimes(expression: string, count: number, after: Date): Date[] {
  const cron = new Cron(expression, { paused: true, timezone: "UTC" });
  const runs = cron.nextRuns(count, after);
  cron.stop();
  return runs;
}
