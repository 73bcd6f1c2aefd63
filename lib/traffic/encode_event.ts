/**
 * How the event simulations write a session step onto the wire, together with the record the
 * parser must make of it:
 * - `ecommerce`: an e-commerce application log line (`timestamp`, `ip`, `user_id`,
 *   `session_id`, `action`, `product_id`, `category`, `price`, `quantity`, ...);
 * - `clickstream`: a click tracker's event (`event_id`, `event_type`, `event_time`, `user_id`,
 *   `session_id`, `page_path`, `button_id`, utm fields, and a `props` object).
 *
 * @module
 */
import type { LogRecord } from "../records.ts";
import type { SeededRandom } from "./random.ts";
import type { Step } from "./sessions.ts";
import type { DeviceProfile, ShopVocabulary } from "./shop_vocabulary.ts";

/** A message and what parsing it must give. */
export interface EncodedEvent {
  /** The message text. */
  text: string;
  /** The record `parseLogMessage(text)` returns. */
  record: LogRecord;
}

const ECOMMERCE_ACTIONS: Record<Step["kind"], string> = {
  page: "page_view",
  view: "view",
  add_to_cart: "add_to_cart",
  checkout: "checkout",
  purchase: "purchase",
  payment_failed: "payment_failed",
  click: "click",
};

const CLICKSTREAM_TYPES: Record<Step["kind"], string> = {
  page: "page_visited",
  view: "page_visited",
  add_to_cart: "button_clicked",
  checkout: "checkout_started",
  purchase: "order_completed",
  payment_failed: "payment_failed",
  click: "button_clicked",
};

function deviceOf(step: Step, shop: ShopVocabulary): DeviceProfile {
  return step.session.bot ? shop.bot.device : shop.devices[step.session.shopper.device]!;
}

/** Fields both shapes share: who, where from, on what. */
function commonRecord(step: Step, timestamp: number, shop: ShopVocabulary): LogRecord {
  const { session } = step;
  const record: LogRecord = { timestamp, session_id: session.id, page_path: step.page };
  if (session.shopper.userId !== undefined) record.user_id = session.shopper.userId;
  if (step.product !== undefined) record.product_id = step.product.id;
  if (!session.bot) {
    record.device = deviceOf(step, shop).device;
    record.country = session.shopper.country;
  }
  if (session.campaign !== undefined) {
    record.utm_source = session.campaign.source;
    record.utm_medium = session.campaign.medium;
    record.utm_campaign = session.campaign.campaign;
  }
  return record;
}

/**
 * Writes a step as an e-commerce log line. Product steps carry `category`, `price` and (cart,
 * order lines) `quantity`; checkouts and payments `order_value`; a session's first step its
 * referrer. These land in `props` as text.
 *
 * @param step The session step.
 * @param timestamp Its time, ms (whole seconds).
 * @param shop The vocabulary.
 * @returns The line and its record.
 */
export function encodeEcommerce(step: Step, timestamp: number, shop: ShopVocabulary): EncodedEvent {
  const device = deviceOf(step, shop);
  const record = commonRecord(step, timestamp, shop);
  record.event_type = ECOMMERCE_ACTIONS[step.kind];
  record.remote_addr = step.session.shopper.ip;
  record.http_user_agent = device.userAgent;
  const props: Record<string, string> = {};
  const object: Record<string, unknown> = {
    timestamp: new Date(timestamp).toISOString(),
    ip: record.remote_addr,
    user_id: record.user_id,
    session_id: record.session_id,
    action: record.event_type,
    page_path: record.page_path,
    product_id: record.product_id,
  };
  if (step.product !== undefined) {
    object.category = props.category = step.product.category;
    object.price = step.product.price;
    props.price = String(step.product.price);
  }
  if (step.quantity !== undefined) {
    object.quantity = step.quantity;
    props.quantity = String(step.quantity);
  }
  if (step.orderValue !== undefined) {
    object.order_value = step.orderValue;
    props.order_value = String(step.orderValue);
  }
  object.device = record.device;
  object.country = record.country;
  object.user_agent = record.http_user_agent;
  if (step.first && step.session.referrer !== "-") {
    record.http_referrer = object.referrer = step.session.referrer;
  }
  object.utm_source = record.utm_source;
  object.utm_medium = record.utm_medium;
  object.utm_campaign = record.utm_campaign;
  if (Object.keys(props).length > 0) record.props = props;
  return { text: JSON.stringify(object), record };
}

/**
 * Writes a step as a click tracker's event: `event_time` with milliseconds, a seeded
 * `event_id`, and a `props` object with browser, OS and screen (plus referrer, product
 * price, quantity or order value where they apply).
 *
 * @param step The session step.
 * @param timestamp Its time, ms.
 * @param shop The vocabulary.
 * @param random The traffic's random stream (for the event id).
 * @returns The event and its record.
 */
export function encodeClickstream(
  step: Step,
  timestamp: number,
  shop: ShopVocabulary,
  random: SeededRandom,
): EncodedEvent {
  const device = deviceOf(step, shop);
  const record = commonRecord(step, timestamp, shop);
  record.event_id = eventId(random);
  record.event_type = CLICKSTREAM_TYPES[step.kind];
  if (step.button !== undefined && record.event_type === "button_clicked") {
    record.button_id = step.button;
  }
  const props: Record<string, string> = {
    browser: device.browser,
    os: device.os,
    screen: device.screen,
  };
  if (step.first && step.session.referrer !== "-") props.referrer = step.session.referrer;
  if (step.product !== undefined) props.price = String(step.product.price);
  if (step.quantity !== undefined) props.quantity = String(step.quantity);
  if (step.orderValue !== undefined) props.order_value = String(step.orderValue);
  record.props = props;
  const object = {
    event_id: record.event_id,
    event_type: record.event_type,
    event_time: new Date(timestamp).toISOString(),
    user_id: record.user_id,
    session_id: record.session_id,
    page_path: record.page_path,
    button_id: record.button_id,
    product_id: record.product_id,
    device: record.device,
    country: record.country,
    utm_source: record.utm_source,
    utm_medium: record.utm_medium,
    utm_campaign: record.utm_campaign,
    props,
  };
  return { text: JSON.stringify(object), record };
}

/** A UUID-shaped id from the seeded stream, so reruns give the same ids. */
function eventId(random: SeededRandom): string {
  const hex = (digits: number) => {
    let text = "";
    for (let i = 0; i < digits; i++) text += "0123456789abcdef"[random.int(16)];
    return text;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[random.int(4)]}${hex(3)}-${hex(12)}`;
}

/**
 * Spoils an encoded event so the parser must reject it: truncated JSON, a bad time, no event
 * type, a user id that is an object, or a page path that is no path.
 *
 * @param random The traffic's random stream.
 * @param text A valid event's JSON text.
 * @returns The broken message.
 */
export function spoilEvent(random: SeededRandom, text: string): string {
  const kind = random.int(5);
  if (kind === 0) return text.slice(0, random.between(1, text.length - 2));
  const object = JSON.parse(text) as Record<string, unknown>;
  if (kind === 1) {
    const field = "event_time" in object ? "event_time" : "timestamp";
    object[field] = random.pick(["yesterday", "2026-13-01T00:00:00Z", "", null]);
  } else if (kind === 2) {
    delete object.event_type;
    delete object.action;
    delete object.page_path;
  } else if (kind === 3) object.user_id = { id: object.user_id ?? 1 };
  else object.page_path = "checkout";
  return JSON.stringify(object);
}
