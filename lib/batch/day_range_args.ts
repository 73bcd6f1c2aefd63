/**
 * Reads `--from` and `--to` command-line values into a day range, or exits with a clear message.
 *
 * @module
 */
import type { DayRange } from "./window_selection.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Validates `--from`/`--to`; prints what is wrong and exits 2 when they are not usable. */
export function parseDayRange(
  from: string | undefined,
  to: string | undefined,
  usage: string,
): DayRange {
  const problems: string[] = [];
  for (const [flag, value] of [["--from", from], ["--to", to]] as const) {
    if (value === undefined) problems.push(`${flag} is required (a day like 2026-11-22)`);
    else if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      problems.push(`${flag}: expected a day like 2026-11-22, found "${value}"`);
    }
  }
  if (problems.length === 0 && from! > to!) problems.push(`--from ${from} is after --to ${to}`);
  if (problems.length > 0) {
    console.error(`${problems.join("\n")}\n\n${usage}`);
    Deno.exit(2);
  }
  return { from: from!, to: to! };
}
