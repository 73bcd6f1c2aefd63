/**
 * Reads pipeline.yaml text into plain data, with environment variables interpolated and a
 * locator that maps any configuration path back to its line and column.
 *
 * @module
 */
import {
  type Document,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Scalar,
  visit,
} from "yaml";
import { interpolate, readPlainScalar } from "./interpolate.ts";
import type { ConfigIssue, PathSegment } from "./issues.ts";
import { createLocator, type Locate } from "./positions.ts";

/** A parsed pipeline file. */
export type ReadDocument =
  | { ok: true; data: unknown; locate: Locate; missingVariables: MissingVariable[] }
  | { ok: false; issues: ConfigIssue[] };

/** A scalar that referenced an unset variable without a default. */
export interface MissingVariable {
  /** Where the scalar is. */
  path: PathSegment[];
  /** The unset variable. */
  variable: string;
}

/**
 * Parses YAML text and interpolates `${VAR}` / `${VAR:-default}` in every scalar value.
 *
 * @param text File contents.
 * @param file File name, for syntax issues.
 * @param env Variables for interpolation.
 * @returns The data and a locator, or the syntax errors (with the parser's positions).
 */
export function readDocument(
  text: string,
  file: string,
  env: Record<string, string | undefined>,
): ReadDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      // Later syntax errors are mostly echoes of the first one; fix it and run again.
      issues: document.errors.slice(0, 1).map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const message = error.message.split("\n")[0] ?? error.message;
        return { file, line, column: col, path: "", message: `invalid YAML: ${message}` };
      }),
    };
  }
  const missingVariables = interpolateDocument(document, env);
  return {
    ok: true,
    data: document.toJS(),
    locate: createLocator(document, lineCounter),
    missingVariables,
  };
}

/** Interpolates every scalar value (not keys) in place; returns unset variables. */
function interpolateDocument(
  document: Document,
  env: Record<string, string | undefined>,
): MissingVariable[] {
  const missing: MissingVariable[] = [];
  visit(document, {
    Scalar(key, node, ancestors) {
      if (key === "key" || typeof node.value !== "string") return;
      const result = interpolate(node.value, env);
      if (!result.changed) return;
      const path = pathOf([...ancestors, node]);
      for (const variable of result.missing) missing.push({ path, variable });
      (node as Scalar<unknown>).value = node.type === "PLAIN"
        ? readPlainScalar(result.value)
        : result.value;
    },
  });
  return missing;
}

/** The configuration path of a node from its ancestors (document, maps, pairs, seqs). */
function pathOf(chain: readonly unknown[]): PathSegment[] {
  const path: PathSegment[] = [];
  for (const [index, node] of chain.entries()) {
    if (isPair(node)) {
      path.push(isScalar(node.key) ? String(node.key.value) : String(node.key));
    } else if (isSeq(node)) {
      const next = chain[index + 1];
      path.push(node.items.indexOf(next as never));
    }
  }
  return path;
}
