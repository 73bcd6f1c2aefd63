/**
 * The plugin SDK: everything a source, transform, aggregation or sink plugin imports, from one
 * module.
 *
 * - the contract types (`AggregationPlugin`, `SourcePlugin`, `SinkPlugin`, `NotifierPlugin`,
 *   records, results, alert notifications);
 * - `z` (zod) and option-schema helpers that say what they expected and found
 *   (`cqlIdentifier`, `topicName`, `duration`, `excludeBots`, `hllPrecision`); the Kafka topic
 *   options plugins share (`topicOption`, `partitionsOption`, `deadLetterTopicOption`, with
 *   `deadLetterTopicOf` for the dead-letter topic they name);
 * - result keys of one or several columns (`keyColumns`, `keyValues`), the page of a record
 *   (`pageOf`); the version by which sinks let the more complete result win (`resultVersion`);
 * - counting maps safe for any key (`addCount`, `mergeCounts`, `topCounts`); a running top N
 *   for summaries whose ranking score only grows (`runningTop`, `runningTopOffer`);
 * - `keyedAggregation`, which builds an aggregation from its keyed form (state as one value
 *   per key), so real time stores and rewrites only the keys that changed; `keyedCounts`, the
 *   same for a count per key; with a `summary` (`KeyedSummary`), real time also finishes from
 *   the changed keys only (`finishFromSummary` makes the whole `finish` from it);
 * - helpers for I/O plugins (`forEachConcurrent`, `parseDuration`, `daysBetween`, `errorText`,
 *   `acknowledgedSender` for a Kafka send that every message's partition answered,
 *   `topicProducer` for a plugin that publishes to one topic);
 * - the input parser every source validates with (`parseLogMessage`), and log formats compiled
 *   from a name or an nginx/Apache format string (`compileLogFormat`); syslog headers
 *   (`parseSyslogMessage`);
 * - pieces for HTTP endpoints: API keys stored hashed and compared in constant time, per-key
 *   rate limits, body size limits, CORS;
 * - `rangeCounts`, the mergeable summary (`MergeableResult`) of counts per key that lets the
 *   results API merge a range of windows and say whether a ranked answer is exact;
 * - `assertAggregationLaws`, the conformance check every aggregation's test calls;
 * - building blocks for analytics aggregations, each with JSON state and exact,
 *   order-independent merges: a HyperLogLog for distinct counts (`hyperLogLog...`), a
 *   relative-accuracy quantile sketch (`quantileSketch...`), gap-based session spans and their
 *   metrics (`addSessionEvent`, `mergeSessionSpans`, `sessionMetrics`; `addToSessions` and
 *   `mergeSessionLists` for one visitor's list); sums over keys whose parts change, for a
 *   summary (`partSums`, `partSumsSet`);
 * - record helpers: `isBot` (the one bot test), `classifyUserAgent` (device, browser, OS),
 *   `referrerDomain`, `statusClass`, `isErrorStatus`, `visitorOf` (user, else client, else
 *   session), `clientOf`, `withoutQuery`, `isStaticAsset`, `percentOf`.
 * - for transforms: conditions without code (`conditionSchema`, `parseCondition`,
 *   `compileCondition`, `fieldOf`), `truncateAddress` (IPv4 /24, IPv6 /48),
 *   `dailyVisitorHash` (a salted visitor key that rotates daily), `referrerChannel` (search,
 *   social, email, paid, direct, internal, referral) and `openGeoDatabase` (offline MMDB).
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
 *     shape: { key: { name: "method", type: "text" }, values: [{ name: "hits", type: "bigint" }] },
 *     start: () => ({}),
 *     add: (state, record) => addCount(state, record.method ?? "-"),
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
export type { LogRecord, SourcedRecord } from "../records.ts";
export { EVENT_TEXT_FIELDS, WEB_LOG_FIELDS } from "../records.ts";
export { pageOf } from "../records.ts";
export { parseWindowSize, windowSize, type WindowSpec } from "../window_size.ts";
export { ALL_TIME_KEY, daysBetween, type WindowCutter, windowCutter } from "../windows.ts";
export { keyColumns, keyText, keyValues } from "../result_keys.ts";
export { resultVersion } from "../result_version.ts";
export {
  cqlIdentifier,
  duration,
  excludeBots,
  hllPrecision,
  topicName,
} from "../config/option_schemas.ts";
export {
  deadLetterTopicOf,
  deadLetterTopicOption,
  partitionsOption,
  topicOption,
} from "../config/topic_options.ts";
export { isCqlIdentifier, isTopicName } from "../config/identifiers.ts";
export { formatDuration, parseDuration } from "../parse/duration.ts";
export { forEachConcurrent } from "../concurrency.ts";
export {
  type AcknowledgedSender,
  acknowledgedSender,
  type PartitionedMessage,
  sendAcknowledged,
} from "../kafka_send.ts";
export { type TopicProducer, topicProducer } from "../topic_producer.ts";
export { errorText } from "../errors.ts";
export { parseLogMessage } from "../parse/parse_log_message.ts";
export { describeValue, type ParseResult } from "../parse/validate.ts";
export {
  compileLogFormat,
  type LogFormat,
  LogFormatError,
  type LogFormatOptions,
  NAMED_FORMATS,
} from "../parse/log_format.ts";
export { parseSyslogMessage, type SyslogMessage } from "../parse/syslog.ts";
export {
  ApiKeyListError,
  identifyApiKey,
  parseApiKeyFile,
  parseApiKeyVariable,
  presentedApiKey,
  type StoredApiKey,
} from "../guards/api_keys.ts";
export { type RateDecision, type RateLimiter, tokenBuckets } from "../guards/rate_limit.ts";
export { type LimitedBody, readBodyWithin } from "../guards/body.ts";
export { corsHeaders, type CorsPolicy, preflight } from "../guards/cors.ts";
export { addCount, type Counts, mergeCounts, topCounts, topOfMap } from "./counts.ts";
export { type RankedEntry, type RunningTop, runningTop, runningTopOffer } from "./running_top.ts";
export { assertAggregationLaws, type LawOptions } from "./conformance.ts";
export { seededRandom } from "./random.ts";
export {
  DEFAULT_HLL_PRECISION,
  type HyperLogLog,
  hyperLogLog,
  hyperLogLogAdd,
  hyperLogLogError,
  hyperLogLogEstimate,
  hyperLogLogMerge,
} from "./hyperloglog.ts";
export {
  DEFAULT_QUANTILE_ACCURACY,
  QUANTILE_SKETCH_MIN_VALUE,
  type QuantileSketch,
  quantileSketch,
  quantileSketchAdd,
  quantileSketchMerge,
  quantileSketchQuantile,
  quantileSketchQuantiles,
  quantileSketchSubtract,
} from "./quantiles.ts";
export { isBot } from "./bot.ts";
export {
  classifyUserAgent,
  DEVICE_TYPES,
  type DeviceType,
  type UserAgentClass,
} from "./user_agent.ts";
export { type PartSums, partSums, partSumsSet } from "./part_sums.ts";
export {
  addSessionEvent,
  addToSessions,
  DEFAULT_SESSION_GAP_MS,
  mergeSessionLists,
  mergeSessionSpans,
  type SessionList,
  type SessionMetrics,
  sessionMetrics,
  type SessionSpans,
  type SessionWindow,
} from "./sessions.ts";
export { referrerDomain } from "./referrer.ts";
export { isErrorStatus, STATUS_CLASSES, type StatusClass, statusClass } from "./status.ts";
export { clientOf, visitorOf } from "./visitor.ts";
export { isStaticAsset, STATIC_EXTENSIONS, withoutQuery } from "./paths.ts";
export { percentOf } from "./percent.ts";
export {
  type CountsSummary,
  type CountsWindow,
  countsWindow,
  rangeCounts,
  type RangeCountsSpec,
} from "./range_counts.ts";
export { type BestKeys, bestKeys, bestKeysOffer, bestKeysRanked } from "./best_keys.ts";
export { executeSchemaStatement, SCHEMA_SETTLE_MS, schemaAgreement } from "../schema_settle.ts";
export {
  compileCondition,
  type Condition,
  type ConditionIssue,
  fieldOf,
  matchesCondition,
  type NumericRange,
  parseCondition,
} from "../conditions/condition.ts";
export { conditionSchema } from "../conditions/schema.ts";
export { truncateAddress } from "./ip.ts";
export { dailyVisitorHash } from "./visitor_hash.ts";
export {
  type ChannelInput,
  REFERRER_CHANNELS,
  type ReferrerChannel,
  referrerChannel,
} from "./referrer_channel.ts";
export {
  BUNDLED_GEO_DATABASE,
  type GeoDatabase,
  type GeoLocation,
  openGeoDatabase,
  reloadingGeoDatabase,
} from "./geoip.ts";
export {
  addKeyedRecord,
  finishFromSummary,
  keyedAggregation,
  type KeyedAggregationSpec,
  keyedCounts,
  type KeyedCountsSpec,
  type KeyedValues,
} from "./keyed.ts";
