/**
 * A seeded, deterministic model of the traffic of a web shop, in three modes:
 * - `weblog`: its web-server logs: Zipf page popularity, static assets, a realistic status
 *   mix, long-tailed sizes and latencies, search/social/internal referrers, crawlers and one
 *   aggressive scraper, as JSON objects and combined-format lines;
 * - `ecommerce`: its shopping sessions as an e-commerce application's log (views, cart adds,
 *   checkouts, purchases, payment failures), see `simulate_events.ts`;
 * - `clickstream`: the same sessions as a click tracker's events (page visits, button clicks).
 *
 * The same seed gives a byte-identical stream, which is what makes end-to-end results
 * checkable.
 *
 * @module
 */
import type { LogRecord, RequestRecord } from "../records.ts";
import { encodeCombined, encodeJson, encodeMalformed } from "./encode.ts";
import { SeededRandom } from "./random.ts";
import { buildVocabulary, type TrafficVocabulary } from "./vocabulary.ts";
import type { ShopModelOptions } from "./sessions.ts";
import { generateShopEvents } from "./simulate_events.ts";
import { applyIncident, type Incident } from "./incident.ts";

/** The traffic simulator's modes. */
export const TRAFFIC_MODES = ["weblog", "ecommerce", "clickstream"] as const;

/** What kind of traffic: web-server logs, e-commerce events or clickstream events. */
export type TrafficMode = typeof TRAFFIC_MODES[number];

/** What traffic to generate. */
export interface TrafficOptions {
  /** Web-server logs (default), e-commerce log events, or click-tracker events. */
  mode?: TrafficMode;
  /** Seed of every random choice: same seed (and clock readings), same stream. */
  seed: number;
  /** Events to generate; `Infinity` for an endless stream (only with `clock`). */
  count: number;
  /** First timestamp, ms since epoch (rounded up to a whole second). Ignored with `clock`. */
  start: number;
  /** Timestamps spread evenly over [start, start + spanMs) by sequence number. */
  spanMs: number;
  /** Share of events, 0..1, that are malformed (the parser must reject them). */
  malformedShare: number;
  /** Share of valid events, 0..1, stamped 1 to 48 hours before their position. */
  lateShare: number;
  /** Share of valid events, 0..1, written as combined-format lines instead of JSON (weblog). */
  combinedShare: number;
  /** Distinct URIs (pages and assets); default 3000. `weblog` only. */
  pages?: number;
  /** Products in the catalogue; default 500. `ecommerce` and `clickstream` only. */
  products?: number;
  /** Distinct visitors; default 5000. `ecommerce` and `clickstream` only. */
  users?: number;
  /** Rates and shares of the shop model. `ecommerce` and `clickstream` only. */
  model?: Partial<ShopModelOptions>;
  /**
   * Real-time mode: when given, each event is stamped with the clock's current reading
   * (whole seconds) instead of a position in [start, start + spanMs).
   */
  clock?: () => number;
  /** An incident to stage (`weblog` only); see lib/traffic/incident.ts. */
  incident?: Incident;
}

/** One generated message. */
export interface TrafficEvent {
  /** Position in the stream, from 0. */
  seq: number;
  /** Message key; spreads events evenly over partitions. */
  key: string;
  /** Message bytes: a JSON object, a combined-format line, or garbage. */
  value: Uint8Array;
  /** Exactly what `parseLogMessage(value)` returns; undefined for a malformed event. */
  record?: LogRecord;
  /**
   * Lost to a staged traffic drop: counted by pacing (so the rate that arrives drops) but never
   * sent.
   */
  dropped?: boolean;
}

const HOUR_MS = 3_600_000;
// One shared encoder: creating one per event would cost more than the encoding.
const utf8 = new TextEncoder();

/** Throws a RangeError naming the first option that is out of range. */
function checkOptions(options: TrafficOptions): void {
  const shares = ["malformedShare", "lateShare", "combinedShare"] as const;
  for (const name of shares) {
    const share = options[name];
    if (!(share >= 0 && share <= 1)) {
      throw new RangeError(`${name}: expected a share between 0 and 1, found ${share}`);
    }
  }
  if (
    !(options.count >= 0) || (Number.isFinite(options.count) && !Number.isInteger(options.count))
  ) {
    throw new RangeError(`count: expected a whole number ≥ 0, found ${options.count}`);
  }
  if (options.clock === undefined) {
    if (!Number.isFinite(options.count)) {
      throw new RangeError("count: an endless stream needs a clock to stamp its events");
    }
    if (!Number.isFinite(options.start) || !(options.spanMs >= 0)) {
      throw new RangeError(
        `start/spanMs: expected a time and a span ≥ 0, found ${options.start}/${options.spanMs}`,
      );
    }
  }
  for (const name of ["pages", "products", "users"] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new RangeError(`${name}: expected a whole number ≥ 1, found ${value}`);
    }
  }
  if (options.mode !== undefined && !TRAFFIC_MODES.includes(options.mode)) {
    throw new RangeError(
      `mode: expected one of ${TRAFFIC_MODES.join(", ")}, found ${JSON.stringify(options.mode)}`,
    );
  }
  const model = options.model ?? {};
  for (const name of ["botShare", "campaignShare", "cartShare", "paymentFailureShare"] as const) {
    const share = model[name];
    if (share !== undefined && !(share >= 0 && share <= 1)) {
      throw new RangeError(`${name}: expected a share between 0 and 1, found ${share}`);
    }
  }
  if (model.thinkTimeMs !== undefined && !(model.thinkTimeMs > 0)) {
    throw new RangeError(`thinkTimeMs: expected a time > 0, found ${model.thinkTimeMs}`);
  }
}

/** An HTTP status with the mix of a healthy site. */
function drawStatus(random: SeededRandom): number {
  const u = random.next();
  if (u < 0.855) return 200;
  if (u < 0.905) return 304;
  if (u < 0.935) return 301;
  if (u < 0.975) return 404;
  if (u < 0.985) return 403;
  if (u < 0.995) return 500;
  return u < 0.998 ? 502 : 503;
}

/** Response size in bytes for a status and kind of resource. */
function drawBodyBytes(random: SeededRandom, status: number, method: string, uri: string): number {
  if (status === 304 || method === "HEAD") return 0;
  if (status === 301) return random.between(150, 250);
  if (status >= 400) return Math.round(random.logNormal(status >= 500 ? 500 : 1500, 0.4));
  let size: number;
  if (uri.endsWith(".js")) size = random.logNormal(120_000, 0.9);
  else if (uri.endsWith(".css")) size = random.logNormal(40_000, 0.6);
  else if (uri.startsWith("/images/") || uri.startsWith("/fonts/")) {
    size = random.logNormal(60_000, 1.2);
  } else size = random.logNormal(25_000, 0.8);
  if (random.next() < 0.01) size *= random.pareto(1.5);
  return Math.min(Math.round(size), 50_000_000);
}

/** Seconds spent serving, with millisecond precision and a heavy tail. */
function drawRequestTime(random: SeededRandom, status: number, isAsset: boolean): number {
  let seconds: number;
  if (status >= 500) seconds = random.logNormal(status === 500 ? 0.8 : 5, 1);
  else if (isAsset || status === 304 || status === 301) seconds = random.logNormal(0.002, 0.8);
  else seconds = random.logNormal(0.045, 0.9);
  if (random.next() < 0.02) seconds *= random.pareto(1.3);
  return Math.round(Math.min(seconds, 60) * 1000) / 1000;
}

/** A link from one of the site's own pages. */
function internalReferrer(random: SeededRandom, vocabulary: TrafficVocabulary): string {
  return vocabulary.siteOrigin + vocabulary.pageUris[random.fromCdf(vocabulary.pageCdf)];
}

/** Referrer of an ordinary visitor's request. */
function drawReferrer(
  random: SeededRandom,
  vocabulary: TrafficVocabulary,
  isAsset: boolean,
): string {
  const u = random.next();
  if (isAsset) return u < 0.9 ? internalReferrer(random, vocabulary) : "-";
  if (u < 0.35) return "-";
  if (u < 0.65) return random.pick(vocabulary.searchReferrers);
  if (u < 0.75) return random.pick(vocabulary.socialReferrers);
  if (u < 0.95) return internalReferrer(random, vocabulary);
  return random.pick(vocabulary.externalReferrers);
}

/** One valid request at `timestamp`. */
function drawRecord(
  random: SeededRandom,
  vocabulary: TrafficVocabulary,
  timestamp: number,
): RequestRecord {
  const who = random.next();
  const isBot = who < 0.03;
  const isCrawler = !isBot && who < 0.08;
  const isAsset = !isBot && !isCrawler && vocabulary.assetUris.length > 0 && random.next() < 0.2;
  const request_uri = isAsset
    ? vocabulary.assetUris[random.fromCdf(vocabulary.assetCdf)] as string
    : isBot // the scraper walks the whole site, not just the popular pages
    ? random.pick(vocabulary.pageUris)
    : vocabulary.pageUris[random.fromCdf(vocabulary.pageCdf)] as string;
  const methodDraw = random.next();
  const method = isAsset || isBot || isCrawler
    ? (methodDraw < 0.03 ? "HEAD" : "GET")
    : methodDraw < 0.92
    ? "GET"
    : methodDraw < 0.97
    ? "POST"
    : "HEAD";
  const status = drawStatus(random);

  let remote_addr: string;
  let http_user_agent: string;
  let http_referrer = "-";
  if (isBot) {
    remote_addr = vocabulary.botAddr;
    http_user_agent = vocabulary.botAgent;
  } else if (isCrawler) {
    const crawler = random.pick(vocabulary.crawlers);
    remote_addr = random.pick(crawler.addrs);
    http_user_agent = crawler.agent;
  } else {
    const client = random.fromCdf(vocabulary.clientCdf);
    remote_addr = vocabulary.clientAddrs[client] as string;
    http_user_agent = vocabulary.browserAgents[vocabulary.clientAgent[client] as number] as string;
    http_referrer = drawReferrer(random, vocabulary, isAsset);
  }

  return {
    timestamp,
    request_uri,
    status,
    body_bytes_sent: drawBodyBytes(random, status, method, request_uri),
    request_time: drawRequestTime(random, status, isAsset),
    http_referrer,
    http_user_agent,
    remote_addr,
    method,
  };
}

/**
 * Generates simulated traffic of the chosen mode (default `weblog`). Timestamps are whole seconds; with `clock` they follow
 * the clock, otherwise they rise evenly through [start, start + spanMs) by sequence number.
 * Late events are stamped 1–48 h earlier than their position.
 *
 * @param options What to generate.
 * @returns A generator of events, `count` of them (endless with `count: Infinity`).
 * @throws {RangeError} When an option is out of range (the message names it).
 *
 * @example
 * ```ts
 * import { generateTraffic } from "./simulate.ts";
 * const events = [...generateTraffic({
 *   seed: 42, count: 10, start: Date.UTC(2026, 10, 20), spanMs: 3_600_000,
 *   malformedShare: 0.1, lateShare: 0, combinedShare: 0.2,
 * })];
 * console.assert(events.length === 10 && events[0]!.seq === 0);
 * ```
 */
export function* generateTraffic(options: TrafficOptions): Generator<TrafficEvent> {
  checkOptions(options);
  if (options.mode !== undefined && options.mode !== "weblog") {
    if (options.incident !== undefined) {
      throw new RangeError("incident: incidents are staged in weblog traffic only");
    }
    yield* generateShopEvents(options);
    return;
  }
  const vocabulary = buildVocabulary(options.seed, options.pages ?? 3000);
  const random = new SeededRandom(options.seed);
  const { clock, count, malformedShare, lateShare, combinedShare } = options;
  const first = Math.ceil(options.start / 1000) * 1000;
  const stepMs = count > 0 ? options.spanMs / count : 0;
  const incident = options.incident;
  const incidentRandom = new SeededRandom(options.seed ^ 0x5eed1c1d);
  const bot = { addr: vocabulary.botAddr, agent: vocabulary.botAgent, pages: vocabulary.pageUris };

  for (let seq = 0; seq < count; seq++) {
    let timestamp = clock === undefined
      ? first + Math.floor((seq * stepMs) / 1000) * 1000
      : Math.floor(clock() / 1000) * 1000;
    const malformed = random.next() < malformedShare;
    if (!malformed && random.next() < lateShare) {
      timestamp -= random.between(HOUR_MS / 1000, 48 * HOUR_MS / 1000) * 1000;
    }
    const drawn = drawRecord(random, vocabulary, timestamp);
    // The drawn request is encoded whatever the incident does to it, so the main random stream
    // (and every event outside the incident) stays as it would be without one; a changed
    // request is encoded again with the incident's own stream.
    let text: string;
    if (malformed) text = encodeMalformed(random, drawn, vocabulary.garbageLines);
    else if (random.next() < combinedShare) text = encodeCombined(random, drawn);
    else text = encodeJson(random, drawn);
    const record = incident === undefined
      ? drawn
      : applyIncident(drawn, incident, incidentRandom, bot);
    if (record === undefined) {
      yield { seq, key: String(seq), value: new Uint8Array(), dropped: true };
      continue;
    }
    if (record !== drawn) {
      text = malformed
        ? encodeMalformed(incidentRandom, record, vocabulary.garbageLines)
        : encodeJson(incidentRandom, record);
    }
    yield {
      seq,
      key: String(seq),
      value: utf8.encode(text),
      record: malformed ? undefined : record,
    };
  }
}
