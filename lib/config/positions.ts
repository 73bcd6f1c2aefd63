/**
 * Maps configuration paths back to line and column in the YAML source, so every issue
 * points at the text the user has to change.
 *
 * @module
 */
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { PathSegment } from "./issues.ts";

/** A 1-based position in the file. */
export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** Finds where a configuration path is written. */
export type Locate = (path: readonly PathSegment[], target?: "value" | "key") => Position;

/**
 * Builds a {@linkcode Locate} function for a parsed document.
 *
 * The position of a path is its value node (or its key node with `target: "key"`). When the
 * path does not exist (a missing key), it is the key of the deepest entry that does exist, so a
 * "missing option" issue points at `options:`.
 *
 * @param document Parsed with the same `lineCounter`.
 * @param lineCounter Filled while parsing.
 * @returns The locator.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { LineCounter, parseDocument } from "yaml";
 * import { createLocator } from "./positions.ts";
 * const lineCounter = new LineCounter();
 * const document = parseDocument("a:\n  b: [1, 2]\n", { lineCounter });
 * const locate = createLocator(document, lineCounter);
 * assert.deepEqual(locate(["a", "b", 1]), { line: 2, column: 10 });
 * assert.deepEqual(locate(["a", "c"]), { line: 1, column: 1 });
 * ```
 */
export function createLocator(document: Document, lineCounter: LineCounter): Locate {
  const positionOf = (node: Node | null | undefined): Position | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  return (path, target = "value") => {
    let node: unknown = document.contents;
    // Where to point when the path stops existing: the key that led to the current node.
    let fallback: Position = positionOf(document.contents as Node) ?? { line: 1, column: 1 };
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) =>
          isScalar(item.key) ? String(item.key.value) === String(segment) : false
        );
        if (!pair) return fallback;
        const keyPosition = positionOf(pair.key as Node) ?? fallback;
        if (last && target === "key") return keyPosition;
        fallback = keyPosition;
        node = pair.value;
        if (!node || !(node as Node).range) return keyPosition;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (!item) return fallback;
        node = item;
        fallback = positionOf(item as Node) ?? fallback;
      } else {
        return fallback;
      }
    }
    return positionOf(node as Node) ?? fallback;
  };
}
