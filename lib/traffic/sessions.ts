/**
 * Shopping sessions: visitors arrive (from a campaign, a referrer or directly), walk the shop's
 * page graph (home, categories, search, products, cart, checkout) with think times between
 * steps, add products to the cart, check out, pay (or fail to), and leave. One high-rate bot
 * scrapes product pages. The e-commerce and clickstream simulations turn these steps into
 * events of their own shape.
 *
 * Time: the caller hands each step's time, which only rises (the stream position or the clock).
 * Every active session is due again after its think time; a step goes to the session due
 * earliest, or starts a new session when none is due. So at a high rate many sessions run at
 * once, and at a low rate they follow each other: the concurrency follows the rate.
 *
 * @module
 */
import type { SeededRandom } from "./random.ts";
import type { Campaign, Product, Shopper, ShopVocabulary } from "./shop_vocabulary.ts";

/** Tunable rates and shares of the shop model. */
export interface ShopModelOptions {
  /** Share of steps made by the one high-rate bot, 0..1. */
  botShare: number;
  /** Share of sessions arriving from a utm-tagged campaign, 0..1. */
  campaignShare: number;
  /** Chance that a product view leads to adding it to the cart, 0..1. */
  cartShare: number;
  /** Share of payments that fail, 0..1. */
  paymentFailureShare: number;
  /** Median think time between two steps of a session, ms. */
  thinkTimeMs: number;
}

/** Defaults of {@linkcode ShopModelOptions}. */
export const SHOP_MODEL_DEFAULTS: ShopModelOptions = {
  botShare: 0.05,
  campaignShare: 0.25,
  cartShare: 0.2,
  paymentFailureShare: 0.08,
  thinkTimeMs: 8000,
};

/** What happened at one step. */
export type StepKind =
  | "page" // a page without a product: home, category, search, cart, checkout start
  | "view" // a product page
  | "add_to_cart"
  | "checkout"
  | "purchase" // one per order line
  | "payment_failed"
  | "click"; // a UI click that changes no page (clickstream only)

/** A visit in progress. */
export interface Session {
  /** Id, e.g. `s-0007a3`. */
  id: string;
  /** Who. */
  shopper: Shopper;
  /** How they came. */
  campaign?: Campaign;
  /** Their referrer (`-` when direct). */
  referrer: string;
  /** True for the bot's sessions. */
  bot: boolean;
}

/** One step of a session. */
export interface Step {
  /** The session. */
  session: Session;
  /** What happened. */
  kind: StepKind;
  /** The page it happened on. */
  page: string;
  /** The product concerned, for views, cart adds and order lines. */
  product?: Product;
  /** Units, for cart adds and order lines. */
  quantity?: number;
  /** The button clicked, for cart adds, checkouts, payments and clicks. */
  button?: string;
  /** Cart value in EUR, for checkouts and payments. */
  orderValue?: number;
  /** First step of the session. */
  first: boolean;
}

type Node = "home" | "category" | "search" | "product" | "cart" | "checkout" | "exit";

interface LiveSession {
  session: Session;
  due: number;
  node: Node;
  category: string;
  product?: Product;
  cart: { product: Product; quantity: number }[];
  pending: Step[];
  steps: number;
}

/** Buttons of each page, for UI clicks. */
const PAGE_BUTTONS: Record<string, string[]> = {
  home: ["nav-menu", "hero-banner", "newsletter-signup"],
  category: ["sort-by-price", "filter-size", "next-page"],
  search: ["search-submit", "filter-brand"],
  product: ["image-zoom", "size-guide", "reviews-tab"],
  cart: ["apply-coupon", "update-quantity"],
  checkout: ["edit-address"],
};

/** Walks sessions; {@linkcode nextStep} yields the step at each time. */
export interface SessionWalker {
  /** The next step, at time `now` (never earlier than the previous call's). */
  nextStep(now: number): Step;
}

/**
 * Starts the session model.
 *
 * @param random The traffic's random stream.
 * @param shop The vocabulary.
 * @param options Rates and shares.
 * @param clicks Whether to add UI clicks (clickstream) between page steps.
 */
export function sessionWalker(
  random: SeededRandom,
  shop: ShopVocabulary,
  options: ShopModelOptions,
  clicks: boolean,
): SessionWalker {
  const model: ShopModel = { random, shop, options };
  const heap: LiveSession[] = [];
  let sessionCount = 0;
  const botStep = botStepper(model);

  /** A new visit with the step of its entry page pending. */
  function startSession(now: number): LiveSession {
    const id = `s-${(++sessionCount).toString(16).padStart(6, "0")}`;
    const live = newSession(model, id, now);
    live.pending.push(enter(model, live));
    return live;
  }

  return {
    nextStep(now) {
      if (random.next() < options.botShare) return botStep();
      let live = heap.length > 0 && heap[0]!.due <= now ? popMin(heap) : startSession(now);
      if (live.pending.length === 0) {
        live = walkOn(model, live, () => startSession(now));
        if (clicks && live.node !== "exit" && random.next() < 0.3) addClick(random, live);
      }
      const step = live.pending.shift()!;
      if (live.pending.length > 0 || live.node !== "exit") {
        // Events on the same page follow within a second or two; a new page after a think time.
        live.due = now +
          (live.pending.length > 0
            ? random.between(200, 2000)
            : Math.round(random.logNormal(options.thinkTimeMs, 0.8)));
        pushHeap(heap, live);
      }
      return step;
    },
  };
}

/** What every step of the model draws on: the random stream, the vocabulary and the rates. */
interface ShopModel {
  random: SeededRandom;
  shop: ShopVocabulary;
  options: ShopModelOptions;
}

/** A visit arriving at `now`: who, from where, and the page it enters on. */
function newSession({ random, shop, options }: ShopModel, id: string, now: number): LiveSession {
  const shopper = shop.shoppers[random.fromCdf(shop.shopperCdf)]!;
  const campaign = random.next() < options.campaignShare ? random.pick(shop.campaigns) : undefined;
  const session: Session = {
    id,
    shopper,
    campaign,
    referrer: campaign?.referrer ?? random.pick(shop.referrers),
    bot: false,
  };
  const entry = random.next();
  const node: Node = entry < 0.4 ? "home" : entry < 0.65 ? "category" : "product";
  return {
    session,
    due: now,
    node,
    category: random.pick(shop.categories),
    cart: [],
    pending: [],
    steps: 0,
  };
}

/** A product to view: mostly a popular one of `category`, else one of the whole catalogue. */
function pickProduct({ random, shop }: ShopModel, category?: string): Product {
  const list = category === undefined ? undefined : shop.productsByCategory.get(category);
  if (list !== undefined && list.length > 0 && random.next() < 0.8) {
    return list[Math.min(list.length - 1, Math.floor(random.pareto(1.2)) - 1)]!;
  }
  return shop.products[random.fromCdf(shop.productCdf)]!;
}

/** The cart's value in EUR, summed in cents. */
function cartValue(live: LiveSession): number {
  const cents = live.cart.reduce(
    (sum, line) => sum + Math.round(line.product.price * 100) * line.quantity,
    0,
  );
  return cents / 100;
}

/** The step of entering `live.node`, and what may follow on the same page. */
function enter(model: ShopModel, live: LiveSession): Step {
  const base = { session: live.session, first: live.steps === 0 };
  live.steps++;
  switch (live.node) {
    case "home":
      return { ...base, kind: "page", page: "/" };
    case "category":
      return { ...base, kind: "page", page: `/c/${live.category}` };
    case "search":
      return {
        ...base,
        kind: "page",
        page: `/search?q=${model.random.pick(model.shop.searchTerms)}`,
      };
    case "product": {
      const product = live.product = pickProduct(model, live.category);
      live.category = product.category;
      return { ...base, kind: "view", page: `/p/${product.id}`, product };
    }
    case "cart":
      return { ...base, kind: "page", page: "/cart" };
    case "checkout":
      return {
        ...base,
        kind: "checkout",
        page: "/checkout",
        button: "checkout",
        orderValue: cartValue(live),
      };
    case "exit":
      throw new Error("an ended session has no step");
  }
}

/**
 * Moves a session whose page has no events left one edge of the page graph and queues the
 * steps that follow. When the visitor left without an event on the way, the step goes to a new
 * visit from `startSession`, which is returned instead.
 */
function walkOn(
  model: ShopModel,
  live: LiveSession,
  startSession: () => LiveSession,
): LiveSession {
  const next = advance(model, live);
  if (next !== "exit") {
    live.node = next;
    live.pending.push(enter(model, live));
  } else if (live.pending.length === 0) {
    // Nothing happened on this edge: the visitor left; the step goes to a new visit.
    return startSession();
  } else {
    live.node = "exit";
  }
  return live;
}

/** Moves a session one edge of the page graph, with the events that edge implies. */
function advance(model: ShopModel, live: LiveSession): Node {
  const u = model.random.next();
  switch (live.node) {
    case "home":
      return u < 0.45 ? "category" : u < 0.65 ? "search" : u < 0.85 ? "product" : "exit";
    case "category":
      return u < 0.65 ? "product" : u < 0.75 ? "category" : u < 0.8 ? "home" : "exit";
    case "search":
      return u < 0.7 ? "product" : u < 0.8 ? "search" : "exit";
    case "product":
      return leaveProduct(model, live, u);
    case "cart":
      if (live.cart.length === 0) return u < 0.5 ? "home" : "exit";
      return u < 0.55 ? "checkout" : u < 0.8 ? "product" : "exit";
    case "checkout":
      return leaveCheckout(model, live, u);
    case "exit":
      return "exit";
  }
}

/** The edge out of a product page, `u` drawn: maybe adding the product to the cart first. */
function leaveProduct({ random, options }: ShopModel, live: LiveSession, u: number): Node {
  if (u < options.cartShare && live.product !== undefined) {
    const quantity = random.next() < 0.85 ? 1 : random.between(2, 3);
    live.cart.push({ product: live.product, quantity });
    live.pending.push({
      session: live.session,
      kind: "add_to_cart",
      page: `/p/${live.product.id}`,
      product: live.product,
      quantity,
      button: "add-to-cart",
      first: false,
    });
    return random.next() < 0.45 ? "cart" : "product";
  }
  const v = random.next();
  return v < 0.45 ? "product" : v < 0.6 ? "category" : v < 0.65 ? "cart" : "exit";
}

/**
 * The edge out of the checkout, `u` drawn: abandoned, or a payment that fails or buys the
 * cart (one purchase step per order line, and the cart is empty again).
 */
function leaveCheckout({ random, options }: ShopModel, live: LiveSession, u: number): Node {
  if (u < 0.2) return "exit"; // abandoned at checkout
  const page = "/checkout/payment";
  const orderValue = cartValue(live);
  if (random.next() < options.paymentFailureShare) {
    live.pending.push({
      session: live.session,
      kind: "payment_failed",
      page,
      button: "pay",
      orderValue,
      first: false,
    });
    return random.next() < 0.5 ? "checkout" : "exit";
  }
  for (const line of live.cart) {
    live.pending.push({
      session: live.session,
      kind: "purchase",
      page,
      product: line.product,
      quantity: line.quantity,
      button: "pay",
      orderValue,
      first: false,
    });
  }
  live.cart = [];
  return random.next() < 0.15 ? "home" : "exit";
}

/** Queues a UI click on one of the buttons of the session's current page, if it has any. */
function addClick(random: SeededRandom, live: LiveSession): void {
  const buttons = PAGE_BUTTONS[live.node] ?? [];
  const page = live.pending[live.pending.length - 1]!.page;
  if (buttons.length > 0) {
    live.pending.push({
      session: live.session,
      kind: "click",
      page,
      button: random.pick(buttons),
      first: false,
    });
  }
}

/**
 * The steps of the one high-rate bot: a product view each, over the whole catalogue, in
 * sessions of 500 views.
 */
function botStepper({ random, shop }: ShopModel): () => Step {
  let botSession: Session | undefined;
  let botSteps = 0;
  return () => {
    if (botSession === undefined || botSteps % 500 === 0) {
      botSession = {
        id: `s-bot-${(botSteps / 500).toString(16)}`,
        shopper: { device: -1, country: "US", ip: shop.bot.ip },
        referrer: "-",
        bot: true,
      };
    }
    const product = random.pick(shop.products); // it walks the whole catalogue
    const first = botSteps % 500 === 0;
    botSteps++;
    return { session: botSession, kind: "view", page: `/p/${product.id}`, product, first };
  };
}

function pushHeap(heap: LiveSession[], item: LiveSession): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.due <= item.due) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = item;
}

function popMin(heap: LiveSession[]): LiveSession {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.due < heap[left]!.due ? right : left;
      if (heap[child]!.due >= last.due) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
  return top;
}
