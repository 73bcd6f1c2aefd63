/**
 * Reading result keys the same way whether a shape has one key column or several.
 *
 * @module
 */
import type { KeyValue, ResultColumn, ResultRow, ResultShape } from "./contracts.ts";

/**
 * The key columns of a shape, in order (one for a single key).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { keyColumns } from "./result_keys.ts";
 * const shape = { key: { name: "page_url", type: "text" as const }, values: [] };
 * assert.deepEqual(keyColumns(shape).map((column) => column.name), ["page_url"]);
 * ```
 */
export function keyColumns(shape: ResultShape): readonly ResultColumn[] {
  return isColumnList(shape.key) ? shape.key : [shape.key];
}

/**
 * The key values of a row, in key-column order.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { keyValues } from "./result_keys.ts";
 * assert.deepEqual(keyValues({ key: ["p1", "view"], values: {} }), ["p1", "view"]);
 * assert.deepEqual(keyValues({ key: "/a", values: {} }), ["/a"]);
 * ```
 */
export function keyValues(row: ResultRow): readonly KeyValue[] {
  return Array.isArray(row.key) ? row.key : [row.key as KeyValue];
}

/** A row's key as one string, unambiguous for composite keys (for maps and diffs). */
export function keyText(row: ResultRow): string {
  return Array.isArray(row.key) ? JSON.stringify(row.key) : String(row.key);
}

function isColumnList(key: ResultShape["key"]): key is readonly ResultColumn[] {
  return Array.isArray(key);
}
