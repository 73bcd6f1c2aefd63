/**
 * Validators for the names that end up in Cassandra, Kafka and pipeline.yaml itself.
 *
 * Plugins use these in their option schemas (`z.string().refine(isTopicName, ...)`) so every
 * table and topic name is checked before anything connects.
 *
 * @module
 */

/** Names of sources, aggregations, sinks and schedules: lower snake case, at most 48 chars. */
export const ENTRY_NAME: RegExp = /^[a-z][a-z0-9_]{0,47}$/;

/**
 * Unquoted CQL identifiers we accept for keyspaces and tables. Lower case only, because
 * Cassandra folds unquoted names to lower case and we never quote them.
 */
const CQL_IDENTIFIER: RegExp = /^[a-z][a-z0-9_]{0,47}$/;

/** Legal Kafka topic names. */
export const TOPIC_NAME: RegExp = /^[A-Za-z0-9._-]{1,249}$/;

/** CQL keywords that cannot be used as unquoted table or keyspace names. */
const CQL_RESERVED_WORDS: ReadonlySet<string> = new Set([
  "add",
  "allow",
  "alter",
  "and",
  "apply",
  "asc",
  "authorize",
  "batch",
  "begin",
  "by",
  "columnfamily",
  "create",
  "delete",
  "desc",
  "describe",
  "drop",
  "entries",
  "execute",
  "from",
  "full",
  "grant",
  "if",
  "in",
  "index",
  "infinity",
  "insert",
  "into",
  "is",
  "keyspace",
  "limit",
  "materialized",
  "modify",
  "nan",
  "norecursive",
  "not",
  "null",
  "of",
  "on",
  "or",
  "order",
  "primary",
  "rename",
  "replace",
  "revoke",
  "schema",
  "select",
  "set",
  "table",
  "to",
  "token",
  "truncate",
  "unlogged",
  "update",
  "use",
  "using",
  "view",
  "where",
  "with",
]);

/**
 * Whether `name` can be used unquoted as a Cassandra keyspace or table name.
 *
 * @param name Candidate name.
 * @returns True for lower snake case names of at most 48 characters that are not CQL keywords.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { isCqlIdentifier } from "./identifiers.ts";
 * assert.equal(isCqlIdentifier("top_pages"), true);
 * assert.equal(isCqlIdentifier("drop table;x"), false);
 * assert.equal(isCqlIdentifier("select"), false);
 * ```
 */
export function isCqlIdentifier(name: string): boolean {
  return CQL_IDENTIFIER.test(name) && !CQL_RESERVED_WORDS.has(name);
}

/**
 * Whether `name` is a legal Kafka topic name (letters, digits, `.`, `_`, `-`; 1..249 chars).
 *
 * @param name Candidate topic.
 * @returns True when Kafka would accept it.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { isTopicName } from "./identifiers.ts";
 * assert.equal(isTopicName("RAWLOG"), true);
 * assert.equal(isTopicName("raw log"), false);
 * ```
 */
export function isTopicName(name: string): boolean {
  return TOPIC_NAME.test(name) && name !== "." && name !== "..";
}

/**
 * Why `name` is not a CQL identifier, for error messages.
 *
 * @param name A name that failed {@linkcode isCqlIdentifier}.
 * @returns A phrase like `"select" is a reserved CQL word`.
 */
export function explainCqlIdentifier(name: string): string {
  return CQL_RESERVED_WORDS.has(name)
    ? `${JSON.stringify(name)} is a reserved CQL word`
    : `expected a CQL identifier (lower case letter, then up to 47 lower case letters, ` +
      `digits or _), found ${JSON.stringify(name)}`;
}
