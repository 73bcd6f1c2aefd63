/**
 * Configuration problems, located in the file, and the error that carries all of them.
 *
 * @module
 */

/** One step of a path into the configuration: a key or a list index. */
export type PathSegment = string | number;

/** One problem found in pipeline.yaml. */
export interface ConfigIssue {
  /** File the problem is in. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Where in the configuration, e.g. `aggregations[1].options.n`; `""` for the whole file. */
  path: string;
  /** What was expected and what was found. */
  message: string;
}

/** Thrown by the loader with every problem found in the file, in file order. */
export class PipelineError extends Error {
  /** Every problem found. */
  readonly issues: ConfigIssue[];

  /** @param issues The problems; the message renders them with {@linkcode formatIssues}. */
  constructor(issues: ConfigIssue[]) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(`invalid pipeline (${count}):\n${formatIssues(issues)}`);
    this.name = "PipelineError";
    this.issues = issues;
  }
}

/**
 * Renders a path like `aggregations[1].options.n`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { formatPath } from "./issues.ts";
 * assert.equal(formatPath(["aggregations", 1, "options", "n"]), "aggregations[1].options.n");
 * ```
 */
export function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/**
 * Renders issues as `file:line:col: path: message` lines, in the order given.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { formatIssues } from "./issues.ts";
 * const text = formatIssues([
 *   { file: "p.yaml", line: 3, column: 7, path: "sources[0].name", message: "expected a name" },
 * ]);
 * assert.equal(text, "p.yaml:3:7: sources[0].name: expected a name");
 * ```
 */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => {
      const where = `${issue.file}:${issue.line}:${issue.column}`;
      return issue.path
        ? `${where}: ${issue.path}: ${issue.message}`
        : `${where}: ${issue.message}`;
    })
    .join("\n");
}

/**
 * Sorts issues by line, then column (stable, so issues at one spot keep their order).
 *
 * @returns A new, sorted array.
 */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}
