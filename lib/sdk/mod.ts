/**
 * The plugin SDK: everything a source, aggregation or sink plugin imports, from one module.
 *
 * - the contract types (`AggregationPlugin`, `SourcePlugin`, `SinkPlugin`, records, results);
 * - `z` (zod) and option-schema helpers that say what they expected and found
 *   (`cqlIdentifier`, `topicName`, `duration`);
 * - counting maps safe for any key (`addCount`, `mergeCounts`, `topCounts`);
 * - helpers for I/O plugins (`forEachConcurrent`, `parseDuration`, `errorText`);
 * - the input parser every source validates with (`parseLogMessage`);
 * - pieces for HTTP endpoints: API keys stored hashed and compared in constant time, per-key
 *   rate limits, body size limits, CORS;
 * - `assertAggregationLaws`, the conformance check every aggregation's test calls.
 *
 * @example
 * ```ts
 * import { type AggregationPlugin, type Counts, addCount, mergeCounts, topCounts, z }
 *   from "./mod.ts";
 * const options = z.strictObject({ n: z.number().int().min(1).default(5) });
 * const topMethods: AggregationPlugin<z.output<typeof options>, Counts> = {
 *   kind: "aggregation",
 *   name: "top_methods",
 *   summary: "The N most used HTTP methods.",
 *   options,
 *   example: { n: 5 },
 *   create: (settings) => ({
 *     granularity: "day",
 *     shape: { key: { name: "method", type: "text" }, values: [{ name: "hits", type: "bigint" }] },
 *     start: () => ({}),
 *     add: (state, record) => addCount(state, record.method),
 *     merge: mergeCounts,
 *     finish: (state) =>
 *       topCounts(state, settings.n).map(([method, hits]) => ({ key: method, values: { hits } })),
 *   }),
 * };
 * ```
 *
 * @module
 */
export { z } from "zod";
export type * from "../contracts.ts";
export type { LogRecord } from "../records.ts";
export { cqlIdentifier, duration, topicName } from "../config/option_schemas.ts";
export { isCqlIdentifier, isTopicName } from "../config/identifiers.ts";
export { formatDuration, parseDuration } from "../parse/duration.ts";
export { forEachConcurrent } from "../concurrency.ts";
export { errorText } from "../errors.ts";
export { parseLogMessage } from "../parse/parse_log_message.ts";
export { describeValue, type ParseResult } from "../parse/validate.ts";
export {
  ApiKeyListError,
  identifyApiKey,
  parseApiKeyFile,
  parseApiKeyVariable,
  presentedApiKey,
  type StoredApiKey,
} from "../http/api_keys.ts";
export { type RateDecision, type RateLimiter, tokenBuckets } from "../http/rate_limit.ts";
export { type LimitedBody, readBodyWithin } from "../http/body.ts";
export { corsHeaders, type CorsPolicy, preflight } from "../http/cors.ts";
export { addCount, type Counts, mergeCounts, topCounts } from "./counts.ts";
export { assertAggregationLaws, type LawOptions } from "./conformance.ts";
