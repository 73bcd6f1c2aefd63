/**
 * What the e-commerce and clickstream simulations draw from: a product catalogue with
 * categories and prices, users with their device, browser, OS, country and address, marketing
 * campaigns and referrers, the buttons of each page, and the one high-rate bot. Built once per
 * seed, so the hot loop only picks from arrays.
 *
 * @module
 */
import { base, en, Faker } from "faker";
import { SeededRandom, zipfCdf } from "./random.ts";

/** A product of the catalogue. */
export interface Product {
  /** Id, e.g. `p-1042`. */
  id: string;
  /** Category slug, e.g. `shoes`. */
  category: string;
  /** Price in EUR with cents, e.g. 59.99. */
  price: number;
}

/** A device, with the browser and OS whose user-agent string it sends. */
export interface DeviceProfile {
  /** `desktop`, `mobile` or `tablet`. */
  device: string;
  /** Operating system, e.g. `iOS`. */
  os: string;
  /** Browser, e.g. `Safari`. */
  browser: string;
  /** The User-Agent header it sends. */
  userAgent: string;
  /** Screen size, e.g. `390x844`. */
  screen: string;
}

/** A simulated shopper. */
export interface Shopper {
  /** Id when logged in (`u-123`), undefined for an anonymous visitor. */
  userId?: string;
  /** Index into `devices`. */
  device: number;
  /** ISO country code. */
  country: string;
  /** Client address. */
  ip: string;
}

/** A marketing campaign's utm parameters and where its visitors come from. */
export interface Campaign {
  /** `utm_source`. */
  source: string;
  /** `utm_medium`. */
  medium: string;
  /** `utm_campaign`. */
  campaign: string;
  /** The referrer its visitors carry. */
  referrer: string;
}

/** Everything the event simulations draw from, fixed by the seed. */
export interface ShopVocabulary {
  /** Origin of the simulated shop. */
  siteOrigin: string;
  /** Category slugs. */
  categories: string[];
  /** Products, most popular first. */
  products: Product[];
  /** Zipf(1.0) popularity of `products`. */
  productCdf: Float64Array;
  /** Products by category, each most popular first. */
  productsByCategory: Map<string, Product[]>;
  /** Devices with browser, OS and user agent. */
  devices: DeviceProfile[];
  /** Shoppers, most active first. */
  shoppers: Shopper[];
  /** Zipf(0.8) activity of `shoppers`: a few regulars, a long tail. */
  shopperCdf: Float64Array;
  /** Campaigns. */
  campaigns: Campaign[];
  /** Referrers of visitors who come without a campaign (`-` = direct). */
  referrers: string[];
  /** Search terms typed into the shop's search. */
  searchTerms: string[];
  /** The bot's address, user agent and device profile. */
  bot: { ip: string; userAgent: string; device: DeviceProfile };
}

const CATEGORIES: [string, number, number][] = [
  ["shoes", 39, 189],
  ["jackets", 59, 349],
  ["t-shirts", 9, 45],
  ["jeans", 29, 129],
  ["bags", 19, 259],
  ["watches", 79, 899],
  ["headphones", 19, 399],
  ["kitchen", 9, 249],
  ["books", 7, 49],
  ["toys", 9, 119],
];

/** Device profiles with real user-agent strings, and how common each is. */
const DEVICE_PROFILES: [DeviceProfile, number][] = [
  [{
    device: "desktop",
    os: "Windows",
    browser: "Chrome",
    screen: "1920x1080",
    userAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  }, 24],
  [{
    device: "mobile",
    os: "iOS",
    browser: "Safari",
    screen: "390x844",
    userAgent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  }, 22],
  [{
    device: "mobile",
    os: "Android",
    browser: "Chrome",
    screen: "412x915",
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  }, 20],
  [{
    device: "desktop",
    os: "macOS",
    browser: "Safari",
    screen: "1512x982",
    userAgent:
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  }, 9],
  [{
    device: "desktop",
    os: "Windows",
    browser: "Edge",
    screen: "1536x864",
    userAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  }, 7],
  [{
    device: "desktop",
    os: "Windows",
    browser: "Firefox",
    screen: "1920x1080",
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  }, 5],
  [{
    device: "mobile",
    os: "Android",
    browser: "Samsung Internet",
    screen: "384x854",
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  }, 5],
  [{
    device: "tablet",
    os: "iPadOS",
    browser: "Safari",
    screen: "820x1180",
    userAgent:
      "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  }, 5],
  [{
    device: "desktop",
    os: "Linux",
    browser: "Firefox",
    screen: "2560x1440",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  }, 3],
];

const COUNTRIES: [string, number][] = [
  ["US", 30],
  ["DE", 12],
  ["GB", 10],
  ["FR", 8],
  ["IN", 8],
  ["BR", 6],
  ["JP", 5],
  ["CA", 5],
  ["NL", 4],
  ["ES", 4],
  ["IT", 4],
  ["AU", 4],
];

const CAMPAIGNS: Campaign[] = [
  {
    source: "newsletter",
    medium: "email",
    campaign: "black-friday",
    referrer: "-",
  },
  {
    source: "google",
    medium: "cpc",
    campaign: "brand-search",
    referrer: "https://www.google.com/",
  },
  {
    source: "google",
    medium: "cpc",
    campaign: "shoes-generic",
    referrer: "https://www.google.com/",
  },
  {
    source: "facebook",
    medium: "social",
    campaign: "winter-sale",
    referrer: "https://l.facebook.com/",
  },
  {
    source: "instagram",
    medium: "social",
    campaign: "creator-collab",
    referrer: "https://l.instagram.com/",
  },
  {
    source: "tiktok",
    medium: "video",
    campaign: "unboxing",
    referrer: "https://www.tiktok.com/",
  },
  {
    source: "partner-blog",
    medium: "affiliate",
    campaign: "gift-guide",
    referrer: "https://giftguide.example/best-gifts-2026",
  },
];

const REFERRERS = [
  "-",
  "-",
  "-",
  "-",
  "https://www.google.com/",
  "https://www.google.com/",
  "https://www.google.de/",
  "https://www.bing.com/",
  "https://duckduckgo.com/",
  "https://www.reddit.com/r/deals/",
  "https://news.ycombinator.com/",
];

/** Cumulative distribution of explicit weights. */
function weightCdf(weights: readonly number[]): Float64Array {
  const cdf = new Float64Array(weights.length);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let running = 0;
  weights.forEach((weight, i) => cdf[i] = (running += weight) / total);
  cdf[weights.length - 1] = 1;
  return cdf;
}

/**
 * Builds the shop of a seed.
 *
 * @param seed The traffic seed: same seed, same shop.
 * @param products Catalogue size, ≥ 1.
 * @param users Distinct visitors, ≥ 1; about 60% are logged in and carry a user id.
 * @returns The vocabulary.
 *
 * @example
 * ```ts
 * import { buildShopVocabulary } from "./shop_vocabulary.ts";
 * const shop = buildShopVocabulary(42, 50, 100);
 * console.assert(shop.products.length === 50 && shop.shoppers.length === 100);
 * ```
 */
export function buildShopVocabulary(seed: number, products: number, users: number): ShopVocabulary {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  const random = new SeededRandom(seed ^ 0x2545f491);

  const catalogue: Product[] = [];
  const productsByCategory = new Map<string, Product[]>();
  for (let i = 0; i < products; i++) {
    const [category, low, high] = CATEGORIES[random.int(CATEGORIES.length)]!;
    const median = Math.sqrt(low * high);
    const raw = Math.min(high, Math.max(low, random.logNormal(median, 0.45)));
    const product = { id: `p-${1000 + i}`, category, price: Math.floor(raw) + 0.99 };
    catalogue.push(product);
    let list = productsByCategory.get(category);
    if (list === undefined) productsByCategory.set(category, list = []);
    list.push(product);
  }

  const devices = DEVICE_PROFILES.map(([profile]) => profile);
  const deviceCdf = weightCdf(DEVICE_PROFILES.map(([, weight]) => weight));
  const countryCdf = weightCdf(COUNTRIES.map(([, weight]) => weight));
  const shoppers: Shopper[] = [];
  const addresses = new Set<string>();
  for (let i = 0; i < users; i++) {
    let ip = faker.internet.ipv4();
    while (addresses.has(ip)) ip = faker.internet.ipv4();
    addresses.add(ip);
    shoppers.push({
      userId: random.next() < 0.6 ? `u-${10_000 + i}` : undefined,
      device: random.fromCdf(deviceCdf),
      country: COUNTRIES[random.fromCdf(countryCdf)]![0],
      ip,
    });
  }

  let botIp = faker.internet.ipv4();
  while (addresses.has(botIp)) botIp = faker.internet.ipv4();
  return {
    siteOrigin: "https://shop.example",
    categories: [...productsByCategory.keys()],
    products: catalogue,
    productCdf: zipfCdf(catalogue.length, 1.0),
    productsByCategory,
    devices,
    shoppers,
    shopperCdf: zipfCdf(shoppers.length, 0.8),
    campaigns: CAMPAIGNS,
    referrers: REFERRERS,
    searchTerms: Array.from(
      { length: 40 },
      () => faker.commerce.productAdjective().toLowerCase() + "+" + faker.word.noun().toLowerCase(),
    ).map((term) => term.replace(/[^a-z+]/g, "")),
    bot: {
      ip: botIp,
      userAgent: "Mozilla/5.0 (compatible; PriceScraper/2.3; +https://scraper.example/bot)",
      device: {
        device: "desktop",
        os: "Linux",
        browser: "PriceScraper",
        screen: "1920x1080",
        userAgent: "Mozilla/5.0 (compatible; PriceScraper/2.3; +https://scraper.example/bot)",
      },
    },
  };
}
