// DOM helpers of the dashboard. Every text from the server (page URLs, user agents, referrers
// are attacker-controlled) goes through `el`, which sets it as text, never as HTML.

/**
 * Creates an element holding `text` as text, with attributes.
 * @param {string} tag
 * @param {unknown} [text]
 * @param {Record<string, string>} [attributes]
 * @returns {HTMLElement}
 */
export function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** A number with thousands separators; anything else as text. */
export function formatNumber(value) {
  return typeof value === "number" ? value.toLocaleString("en-US") : String(value);
}

/** Fetches JSON; throws the server's `error` text on a refusal. */
export async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${url}: HTTP ${response.status}`);
  return body;
}
