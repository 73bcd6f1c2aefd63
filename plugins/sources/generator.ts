/**
 * `generator` source: simulated web traffic, either straight into the pipeline (no Kafka
 * needed) or into a Kafka topic that a `kafka` source then reads.
 *
 * @module
 */
import {
  duration,
  parseDuration,
  type Rejection,
  type RuntimeContext,
  type SourceBatch,
  type SourcePlugin,
  type SourceRunner,
  topicName,
  z,
} from "../../lib/sdk/mod.ts";
import {
  feedBatches,
  type FeedPlan,
  planFeed,
  produceTraffic,
  SHOP_MODEL_DEFAULTS,
  stopSignal,
  TRAFFIC_MODES,
} from "../../lib/traffic/mod.ts";

/** Stream name of every batch this source yields; part of every record id. */
const GENERATOR_STREAM = "generator";

const share = z.number().min(0).max(1);

const options = z.strictObject({
  mode: z.enum(TRAFFIC_MODES).default("weblog")
    .describe(
      "What to simulate: weblog (web-server logs), ecommerce (an e-commerce log: views, cart " +
        "adds, checkouts, purchases, payment failures) or clickstream (a click tracker's page " +
        "visits and button clicks).",
    )
    .meta({ examples: ["ecommerce"] }),
  rate: z.number().min(0).default(100)
    .describe("Events per second; 0 = as fast as possible. Default 100.")
    .meta({ examples: [100, 0] }),
  count: z.number().int().min(1).optional()
    .describe("Total events to generate; default: rate × duration, or endless.")
    .meta({ examples: [1_000_000] }),
  duration: duration().optional()
    .describe("How long to generate, e.g. 10m; default: until count or until stopped.")
    .meta({ examples: ["10m"] }),
  seed: z.number().int().optional()
    .describe("Random seed; the same seed and options give the same events. Default: random.")
    .meta({ examples: [42] }),
  start: z.iso.datetime({ offset: true }).optional()
    .describe(
      "First event timestamp (ISO-8601 with zone); events then spread evenly over `span`. " +
        "Default: none, so every event carries the current time.",
    )
    .meta({ examples: ["2026-11-20T00:00:00Z"] }),
  span: duration().default("1h")
    .describe("Time span the timestamps cover when `start` is set. Default 1h.")
    .meta({ examples: ["1h", "3d"] }),
  malformed_share: share.default(0)
    .describe("Share of malformed messages (0..1) the parser must reject. Default 0.")
    .meta({ examples: [0.01] }),
  late_share: share.default(0)
    .describe("Share of valid events (0..1) stamped 1 to 48 hours late. Default 0.")
    .meta({ examples: [0.02] }),
  combined_share: share.default(0)
    .describe("Share of valid events (0..1) written as combined-format lines (weblog). Default 0.")
    .meta({ examples: [0.2] }),
  pages: z.number().int().min(1).max(1_000_000).default(3000)
    .describe("Distinct URIs on the simulated site (80% pages, 20% assets; weblog). Default 3000.")
    .meta({ examples: [3000] }),
  products: z.number().int().min(1).max(1_000_000).default(500)
    .describe("Products in the simulated catalogue (ecommerce, clickstream). Default 500.")
    .meta({ examples: [500] }),
  users: z.number().int().min(1).max(1_000_000).default(5000)
    .describe("Distinct visitors, about 60% logged in (ecommerce, clickstream). Default 5000.")
    .meta({ examples: [5000] }),
  bot_share: share.default(SHOP_MODEL_DEFAULTS.botShare)
    .describe(
      "Share of events (0..1) from the one high-rate scraping bot (ecommerce, " +
        "clickstream). Default 0.05.",
    )
    .meta({ examples: [0.05] }),
  campaign_share: share.default(SHOP_MODEL_DEFAULTS.campaignShare)
    .describe(
      "Share of visits (0..1) arriving from a utm-tagged campaign (ecommerce, " +
        "clickstream). Default 0.25.",
    )
    .meta({ examples: [0.25] }),
  cart_share: share.default(SHOP_MODEL_DEFAULTS.cartShare)
    .describe(
      "Chance (0..1) that a product view leads to adding it to the cart (ecommerce, " +
        "clickstream). Default 0.2.",
    )
    .meta({ examples: [0.2] }),
  payment_failure_share: share.default(SHOP_MODEL_DEFAULTS.paymentFailureShare)
    .describe("Share of payments (0..1) that fail (ecommerce, clickstream). Default 0.08.")
    .meta({ examples: [0.08] }),
  partitions: z.number().int().min(1).max(1000).default(6)
    .describe("Partitions events are spread over (and of `to_topic` when created). Default 6.")
    .meta({ examples: [6] }),
  to_topic: topicName()
    .optional()
    .describe(
      "Kafka topic to feed instead of the pipeline; a `kafka` source reads it. Default: none.",
    )
    .meta({ examples: ["RAWLOG"] }),
}).superRefine((settings, context) => {
  if (
    settings.start !== undefined && settings.count === undefined &&
    !(settings.rate > 0 && settings.duration !== undefined)
  ) {
    context.addIssue({
      code: "custom",
      path: ["start"],
      message: "with a start, timestamps spread over span by event number, so the number of " +
        "events must be known: set count, or rate > 0 and duration",
    });
  }
  if (settings.start !== undefined) {
    const end = Date.parse(settings.start) + (parseDuration(settings.span) ?? 0);
    if (end > Date.now() + 86_400_000) {
      context.addIssue({
        code: "custom",
        path: ["start"],
        message: "start + span lies more than a day in the future; the parser would reject " +
          "those events",
      });
    }
  }
});

/** Validated `generator` options. */
export type GeneratorOptions = z.output<typeof options>;

/** How often to-topic mode reports progress. */
const PROGRESS_LOG_MS = 10_000;

/** Turns validated options into a feed plan. */
function planRun(settings: GeneratorOptions, seed: number, now: number): FeedPlan {
  return planFeed({
    mode: settings.mode,
    products: settings.products,
    users: settings.users,
    model: {
      botShare: settings.bot_share,
      campaignShare: settings.campaign_share,
      cartShare: settings.cart_share,
      paymentFailureShare: settings.payment_failure_share,
    },
    rate: settings.rate,
    count: settings.count,
    durationMs: settings.duration === undefined ? undefined : parseDuration(settings.duration),
    start: settings.start === undefined ? undefined : Date.parse(settings.start),
    spanMs: parseDuration(settings.span) ?? 3_600_000,
    seed,
    seeded: settings.seed !== undefined,
    malformedShare: settings.malformed_share,
    lateShare: settings.late_share,
    combinedShare: settings.combined_share,
    pages: settings.pages,
  }, now);
}

/** Feeds `to_topic`, logging progress every ten seconds. */
async function runToTopic(
  settings: GeneratorOptions,
  plan: FeedPlan,
  topic: string,
  context: RuntimeContext,
  signal: AbortSignal,
): Promise<void> {
  let loggedAt = performance.now();
  const { sent, elapsedMs } = await produceTraffic(context.kafka, topic, {
    ...plan.traffic,
    rate: settings.rate > 0 ? settings.rate : undefined,
    partitions: settings.partitions,
    signal: stopSignal(signal, plan.limitMs),
    onProgress(sent, elapsedMs) {
      if (performance.now() - loggedAt < PROGRESS_LOG_MS) return;
      loggedAt = performance.now();
      context.log(
        `generator: sent ${sent} events to ${topic} (${Math.round((sent * 1000) / elapsedMs)}/s)`,
      );
    },
  });
  context.log(`generator: done, sent ${sent} events to ${topic} in ${Math.round(elapsedMs)} ms`);
}

/**
 * Logs rejected messages (the generator has no dead-letter topic): at most one line per ten
 * seconds, with the count since the last line and one sample reason, since a malformed share
 * of 1% at 1000 events/s would otherwise mean ten lines a second.
 */
function rejectionLogger(log: (message: string) => void) {
  let unreported = 0;
  let loggedAt = -Infinity;
  return (batch: SourceBatch, rejections: Rejection[]): Promise<void> => {
    unreported += rejections.length;
    const sample = rejections[0];
    if (sample !== undefined && performance.now() - loggedAt >= PROGRESS_LOG_MS) {
      loggedAt = performance.now();
      log(
        `generator: rejected ${unreported} malformed message(s), e.g. ` +
          `${batch.stream}/${batch.partition}/${sample.message.offset}: ${sample.reason}`,
      );
      unreported = 0;
    }
    return Promise.resolve();
  };
}

/** The `generator` source plugin. */
const generatorSource: SourcePlugin<GeneratorOptions> = {
  kind: "source",
  name: "generator",
  summary: "Simulated web-shop traffic (web logs or events), into the pipeline or a Kafka topic.",
  description: "A seeded model of a web shop's traffic. Mode weblog: its web-server logs, " +
    "with Zipf page popularity, static assets, a realistic status mix, long-tailed sizes and " +
    "latencies, search/social/internal referrers, crawlers and one aggressive scraper, as JSON " +
    "objects and combined-format lines. Modes ecommerce and clickstream: visitors' sessions " +
    "walking home, category, search, product, cart and checkout pages with think times and " +
    "exits, over a product catalogue with categories and prices, with cart adds, checkouts, " +
    "purchases (one event per order line) and payment failures, button clicks, devices, " +
    "browsers and OSes with real user-agent strings, countries, utm campaigns and referrers, " +
    "and one high-rate scraping bot; written as e-commerce log lines or click-tracker events. " +
    "Without `start`, events carry the current time; with it, timestamps spread over " +
    "`span`. With `to_topic`, events go to that Kafka topic instead of the pipeline. " +
    "Records get ids generator/<seq % partitions>/<per-partition sequence>.",
  options,
  example: { mode: "ecommerce", rate: 200, duration: "10m", seed: 42, malformed_share: 0.01 },
  feedsTopic: (settings) => settings.to_topic,
  topics: (settings) =>
    settings.to_topic === undefined
      ? []
      : [{ topic: settings.to_topic, partitions: settings.partitions }],
  open(settings, context): Promise<SourceRunner> {
    const seed = settings.seed ?? Math.floor(Math.random() * 2 ** 31);
    const plan = planRun(settings, seed, Date.now());
    context.log(
      `generator: ${settings.mode}, seed ${seed}, ${
        Number.isFinite(plan.traffic.count) ? `${plan.traffic.count} events` : "endless"
      } at ${settings.rate > 0 ? `${settings.rate}/s` : "full speed"}`,
    );
    const toTopic = settings.to_topic;
    return Promise.resolve({
      run: (handlers, signal) =>
        toTopic === undefined
          ? feedBatches(
            plan,
            {
              stream: GENERATOR_STREAM,
              partitions: settings.partitions,
              rate: settings.rate,
            },
            handlers.onBatch,
            signal,
          )
          : runToTopic(settings, plan, toTopic, context, signal),
      commit: () => Promise.resolve(),
      reject: rejectionLogger(context.log),
      close: () => Promise.resolve(),
    });
  },
};

export default generatorSource;
