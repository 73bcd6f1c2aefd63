import assert from "assert";
import { buildVocabulary } from "../traffic/vocabulary.ts";
import { isBot } from "./bot.ts";
import { classifyUserAgent, DEVICE_TYPES, type UserAgentClass } from "./user_agent.ts";

const AGENTS: [string, UserAgentClass][] = [
  [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    { device: "desktop", browser: "Chrome", os: "Windows" },
  ],
  [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    { device: "mobile", browser: "Mobile Safari", os: "iOS" },
  ],
  [
    "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    { device: "tablet", browser: "Mobile Safari", os: "iOS" },
  ],
  [
    "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    { device: "tablet", browser: "Chrome", os: "Android" },
  ],
  [
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    { device: "mobile", browser: "Chrome", os: "Android" },
  ],
  [
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    { device: "desktop", browser: "Firefox", os: "Linux" },
  ],
  [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    { device: "desktop", browser: "Edge", os: "Windows" },
  ],
  [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    { device: "desktop", browser: "Safari", os: "Mac OS" },
  ],
  [
    "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36",
    { device: "other", browser: "Samsung Internet", os: "Tizen" },
  ],
  [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    { device: "bot", browser: "Other", os: "Other" },
  ],
  [
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    { device: "bot", browser: "Chrome", os: "Android" },
  ],
  ["curl/8.5.0", { device: "bot", browser: "Other", os: "Other" }],
  [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
    { device: "bot", browser: "Chrome Headless", os: "Windows" },
  ],
  ["-", { device: "other", browser: "Other", os: "Other" }],
  ["", { device: "other", browser: "Other", os: "Other" }],
];

Deno.test("classifyUserAgent: device, browser and OS of real user agents", () => {
  for (const [agent, expected] of AGENTS) {
    assert.deepEqual(classifyUserAgent(agent), expected, agent);
    assert.ok(DEVICE_TYPES.includes(expected.device));
  }
});

Deno.test("classifyUserAgent answers from its cache alike, and the answer cannot be changed", () => {
  const agent = AGENTS[0]![0];
  const first = classifyUserAgent(agent);
  assert.equal(classifyUserAgent(agent), first);
  assert.throws(() => {
    (first as { device: string }).device = "mobile";
  }, TypeError);
  for (let i = 0; i < 10_050; i++) classifyUserAgent(`agent ${i}`); // past the cache limit
  assert.deepEqual(classifyUserAgent(agent), first);
});

Deno.test("isBot and the bot device type agree", () => {
  for (const [agent, expected] of AGENTS) {
    assert.equal(isBot(agent), expected.device === "bot", agent);
  }
});

Deno.test("isBot knows crawlers, HTTP clients and self-declared bots", () => {
  const bots = [
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Wget/1.21.4",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "okhttp/4.12.0",
    "ShopWatcherBot/0.3",
    "acme price crawler 2.0",
    "UptimeProbe/1.0 (+https://status.example.com/about)",
  ];
  for (const agent of bots) assert.equal(isBot(agent), true, agent);
});

Deno.test("isBot: every simulated crawler is a bot, no simulated browser is", () => {
  const vocabulary = buildVocabulary(42, 50);
  for (const crawler of vocabulary.crawlers) {
    assert.equal(isBot(crawler.agent), true, crawler.agent);
  }
  assert.equal(isBot(vocabulary.botAgent), true);
  for (const agent of vocabulary.browserAgents) assert.equal(isBot(agent), false, agent);
});
