/**
 * The traffic simulator: a seeded model of a web shop's traffic, as events, as source batches
 * for the pipeline, or produced into a Kafka topic. Used by the `generator` source,
 * `deno task produce`, the benchmark and the tests.
 *
 * @module
 */
export {
  generateTraffic,
  TRAFFIC_MODES,
  type TrafficEvent,
  type TrafficMode,
  type TrafficOptions,
} from "./simulate.ts";
export { SHOP_MODEL_DEFAULTS, type ShopModelOptions } from "./sessions.ts";
export { feedBatches, type FeedPlan, type FeedSettings, planFeed, stopSignal } from "./feed.ts";
export {
  produceTraffic,
  type ProduceTrafficOptions,
  type ProduceTrafficResult,
} from "./producer.ts";
export { pacingDelay, sleep } from "./pacing.ts";
