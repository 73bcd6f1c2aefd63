/**
 * The vocabulary of the simulated web site: its URIs, clients, user agents and referrers,
 * built once per seed with faker so the hot loop only picks from arrays.
 *
 * @module
 */
import { base, en, Faker } from "faker";
import { SeededRandom, zipfCdf } from "./random.ts";

/** Everything the traffic model draws from, fixed by the seed. */
export interface TrafficVocabulary {
  /** Origin of the simulated site, for internal referrers. */
  siteOrigin: string;
  /** HTML page URIs, most popular first (`/` leads). */
  pageUris: string[];
  /** Zipf(1.1) popularity of `pageUris`. */
  pageCdf: Float64Array;
  /** Static asset URIs (.css, .js, images, fonts), most popular first. */
  assetUris: string[];
  /** Zipf(1.1) popularity of `assetUris`. */
  assetCdf: Float64Array;
  /** Addresses of ordinary visitors. */
  clientAddrs: string[];
  /** Zipf(0.8) activity of `clientAddrs`: a few heavy users, a long tail. */
  clientCdf: Float64Array;
  /** The browser each visitor uses: an index into `browserAgents`. */
  clientAgent: Uint16Array;
  /** Browser user agents. */
  browserAgents: string[];
  /** Well-known crawlers and the address ranges they come from. */
  crawlers: { agent: string; addrs: string[] }[];
  /** The one aggressive scraper's address. */
  botAddr: string;
  /** The one aggressive scraper's user agent. */
  botAgent: string;
  /** Search-engine referrers. */
  searchReferrers: string[];
  /** Social-network referrers. */
  socialReferrers: string[];
  /** Referrers from other web sites. */
  externalReferrers: string[];
  /** Lines of prose, used as garbage input. */
  garbageLines: string[];
}

const FIXED_PAGES = ["/", "/about", "/contact", "/cart", "/checkout", "/login", "/account"];
const ASSET_TYPES = [
  { dir: "/static/css/", ext: ".css" },
  { dir: "/static/js/", ext: ".js" },
  { dir: "/static/js/", ext: ".js" },
  { dir: "/images/", ext: ".png" },
  { dir: "/images/", ext: ".jpg" },
  { dir: "/images/", ext: ".webp" },
  { dir: "/images/icons/", ext: ".svg" },
  { dir: "/fonts/", ext: ".woff2" },
];
const REAL_BROWSER_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
];
const CRAWLERS = [
  {
    agent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    prefix: "66.249.66.",
  },
  {
    agent: "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    prefix: "40.77.167.",
  },
  {
    agent: "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    prefix: "5.255.253.",
  },
  {
    agent: "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
    prefix: "20.191.45.",
  },
  {
    agent: "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    prefix: "220.181.108.",
  },
  {
    agent: "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    prefix: "54.36.148.",
  },
];
const SEARCH_REFERRERS = [
  "https://www.google.com/",
  "https://www.google.com/",
  "https://www.google.com/",
  "https://www.google.co.uk/",
  "https://www.google.de/",
  "https://www.bing.com/",
  "https://duckduckgo.com/",
  "https://search.yahoo.com/",
  "https://yandex.ru/",
  "https://www.baidu.com/",
  "https://www.ecosia.org/",
];

/**
 * True for printable ASCII without `"` or `\`: text that JSON and combined lines carry
 * verbatim, which lets the encoder skip escaping.
 */
function isPlainText(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text) && !text.includes('"') && !text.includes("\\");
}

/** Lower-case words joined by `-`, safe in a URI. */
function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "item";
}

/** Calls `make` until it yields a value not yet in `seen` (suffixing after a few tries). */
function unique(seen: Set<string>, make: () => string): string {
  let candidate = make();
  for (let attempt = 0; seen.has(candidate); attempt++) {
    candidate = attempt < 5 ? make() : `${make()}-${attempt}`;
  }
  seen.add(candidate);
  return candidate;
}

/** One HTML page URI from a randomly chosen site section. */
function makePageUri(faker: Faker): string {
  const section = faker.number.int(99);
  if (section < 30) return `/blog/${faker.lorem.slug(faker.number.int({ min: 2, max: 5 }))}`;
  if (section < 65) {
    const id = faker.number.int({ min: 1000, max: 99_999 });
    return faker.datatype.boolean(0.8)
      ? `/products/${id}`
      : `/products/${id}?color=${slugify(faker.color.human())}`;
  }
  if (section < 80) {
    return `/category/${slugify(faker.commerce.department())}/${slugify(faker.word.noun())}`;
  }
  if (section < 95) return `/search?q=${faker.word.words(2).toLowerCase().replace(/\W+/g, "+")}`;
  return `/help/${faker.lorem.slug(2)}`;
}

/** One static asset URI with a content hash, as bundlers name them. */
function makeAssetUri(faker: Faker, index: number): string {
  if (index === 0) return "/favicon.ico";
  const type = faker.helpers.arrayElement(ASSET_TYPES);
  const hash = type.ext === ".css" || type.ext === ".js"
    ? "." + faker.string.hexadecimal({ length: 8, casing: "lower", prefix: "" })
    : "";
  return type.dir + slugify(faker.word.noun()) + hash + type.ext;
}

/**
 * Builds the vocabulary of a simulated site.
 *
 * @param seed The traffic seed: same seed, same vocabulary.
 * @param pages Distinct URIs in all: about 80% pages and 20% static assets.
 * @returns The vocabulary.
 *
 * @example
 * ```ts
 * import { buildVocabulary } from "./vocabulary.ts";
 * const vocabulary = buildVocabulary(42, 100);
 * console.assert(vocabulary.pageUris[0] === "/");
 * ```
 */
export function buildVocabulary(seed: number, pages: number): TrafficVocabulary {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  const random = new SeededRandom(seed ^ 0x5bd1e995);
  const seen = new Set<string>();

  const assetCount = pages >= 5 ? Math.round(pages * 0.2) : Math.min(1, pages - 1);
  const pageCount = pages - assetCount;
  const pageUris: string[] = [];
  for (let i = 0; i < pageCount; i++) {
    const fixed = FIXED_PAGES[i];
    pageUris.push(
      fixed !== undefined && !seen.has(fixed)
        ? unique(seen, () => fixed)
        : unique(seen, () => makePageUri(faker)),
    );
  }
  const assetUris: string[] = [];
  for (let i = 0; i < assetCount; i++) assetUris.push(unique(seen, () => makeAssetUri(faker, i)));

  const browserAgents = [...REAL_BROWSER_AGENTS];
  while (browserAgents.length < 56) {
    // Faker sometimes invents a bot; crawlers are modelled on their own.
    const agent = faker.internet.userAgent();
    if (isPlainText(agent) && !/bot|crawl|spider/i.test(agent)) browserAgents.push(agent);
  }
  const agentCdf = zipfCdf(browserAgents.length, 1.0);

  const clientAddrs: string[] = [];
  const addrSeen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    clientAddrs.push(
      unique(
        addrSeen,
        () => faker.datatype.boolean(0.9) ? faker.internet.ipv4() : faker.internet.ipv6(),
      ),
    );
  }
  const clientAgent = new Uint16Array(clientAddrs.length);
  for (let i = 0; i < clientAgent.length; i++) clientAgent[i] = random.fromCdf(agentCdf);

  const crawlers = CRAWLERS.map(({ agent, prefix }) => ({
    agent,
    addrs: Array.from({ length: 8 }, () => prefix + faker.number.int({ min: 1, max: 254 })),
  }));

  const siteOrigin = `https://www.${slugify(faker.company.name())}.example`;
  return {
    siteOrigin,
    pageUris,
    pageCdf: zipfCdf(Math.max(1, pageUris.length), 1.1),
    assetUris,
    assetCdf: zipfCdf(Math.max(1, assetUris.length), 1.1),
    clientAddrs,
    clientCdf: zipfCdf(clientAddrs.length, 0.8),
    clientAgent,
    browserAgents,
    crawlers,
    botAddr: unique(addrSeen, () => faker.internet.ipv4()),
    botAgent: "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    searchReferrers: SEARCH_REFERRERS,
    socialReferrers: [
      "https://t.co/" + faker.string.alphanumeric(10),
      "https://t.co/" + faker.string.alphanumeric(10),
      "https://www.facebook.com/",
      "https://l.facebook.com/",
      "https://www.reddit.com/r/" + slugify(faker.word.noun()) + "/",
      "https://www.linkedin.com/",
      "https://news.ycombinator.com/",
    ],
    externalReferrers: Array.from(
      { length: 200 },
      () => faker.internet.url().replace(/\/$/, "") + "/" + faker.lorem.slug(2),
    ),
    garbageLines: Array.from({ length: 50 }, () => faker.lorem.sentence()),
  };
}
