/**
 * The `ecommerce` and `clickstream` simulations: seeded shopping sessions (see `sessions.ts`)
 * written as e-commerce log lines or click-tracker events. Same seed and options (and clock
 * readings), same stream.
 *
 * @module
 */
import type { TrafficEvent, TrafficOptions } from "./simulate.ts";
import { SeededRandom } from "./random.ts";
import { buildShopVocabulary } from "./shop_vocabulary.ts";
import { sessionWalker, SHOP_MODEL_DEFAULTS } from "./sessions.ts";
import { encodeClickstream, encodeEcommerce, spoilEvent } from "./encode_event.ts";

const HOUR_MS = 3_600_000;
const utf8 = new TextEncoder();

/**
 * Generates shop events; called by `generateTraffic` for modes `ecommerce` and `clickstream`
 * (its options are already checked).
 *
 * @param options What to generate; `mode` picks the wire shape.
 * @returns A generator of events.
 */
export function* generateShopEvents(options: TrafficOptions): Generator<TrafficEvent> {
  const shop = buildShopVocabulary(options.seed, options.products ?? 500, options.users ?? 5000);
  const random = new SeededRandom(options.seed);
  const model = { ...SHOP_MODEL_DEFAULTS, ...options.model };
  const walker = sessionWalker(random, shop, model, options.mode === "clickstream");
  const { clock, count, malformedShare, lateShare } = options;
  const first = Math.ceil(options.start / 1000) * 1000;
  const stepMs = count > 0 ? options.spanMs / count : 0;

  for (let seq = 0; seq < count; seq++) {
    const now = clock === undefined
      ? first + Math.floor((seq * stepMs) / 1000) * 1000
      : Math.floor(clock() / 1000) * 1000;
    const step = walker.nextStep(now);
    const malformed = random.next() < malformedShare;
    let timestamp = now;
    if (!malformed && random.next() < lateShare) {
      timestamp -= random.between(HOUR_MS / 1000, 48 * HOUR_MS / 1000) * 1000;
    }
    const encoded = options.mode === "clickstream"
      ? encodeClickstream(step, timestamp, shop, random)
      : encodeEcommerce(step, timestamp, shop);
    yield {
      seq,
      key: String(seq),
      value: utf8.encode(malformed ? spoilEvent(random, encoded.text) : encoded.text),
      record: malformed ? undefined : encoded.record,
    };
  }
}
